package org.kaiku.engine.user;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.kaiku.engine.features.last.LastActivityModule;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * XEP-0012 Last Activity for the account, answered by the server on the user's behalf (section
 * 3, and RFC 6120 section 10.5.3.1 for an iq to a bare JID).
 *
 * <ul>
 *   <li>Who may ask (section 3 and section 8): the account itself and the contacts with a
 *       subscription to its presence (from or both); anyone else gets forbidden. A blocked JID
 *       never gets here (XEP-0191, stopped before delivery). The same rule holds for a query to
 *       a full JID (section 4): an unauthorized one is refused here, never delivered.</li>
 *   <li>The answer: {@code seconds='0'} and no text while a resource is connected (bound) or
 *       available; otherwise the seconds since the last resource logged out and the status text
 *       of its last unavailable presence, if it sent one; item-not-found when no logout was
 *       ever recorded (an account from before this feature, or one that never logged in).</li>
 * </ul>
 *
 * <p>What is written, and when: nothing per message or presence. The status text of an
 * unavailable presence is kept in memory per resource (at most {@value #MAX_STATUS} characters)
 * until that resource logs out; the logout of the last resource adds one {@link
 * UserEvent.LoggedOut} to the write that journals its {@link UserEvent.ResourceUnbound}: one
 * more event in a write that happens anyway, at most one per logout. A status sent just before
 * the entity moved to another node is lost (the answer then has no text).
 */
final class LastActivity {
    /** The longest status text kept; longer ones are cut (the journal is no place for essays). */
    static final int MAX_STATUS = 1024;

    private final Account account;
    private final Clock clock;
    private final Map<String, String> statuses = new HashMap<>();

    LastActivity(Account account, Clock clock) {
        this.account = account;
        this.clock = clock;
    }

    /** A resource broadcast unavailable presence (RFC 6121 section 4.5.1). */
    void unavailableSent(String resource, XmlElement presence) {
        String status = presence.childText("status", presence.namespace());
        if (status == null || status.isEmpty()) {
            statuses.remove(resource);
        } else {
            statuses.put(resource, cut(status));
        }
    }

    /** A resource became available again: an earlier unavailable status is no longer its last word. */
    void availableSent(String resource) {
        statuses.remove(resource);
    }

    /** Call after the resource's {@link UserEvent.ResourceUnbound} was emitted. */
    void loggedOut(Outbox box, String resource) {
        String status = statuses.remove(resource);
        if (box.state().resources().isEmpty()) {
            box.emit(new UserEvent.LoggedOut(clock.millis(), status));
        }
    }

    /** Section 8: the account itself, or a contact that sees its presence. */
    static boolean mayAsk(Account account, UserState state, Jid from) {
        return from != null && (account.isSelf(from) || state.subscription(from.bare().toString()).contactSeesUser());
    }

    /** True for an iq get in this namespace. */
    static boolean isQuery(XmlElement iq) {
        return "get".equals(Stanzas.type(iq)) && iq.elements().size() == 1
                && iq.elements().get(0).is("query", LastActivityModule.NAMESPACE);
    }

    /** The answer to a query to the bare JID (section 3). */
    XmlElement answer(UserState state, XmlElement iq, Jid from) {
        if (!mayAsk(account, state, from)) {
            return Stanzas.errorReply(iq, StanzaError.of(StanzaError.Condition.FORBIDDEN));
        }
        if (!state.resources().isEmpty()) {
            return Stanzas.iqResult(iq, query(0, null));
        }
        UserState.Profile p = state.profile();
        if (p.lastLogout() <= 0) {
            return Stanzas.errorReply(iq, StanzaError.of(StanzaError.Condition.ITEM_NOT_FOUND));
        }
        long seconds = Math.max(0, (clock.millis() - p.lastLogout()) / 1000);
        return Stanzas.iqResult(iq, query(seconds, p.lastStatus()));
    }

    static XmlElement query(long seconds, String status) {
        return XmlElement.builder("query", LastActivityModule.NAMESPACE)
                .attr("seconds", Long.toString(seconds))
                .text(status == null || status.isEmpty() ? null : status)
                .build();
    }

    private static String cut(String status) {
        if (status.length() <= MAX_STATUS) {
            return status;
        }
        int end = Character.isHighSurrogate(status.charAt(MAX_STATUS - 1)) ? MAX_STATUS - 1 : MAX_STATUS;
        return status.substring(0, end);
    }
}
