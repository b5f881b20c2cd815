package org.kaiku.engine.features.muc;

import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;
import org.kaiku.engine.muc.MucSettings;

/**
 * XEP-0045 Multi-User Chat and the room extensions it carries (XEP-0421 occupant ids, XEP-0410
 * self-ping answered by the room, XEP-0249 direct invitations, which are plain messages between
 * users and need nothing of the server): what the service adds to the server's own answers, its
 * domain as an item of disco#items (section 6.1). The service itself is {@link
 * org.kaiku.engine.muc.MucService}; rooms are {@link org.kaiku.engine.muc.RoomEntity}.
 */
@Xep(number = 45, version = "1.35.5", status = Xep.Status.PARTIAL,
        note = "no reserved nicknames, registration (section 7.10), voice requests, public logging (muc#roomconfig_enablelogging) or multi-session nicks; occupants and history are in memory (lost when a room's entity stops; clients rejoin after a self-ping)")
@Xep(number = 421, version = "1.0.1", status = Xep.Status.COMPLETE, note = "HMAC-SHA-256 of the real bare JID with a per-room secret")
@Xep(number = 410, version = "1.1.0", status = Xep.Status.COMPLETE, note = "rooms answer self-pings themselves (self-ping-optimization)")
@Xep(number = 249, version = "1.2", status = Xep.Status.COMPLETE, note = "direct invitations are messages between users; nothing of the server")
public final class MucModule implements XmppModule {
    @Override
    public ModuleRegistration register(ModuleContext ctx) {
        MucSettings settings = MucSettings.fromConfig(ctx.config(), ctx.domain());
        ModuleRegistration.Builder b = ModuleRegistration.builder();
        if (settings.enabled()) {
            b.item(settings.domain());
        }
        return b.build();
    }
}
