package org.kaiku.engine.features.web;

import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;

/**
 * The web transports' compliance: XEP-0156 Discovering Alternative XMPP Connection Methods (the
 * HTTP lookup method of section 3), and XMPP over BOSH (XEP-0124 with XEP-0206), all served by
 * {@link org.kaiku.engine.web.WebListener} when {@code kaiku.http.enabled} is on, next to XMPP
 * over WebSocket (RFC 7395, not a XEP). They add nothing to the XMPP side (no disco feature is
 * defined), so the module registers no handler; it is here so the compliance table states them.
 */
@Xep(number = 124, version = "1.11.2", status = Xep.Status.PARTIAL,
        note = "at /http-bind when kaiku.http is on; hold 0 or 1, requests 2, rid window and repeated responses; no key sequencing, "
                + "pause, acks or multiple streams")
@Xep(number = 156, version = "1.4.0", status = Xep.Status.COMPLETE,
        note = "HTTP lookup only (the DNS TXT method was removed from the XEP); host-meta and host-meta.json list the WebSocket "
                + "and BOSH endpoints when kaiku.http is on")
@Xep(number = 206, version = "1.4", status = Xep.Status.COMPLETE,
        note = "stream restarts (restartlogic), stream errors as remote-stream-error; the sessions are ordinary c2s sessions")
public final class WebTransportsModule implements XmppModule {
    @Override
    public ModuleRegistration register(ModuleContext ctx) {
        return ModuleRegistration.builder().build();
    }
}
