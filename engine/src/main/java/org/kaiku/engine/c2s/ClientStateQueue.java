package org.kaiku.engine.c2s;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.kaiku.protocol.ext.carbons.Carbons;
import org.kaiku.protocol.ext.forward.Forwarded;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * What a session holds back while its client says it is inactive (XEP-0352). The XEP leaves the
 * optimisation to the server; this one is:
 * <ul>
 *   <li>a presence update (available or unavailable) is held, and a newer one from the same
 *       full JID replaces it: the client wakes up to each contact's current presence, not its
 *       history;</li>
 *   <li>a message that carries only chat-state notifications (XEP-0085), directly or as a carbon
 *       copy, is held, and a newer one from the same sender (to the same recipient, for carbons)
 *       replaces it;</li>
 *   <li>anything else (a message with a body, any other message, an iq, a subscription request,
 *       an error) is written at once, after everything held, in the order held: so a message with
 *       a body flushes the queue, and nothing the client must answer waits.</li>
 * </ul>
 * Replacing keeps the newest item in the position of its arrival, so what is flushed is in the
 * order the newest items came. At most {@link #MAX_HELD} items are held (one per sender and kind);
 * one more flushes everything, so memory per session is bounded by the stanza size limit times
 * that number.
 *
 * <p>Stream management: held stanzas are not yet sent, so they are not counted or acknowledged.
 * When the connection drops with a resumable stream the session flushes the queue into its
 * XEP-0198 counters (as if sent), so that a resumed stream re-sends them and an unresumed one hands
 * them back to the account; a replaced item is simply dropped, as its newer copy supersedes it.
 * Section 5 of the XEP: a new or resumed stream starts active. Not thread-safe: the session owns it.
 */
final class ClientStateQueue {
    /** The most items held at once; the next one flushes them all. */
    static final int MAX_HELD = 500;
    static final String CHAT_STATES = "http://jabber.org/protocol/chatstates";

    /** A stanza held, with the account entity's sequence number it came with (0: none). */
    record Held(XmlElement stanza, long seq) {
    }

    private final LinkedHashMap<String, Held> held = new LinkedHashMap<>();
    private boolean inactive;

    boolean inactive() {
        return inactive;
    }

    int size() {
        return held.size();
    }

    /** The client said {@code <inactive/>}. */
    void goInactive() {
        inactive = true;
    }

    /** The client said {@code <active/>}: everything held, in order, to write before anything else. */
    List<Held> goActive() {
        inactive = false;
        return drain();
    }

    /** Everything held, in order; the queue is empty afterwards. */
    List<Held> drain() {
        List<Held> all = new ArrayList<>(held.values());
        held.clear();
        return all;
    }

    /**
     * A stanza for the client. Returns what to write now, in order: nothing when it is held,
     * otherwise whatever was held followed by this stanza.
     */
    List<Held> offer(XmlElement stanza, long seq) {
        Held item = new Held(stanza, seq);
        String key = inactive ? holdKey(stanza) : null;
        if (key == null) {
            List<Held> now = drain();
            now.add(item);
            return now;
        }
        if (held.remove(key) == null && held.size() >= MAX_HELD) {
            List<Held> now = drain();
            now.add(item);
            return now;
        }
        held.put(key, item);
        return List.of();
    }

    /** The key under which a stanza may be held (a newer one with the same key replaces it), or null. */
    static String holdKey(XmlElement stanza) {
        String from = Stanzas.from(stanza);
        if (from == null) {
            return null;
        }
        String type = stanza.attr("type");
        if (stanza.name().equals("presence")) {
            return type == null || type.equals("unavailable") ? "presence " + from : null;
        }
        if (!stanza.name().equals("message") || "error".equals(type)) {
            return null;
        }
        if (onlyChatStates(stanza)) {
            return "chatstate " + from;
        }
        // a carbon copy of a chat-state notification (XEP-0280 sections 7 and 8)
        List<XmlElement> children = stanza.elements();
        if (children.size() == 1 && Carbons.NAMESPACE.equals(children.get(0).namespace())) {
            XmlElement forwarded = children.get(0).child("forwarded", Forwarded.NAMESPACE);
            XmlElement inner = forwarded == null ? null : forwarded.child("message", "jabber:client");
            if (inner != null && onlyChatStates(inner)) {
                return "carbon " + children.get(0).name() + " " + Stanzas.from(inner) + " " + Stanzas.to(inner);
            }
        }
        return null;
    }

    /** A message whose payload is chat-state notifications alone (a thread id may come with them). */
    private static boolean onlyChatStates(XmlElement message) {
        boolean state = false;
        for (XmlElement child : message.elements()) {
            if (CHAT_STATES.equals(child.namespace())) {
                state = true;
            } else if (!child.is("thread", "jabber:client")) {
                return false;
            }
        }
        return state;
    }
}
