package org.kaiku.engine.features.sm;

import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;

/**
 * XEP-0198 Stream Management. The protocol lives in the c2s session
 * (org.kaiku.engine.c2s.C2sStreamManagement) and the account entity
 * (org.kaiku.engine.user.ResumptionHandler, UnackedQueues); it is a stream feature offered after
 * authentication, not a disco#info feature (the XEP defines none), so this module only states it
 * for the compliance table.
 */
@Xep(number = 198, version = "1.6.3", status = Xep.Status.PARTIAL,
        note = "c2s acks and resumption on the node that held the session; a message counts in 'h' once stored"
                + " (offline or archive); stanzas a client has not acked live in memory (after a crash it catches up"
                + " from its archive); no s2s, no SASL2/BIND2 inlining")
public final class StreamManagementModule implements XmppModule {

    @Override
    public ModuleRegistration register(ModuleContext context) {
        return ModuleRegistration.builder().build();
    }
}
