package org.kaiku.engine.features.pubsub;

import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;
import org.kaiku.engine.pubsub.PubsubSettings;

/**
 * XEP-0060 Publish-Subscribe: what the service adds to the server's own answers, its domain as an
 * item of disco#items (section 5.1). The service itself is {@link
 * org.kaiku.engine.pubsub.PubsubService}; nodes are {@link org.kaiku.engine.pubsub.NodeEntity},
 * their subscriptions {@link org.kaiku.engine.pubsub.PartitionEntity}.
 */
@Xep(number = 60, version = "1.30.0", status = Xep.Status.PARTIAL,
        note = "leaf nodes at pubsub.DOMAIN: access models open, whitelist, authorize (no presence, roster); one subscription per JID, no subscription options, no collections, no auto-create, no PEP; a user's subscriptions and affiliations are answered per node only")
public final class PubsubModule implements XmppModule {
    @Override
    public ModuleRegistration register(ModuleContext ctx) {
        PubsubSettings settings = PubsubSettings.fromConfig(ctx.config(), ctx.domain());
        ModuleRegistration.Builder b = ModuleRegistration.builder();
        if (settings.enabled()) {
            b.item(settings.domain());
        }
        return b.build();
    }
}
