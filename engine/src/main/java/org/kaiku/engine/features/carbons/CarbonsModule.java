package org.kaiku.engine.features.carbons;

import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;
import org.kaiku.protocol.ext.carbons.Carbons;

/**
 * XEP-0280 Message Carbons. Enabling is per resource and the copies follow each message's
 * delivery, so the account entity does the work (org.kaiku.engine.user.CarbonsHandler); this
 * module states it, so disco#info advertises urn:xmpp:carbons:2 (section 3).
 */
@Xep(number = 280, version = "1.0.1", status = Xep.Status.PARTIAL,
        note = "error messages are never copied, so urn:xmpp:carbons:rules:0 is not announced")
public final class CarbonsModule implements XmppModule {

    @Override
    public ModuleRegistration register(ModuleContext context) {
        return ModuleRegistration.builder().feature(Carbons.NAMESPACE).build();
    }
}
