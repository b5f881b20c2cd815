package org.kaiku.engine.user;

import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.protocol.stream.StreamError;
import org.kaiku.protocol.xml.XmlElement;

/**
 * What the account entity does when its account is deleted (XEP-0077 section 3.2; the same for
 * XEP-0133 delete-user and {@code kaiku user delete}), in this order:
 * <ol>
 *   <li>every available resource goes unavailable the usual way (RFC 6121 section 4.5.2), so
 *       contacts and directed-presence targets see the user leave;</li>
 *   <li>every presence subscription is cancelled, as XEP-0077 asks: {@code unsubscribe} to the
 *       contacts the user was subscribed to (or had asked), {@code unsubscribed} to those subscribed
 *       to the user, and pending requests declined (RFC 6121 sections 3.2 and 3.3);</li>
 *   <li>{@code notice} (the iq result of an in-band removal) goes to the requesting resource, then
 *       every session is closed with the not-authorized stream error;</li>
 *   <li>the stanzas sessions never acknowledged (XEP-0198) are dropped, not re-handled: handled
 *       again they would land in the offline store of the account being deleted;</li>
 *   <li>{@link UserEvent.AccountErased} empties the state.</li>
 * </ol>
 * The events before the erasure stay in the journal (Pekko's typed persistence deletes events only
 * through snapshot retention); replay ends in the empty state all the same, and the snapshots
 * taken from now on hold nothing of the old account. The caller purges the stores the account
 * owns outside the journal once the erasure is journaled.
 */
final class AccountErasure {
    private AccountErasure() {
    }

    static void erase(Outbox box, Account account, PresenceHandler presence, UnackedQueues unacked,
                      String requester, XmlElement notice) {
        UserState state = box.state();
        for (Map.Entry<String, UserState.OnlineResource> r : state.resources().entrySet()) {
            if (r.getValue().available()) {
                presence.unavailable(box, r.getKey(), Account.presence(account.full(r.getKey()), null, "unavailable"), false);
            }
        }
        for (RosterItem item : state.roster().values()) {
            if (item.subscription().userSeesContact() || item.askSubscribe()) {
                box.route(Account.presence(account.bare(), item.jid(), "unsubscribe"));
            }
            if (item.subscription().contactSeesUser()) {
                box.route(Account.presence(account.bare(), item.jid(), "unsubscribed"));
            }
        }
        for (String requestedBy : state.pendingIn().keySet()) {
            box.route(Account.presence(account.bare(), requestedBy, "unsubscribed"));
        }
        UserState.OnlineResource asking = requester == null ? null : state.resources().get(requester);
        if (asking != null && notice != null) {
            box.toSession(asking.session(), notice);
        }
        for (UserState.OnlineResource r : state.resources().values()) {
            ActorRef<SessionMessage> session = r.session();
            box.kick(session, StreamError.Condition.NOT_AUTHORIZED, "this account was deleted");
            box.later(() -> unacked.remove(session));
        }
        box.emit(new UserEvent.AccountErased(System.currentTimeMillis()));
    }
}
