package org.kaiku.engine.features.version;

import java.util.concurrent.CompletableFuture;
import org.kaiku.engine.module.IqHandler;
import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * XEP-0092 Software Version, for the server's own JID. The operating system is left out on
 * purpose (the XEP lets a server omit it; it helps attackers more than users).
 */
@Xep(number = 92, version = "1.1", status = Xep.Status.COMPLETE)
public final class VersionModule implements XmppModule {
    public static final String NAMESPACE = "jabber:iq:version";

    @Override
    public ModuleRegistration register(ModuleContext ctx) {
        XmlElement answer = XmlElement.builder("query", NAMESPACE)
                .textChild("name", ctx.serverName())
                .textChild("version", ctx.serverVersion())
                .build();
        return ModuleRegistration.builder()
                .feature(NAMESPACE)
                .iq(IqHandler.Scope.SERVER, NAMESPACE, "get",
                        req -> CompletableFuture.completedFuture(Stanzas.iqResult(req.iq(), answer)))
                .build();
    }
}
