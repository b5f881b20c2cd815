package org.kaiku.engine.features.blocking;

import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;
import org.kaiku.protocol.ext.blocking.Blocking;

/**
 * XEP-0191 Blocking Command. The list belongs to the account and stops stanzas on their way in
 * and out, so the account entity and the sessions do the work (org.kaiku.engine.user.BlockingHandler);
 * this module states it, so disco#info advertises urn:xmpp:blocking (section 3.1).
 */
@Xep(number = 191, version = "1.3", status = Xep.Status.COMPLETE,
        note = "polite blocking: subscriptions are kept; no XEP-0016 privacy lists")
public final class BlockingModule implements XmppModule {

    @Override
    public ModuleRegistration register(ModuleContext context) {
        return ModuleRegistration.builder().feature(Blocking.NAMESPACE).build();
    }
}
