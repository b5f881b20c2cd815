package org.kaiku.engine.features.ping;

import java.util.concurrent.CompletableFuture;
import org.kaiku.engine.module.IqHandler;
import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;
import org.kaiku.protocol.stanza.Stanzas;

/** XEP-0199 XMPP Ping: the server answers a ping to itself or to the pinging user's own account. */
@Xep(number = 199, version = "2.0.1", status = Xep.Status.PARTIAL, note = "answers pings; does not ping idle clients yet")
public final class PingModule implements XmppModule {
    public static final String NAMESPACE = "urn:xmpp:ping";

    @Override
    public ModuleRegistration register(ModuleContext ctx) {
        IqHandler pong = req -> CompletableFuture.completedFuture(Stanzas.iqResult(req.iq(), null));
        return ModuleRegistration.builder()
                .feature(NAMESPACE)
                .iq(IqHandler.Scope.SERVER, NAMESPACE, "get", pong)
                .iq(IqHandler.Scope.ACCOUNT, NAMESPACE, "get", pong)
                .build();
    }
}
