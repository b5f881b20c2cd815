package org.kaiku.engine.features.offline;

import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;

/**
 * XEP-0160 best practices for offline messages, delivered with XEP-0203 delay stamps. The work is
 * done by the account entity (org.kaiku.engine.user.OfflineDelivery) and the OfflineStore; this
 * module only states it, so disco#info advertises "msgoffline" (XEP-0160 section 5).
 */
@Xep(number = 160, version = "1.0.1", status = Xep.Status.PARTIAL,
        note = "stored in Cassandra, delivered at the next available presence; no expiry yet")
@Xep(number = 203, version = "2.0", status = Xep.Status.COMPLETE, note = "stamps on offline messages")
public final class OfflineModule implements XmppModule {
    public static final String FEATURE = "msgoffline";

    @Override
    public ModuleRegistration register(ModuleContext context) {
        return ModuleRegistration.builder().feature(FEATURE).build();
    }
}
