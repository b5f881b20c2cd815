package org.kaiku.protocol.ext.carbons;

import java.util.Objects;
import org.kaiku.protocol.ext.forward.Forwarded;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The carbons elements and rules, XEP-0280. {@link #eligible} is the rule set of section 6.1
 * that the server applies before copying; {@link #copy} builds the wrapping message of sections
 * 7 and 8; {@link #toggle} reads an enable/disable request (sections 4 and 5).
 *
 * <p>One rule of section 6.1 is not followed: an error message is never copied, because telling
 * whether it answers an eligible message would need a memory of every message sent. For that
 * reason the server does not announce {@value #RULES}, which promises every rule.
 */
public final class Carbons {
    public static final String NAMESPACE = "urn:xmpp:carbons:2";
    /** Announces that all rules of section 6.1 hold; not announced here (see the class doc). */
    public static final String RULES = "urn:xmpp:carbons:rules:0";
    /** XEP-0334: Message Processing Hints ({@code <no-copy/>}). */
    public static final String HINTS = "urn:xmpp:hints";

    static final String RECEIPTS = "urn:xmpp:receipts";
    static final String CHAT_STATES = "http://jabber.org/protocol/chatstates";
    static final String CHAT_MARKERS = "urn:xmpp:chat-markers:0";
    static final String MUC_USER = "http://jabber.org/protocol/muc#user";
    static final String DIRECT_INVITE = "jabber:x:conference";

    /** Which way the copied message went, as seen from the account. */
    public enum Direction {
        /** The account received it (section 7): copied to the resources it did not go to. */
        RECEIVED("received"),
        /** One of the account's resources sent it (section 8): copied to the others. */
        SENT("sent");

        private final String element;

        Direction(String element) {
            this.element = element;
        }

        public String element() {
            return element;
        }
    }

    private Carbons() {
    }

    /**
     * Section 6.1: whether this message is copied. Never when the sender asked for privacy
     * ({@code <private/>} or a {@code <no-copy/>} hint, section 9), never a groupchat message,
     * never a message that already is a carbon. Otherwise a chat message, a normal one with a
     * body, one carrying receipts, chat states or markers, and a direct or mediated MUC
     * invitation are copied; a private message from a MUC occupant to the account
     * ({@code inbound} with a muc#user child and no invitation) is not, since the room already
     * sends it to every joined client.
     *
     * @param inbound true when the account receives the message, false when one of its
     *                resources sends it
     */
    public static boolean eligible(XmlElement message, boolean inbound) {
        if (message.child("private", NAMESPACE) != null || message.child("no-copy", HINTS) != null
                || message.child(Direction.RECEIVED.element, NAMESPACE) != null
                || message.child(Direction.SENT.element, NAMESPACE) != null) {
            return false;
        }
        String type = message.attr("type");
        if ("groupchat".equals(type) || "error".equals(type)) {
            return false;
        }
        XmlElement mucUser = message.child("x", MUC_USER);
        boolean invitation = message.child("x", DIRECT_INVITE) != null
                || (mucUser != null && mucUser.child("invite", MUC_USER) != null);
        if (invitation) {
            return true;
        }
        if (inbound && mucUser != null) {
            return false;
        }
        if ("chat".equals(type)) {
            return true;
        }
        boolean normal = type == null || "normal".equals(type);
        if (normal && message.child("body", Namespaces.CLIENT) != null) {
            return true;
        }
        return message.childIn(RECEIPTS) != null || message.childIn(CHAT_STATES) != null
                || message.childIn(CHAT_MARKERS) != null;
    }

    /**
     * The copy for one resource: same type as the original, from the account's bare JID, to the
     * resource's full JID, with the original inside {@code <received/>} or {@code <sent/>} and
     * {@code <forwarded/>} (sections 7 and 8).
     */
    public static XmlElement copy(Direction direction, String accountBareJid, String resourceFullJid, XmlElement original) {
        Objects.requireNonNull(original, "original");
        XmlElement.Builder wrapper = XmlElement.builder("message", Namespaces.CLIENT)
                .attr("from", accountBareJid).attr("to", resourceFullJid);
        String type = original.attr("type");
        if (type != null) {
            wrapper.attr("type", type);
        }
        return wrapper.child(XmlElement.builder(direction.element, NAMESPACE)
                        .child(new Forwarded(null, original).toElement())
                        .build())
                .build();
    }

    /** Whether this message is a carbon copy the server made for the account {@code accountBareJid}. */
    public static boolean isCopy(XmlElement message, String accountBareJid) {
        return accountBareJid.equals(message.attr("from"))
                && (message.child(Direction.RECEIVED.element, NAMESPACE) != null
                || message.child(Direction.SENT.element, NAMESPACE) != null);
    }

    /**
     * Reads the payload of an iq set to the account: TRUE for {@code <enable/>}, FALSE for
     * {@code <disable/>}, null for anything else.
     */
    public static Boolean toggle(XmlElement payload) {
        if (payload.is("enable", NAMESPACE)) {
            return Boolean.TRUE;
        }
        if (payload.is("disable", NAMESPACE)) {
            return Boolean.FALSE;
        }
        return null;
    }
}
