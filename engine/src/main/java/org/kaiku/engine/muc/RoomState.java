package org.kaiku.engine.muc;

import java.util.HashMap;
import java.util.Map;
import org.kaiku.engine.serialization.CborSerializable;
import org.kaiku.protocol.ext.muc.Muc;

/**
 * What survives a restart of a room: whether it exists, its configuration, its affiliations
 * (bare JID to affiliation, "none" never kept) and its subject. Occupants are not here: see
 * {@link RoomEntity}.
 *
 * @param locked true from creation until an owner submitted the configuration form (section 10.1.1)
 */
public record RoomState(boolean exists, boolean locked, String secret, RoomConfig config, Map<String, String> affiliations,
                        String subject, String subjectBy) implements CborSerializable {

    public RoomState {
        affiliations = affiliations == null ? Map.of() : Map.copyOf(affiliations);
        subject = subject == null ? "" : subject;
        subjectBy = subjectBy == null ? "" : subjectBy;
    }

    public static RoomState empty() {
        return new RoomState(false, false, "", null, Map.of(), "", "");
    }

    public Muc.Affiliation affiliation(String bareJid) {
        Muc.Affiliation a = Muc.Affiliation.of(affiliations.get(bareJid));
        return a == null ? Muc.Affiliation.NONE : a;
    }

    public long owners() {
        return affiliations.values().stream().filter("owner"::equals).count();
    }

    public RoomState apply(RoomEvent event) {
        if (event instanceof RoomEvent.Created c) {
            return new RoomState(true, true, c.secret(), c.config(), Map.of(c.owner(), "owner"), "", "");
        } else if (event instanceof RoomEvent.Configured c) {
            return new RoomState(exists, false, secret, c.config(), affiliations, subject, subjectBy);
        } else if (event instanceof RoomEvent.AffiliationChanged c) {
            Map<String, String> a = new HashMap<>(affiliations);
            if ("none".equals(c.affiliation())) {
                a.remove(c.jid());
            } else {
                a.put(c.jid(), c.affiliation());
            }
            return new RoomState(exists, locked, secret, config, a, subject, subjectBy);
        } else if (event instanceof RoomEvent.SubjectChanged c) {
            return new RoomState(exists, locked, secret, config, affiliations, c.subject(), c.nick());
        } else if (event instanceof RoomEvent.Destroyed) {
            return empty();
        }
        return this;
    }
}
