package org.kaiku.engine.features.jingle;

import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;

/**
 * Jingle calls as far as the server takes part: it adds nothing to disco (Jingle features are the
 * clients'), and states what the routing does for them, which JingleSmackTest checks.
 * <ul>
 *   <li>XEP-0166: session-initiate, -accept, -info, -terminate and transport-info are iq sets
 *       between full JIDs, routed to the resource unchanged; to a resource that is not online
 *       (account offline, or online elsewhere) or to no account they get service-unavailable (RFC
 *       6121 sections 8.5.3.2.3 and 8.5.1).</li>
 *   <li>XEP-0353: the {@code <propose/>}, {@code <ringing/>}, {@code <proceed/>}... messages are
 *       type chat with the XEP-0334 {@code <store/>} hint; to a bare JID they go to the available
 *       resources of highest priority and, through carbons (XEP-0280), to the other resources that
 *       enabled them, as section 3 expects; to an account with no available resource they are
 *       kept offline (XEP-0160); and the store hint makes them archived (XEP-0313, see
 *       {@link org.kaiku.engine.features.mam.MessageArchiver#archivable}) although they have no
 *       body. No push (section 3's push resources) yet.</li>
 * </ul>
 */
@Xep(number = 166, version = "1.1.2", status = Xep.Status.COMPLETE,
        note = "iq signalling between clients, routed unchanged; unavailable full JIDs get service-unavailable")
@Xep(number = 353, version = "0.8.0", status = Xep.Status.COMPLETE,
        note = "store-hinted chat messages: kept offline, archived, carbon-copied; no push")
public final class JingleModule implements XmppModule {
    @Override
    public ModuleRegistration register(ModuleContext ctx) {
        return ModuleRegistration.builder().build();
    }
}
