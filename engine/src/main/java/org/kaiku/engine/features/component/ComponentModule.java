package org.kaiku.engine.features.component;

import org.kaiku.engine.component.ComponentSettings;
import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;

/**
 * XEP-0114 Jabber Component Protocol, version 1.6: what external components add to the server's
 * own answers. Each configured component domain ({@code kaiku.components.secrets}) is an item of
 * the server's disco#items, connected or not (a client then asks the component itself what it
 * is), as ejabberd and Prosody list theirs. The protocol itself lives in
 * {@link org.kaiku.engine.component}: listener, handshake, routing across the cluster.
 */
@Xep(number = 114, version = "1.6", status = Xep.Status.COMPLETE,
        note = "accept (component-side connects); listener on loopback by default; one connection per component domain across the cluster")
public final class ComponentModule implements XmppModule {
    @Override
    public ModuleRegistration register(ModuleContext ctx) {
        ModuleRegistration.Builder b = ModuleRegistration.builder();
        ComponentSettings.fromConfig(ctx.config(), ctx.domain()).secrets().keySet().forEach(b::item);
        return b.build();
    }
}
