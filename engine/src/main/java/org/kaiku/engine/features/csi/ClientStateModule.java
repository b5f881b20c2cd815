package org.kaiku.engine.features.csi;

import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;

/**
 * XEP-0352 Client State Indication. Like stream management it is a stream feature, not a disco
 * feature: the c2s negotiation offers it once the client is authenticated and the session holds
 * back what an inactive client can wait for (org.kaiku.engine.c2s.ClientStateQueue). This module
 * states it for the compliance table.
 */
@Xep(number = 352, version = "1.0.0", status = Xep.Status.COMPLETE,
        note = "while inactive: presence updates coalesced per contact resource, chat states held (newest per sender);"
                + " anything else, such as a message with a body, flushes the queue first")
public final class ClientStateModule implements XmppModule {

    @Override
    public ModuleRegistration register(ModuleContext context) {
        return ModuleRegistration.builder().build();
    }
}
