package org.kaiku.engine.features.caps;

import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;
import org.kaiku.protocol.ext.caps.EntityCaps;

/**
 * XEP-0115 Entity Capabilities, both ways. The server's own: its verification string (computed
 * once from the module registry's identities and features, org.kaiku.engine.module.ModuleRegistry)
 * in the stream features after authentication (section 6.3) and its disco#info answered for
 * NODE#VER too (DiscoModule). The clients': {@link CapsCache} verifies and caches their strings
 * cluster-wide. This module states the feature and the compliance entry.
 */
@Xep(number = 115, version = "1.6.0", status = Xep.Status.COMPLETE,
        note = "server caps in the stream features and at NODE#VER; clients' strings verified (sha-1 to sha-512)"
                + " and cached cluster-wide (Distributed Data); legacy format (no hash) ignored")
public final class EntityCapsModule implements XmppModule {
    @Override
    public ModuleRegistration register(ModuleContext context) {
        return ModuleRegistration.builder().feature(EntityCaps.NAMESPACE).build();
    }
}
