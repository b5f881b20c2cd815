package org.kaiku.engine.features.web;

import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;

/**
 * XEP-0156 Discovering Alternative XMPP Connection Methods, version 1.4.0: the HTTP lookup method
 * (section 3), served by {@link org.kaiku.engine.web.WebListener} when {@code kaiku.http.enabled}
 * is on, advertising XMPP over WebSocket (RFC 7395). It adds nothing to the XMPP side (no disco
 * feature is defined), so it registers no handler; it is here so the compliance table states it.
 */
@Xep(number = 156, version = "1.4.0", status = Xep.Status.COMPLETE,
        note = "HTTP lookup only (the DNS TXT method was removed from the XEP); host-meta and host-meta.json list the WebSocket "
                + "endpoint when kaiku.http is on; no BOSH yet")
public final class WebTransportsModule implements XmppModule {
    @Override
    public ModuleRegistration register(ModuleContext ctx) {
        return ModuleRegistration.builder().build();
    }
}
