package org.kaiku.engine.features.bytestreams;

import org.kaiku.engine.bytestreams.ProxySettings;
import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;

/**
 * XEP-0065 SOCKS5 Bytestreams: what the proxy adds to the server's own answers, its domain as an
 * item of disco#items (section 4: requesters find proxies there). The XMPP side of the proxy is
 * {@link org.kaiku.engine.bytestreams.ProxyService}; the TCP side is the relay's SOCKS5 listener.
 * Direct connections between clients (section 5) need nothing of the server.
 */
@Xep(number = 65, version = "1.8.2", status = Xep.Status.PARTIAL,
        note = "proxy in the embedded relay (TCP CONNECT only, no UDP mode of section 8); streamhost per node")
public final class BytestreamsModule implements XmppModule {
    @Override
    public ModuleRegistration register(ModuleContext ctx) {
        ProxySettings settings = ProxySettings.fromConfig(ctx.config(), ctx.domain());
        ModuleRegistration.Builder b = ModuleRegistration.builder();
        if (settings.enabled()) {
            b.item(settings.domain());
        }
        return b.build();
    }
}
