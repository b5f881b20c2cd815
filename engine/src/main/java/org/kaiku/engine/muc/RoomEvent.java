package org.kaiku.engine.muc;

import org.kaiku.engine.serialization.CborSerializable;

/** What a room journals (see {@link RoomEntity} for when each is written). */
public sealed interface RoomEvent extends CborSerializable {

    /**
     * The first occupant created the room and became its owner (XEP-0045 section 10.1); the room
     * is locked until configured. {@code secret} keys its XEP-0421 occupant ids.
     */
    record Created(String owner, String secret, RoomConfig config) implements RoomEvent {
    }

    /** An owner submitted the configuration form; the room is unlocked. */
    record Configured(RoomConfig config) implements RoomEvent {
    }

    /** A bare JID's affiliation changed ({@code affiliation} "none" removes it). */
    record AffiliationChanged(String jid, String affiliation) implements RoomEvent {
    }

    /** The subject changed (section 8.1), by the occupant {@code nick}. */
    record SubjectChanged(String subject, String nick) implements RoomEvent {
    }

    /** The room was destroyed by an owner (section 10.9) or emptied while temporary. */
    record Destroyed() implements RoomEvent {
    }
}
