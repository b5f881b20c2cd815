package org.kaiku.engine.muc;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kaiku.protocol.ext.muc.Muc;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.xml.XmlElement;

/**
 * A room's in-memory part: who is in it (nick, real full JID, role, last presence) and the
 * recent groupchat messages for history on join. Mutable, owned by one {@link RoomEntity}
 * incarnation; never journaled (see there why).
 */
final class Occupants {

    /** One occupant: {@code presence} is the last presence it sent, as the room will rebroadcast it. */
    static final class Occupant {
        final Jid jid;
        String nick;
        Muc.Role role;
        XmlElement presence;

        Occupant(Jid jid, String nick, Muc.Role role, XmlElement presence) {
            this.jid = jid;
            this.nick = nick;
            this.role = role;
            this.presence = presence;
        }
    }

    /** A groupchat message as broadcast (without 'to'), when and how long. */
    record Past(XmlElement message, Instant at, int chars) {
    }

    private final Map<String, Occupant> byNick = new LinkedHashMap<>();
    private final Map<Jid, Occupant> byJid = new LinkedHashMap<>();
    private final Deque<Past> history = new ArrayDeque<>();
    private final int maxHistory;

    Occupants(int maxHistory) {
        this.maxHistory = maxHistory;
    }

    Occupant byNick(String nick) {
        return byNick.get(nick);
    }

    Occupant byJid(Jid fullJid) {
        return byJid.get(fullJid);
    }

    List<Occupant> withBareJid(String bare) {
        List<Occupant> out = new ArrayList<>();
        for (Occupant o : byJid.values()) {
            if (o.jid.bare().toString().equals(bare)) {
                out.add(o);
            }
        }
        return out;
    }

    Collection<Occupant> all() {
        return List.copyOf(byNick.values());
    }

    int size() {
        return byNick.size();
    }

    boolean isEmpty() {
        return byNick.isEmpty();
    }

    void add(Occupant o) {
        byNick.put(o.nick, o);
        byJid.put(o.jid, o);
    }

    void remove(Occupant o) {
        byNick.remove(o.nick, o);
        byJid.remove(o.jid, o);
    }

    void rename(Occupant o, String nick) {
        byNick.remove(o.nick, o);
        o.nick = nick;
        byNick.put(nick, o);
    }

    void clear() {
        byNick.clear();
        byJid.clear();
        history.clear();
    }

    void remember(XmlElement message, Instant at) {
        if (maxHistory == 0) {
            return;
        }
        history.addLast(new Past(message, at, message.toXml().length()));
        while (history.size() > maxHistory) {
            history.removeFirst();
        }
    }

    /**
     * The history a joining client asked for (XEP-0045 section 7.2.15): the newest messages
     * within {@code maxStanzas}, {@code maxChars} (serialized characters) and since {@code since},
     * oldest first. Negative limits mean none given.
     */
    List<Past> history(int maxStanzas, long maxChars, Instant since) {
        List<Past> picked = new ArrayList<>();
        long chars = 0;
        var it = history.descendingIterator();
        while (it.hasNext()) {
            Past p = it.next();
            if (maxStanzas >= 0 && picked.size() >= maxStanzas) {
                break;
            }
            if (since != null && p.at().isBefore(since)) {
                break;
            }
            if (maxChars >= 0 && chars + p.chars() > maxChars) {
                break;
            }
            chars += p.chars();
            picked.add(0, p);
        }
        return picked;
    }
}
