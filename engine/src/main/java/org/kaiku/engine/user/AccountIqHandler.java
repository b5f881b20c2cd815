package org.kaiku.engine.user;

import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.kaiku.engine.features.vcard.VCardModule;
import org.kaiku.engine.module.IqHandler;
import org.kaiku.engine.storage.AccountDataStore;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * IQ requests another entity sends to the account, which the server answers on the user's
 * behalf (RFC 6120 section 10.5.3.1, RFC 6121 section 8.5.2.1.3): another user's vCard
 * (XEP-0054 section 3.3, read from the {@link AccountDataStore} through {@link
 * VCardModule#readOthers}) and last activity (XEP-0012, {@link LastActivity}). Anything else
 * keeps the delivery rules of {@link StanzaDelivery}.
 *
 * <p>The vCard read is asynchronous: issued with pipeToSelf, its answer comes back as {@link
 * UserEntity.IqAnswered} and is routed then, so the entity keeps serving other commands
 * meanwhile. No write. Last activity is answered from the entity's state at once.
 */
final class AccountIqHandler {
    private final Account account;
    private final ActorContext<UserEntity.Command> context;
    private final AccountDataStore store;
    private final LastActivity last;

    /** @param store the vCards; null: vCard requests keep the default answer, service-unavailable */
    AccountIqHandler(Account account, ActorContext<UserEntity.Command> context, AccountDataStore store, LastActivity last) {
        this.account = account;
        this.context = context;
        this.store = store;
        this.last = last;
    }

    /** An iq get or set to the account's bare JID from someone else; true when it was answered here. */
    boolean toBareJid(Outbox box, XmlElement iq) {
        Jid from = Jid.tryParse(Stanzas.from(iq)).orElse(null);
        if (from == null || iq.elements().size() != 1) {
            return false;
        }
        if (LastActivity.isQuery(iq)) {
            box.route(last.answer(box.state(), iq, from));
            return true;
        }
        XmlElement payload = iq.elements().get(0);
        if (store != null && VCardModule.NAMESPACE.equals(payload.namespace())) {
            IqHandler.Request request = new IqHandler.Request(iq, payload, from, account.jid(), IqHandler.Scope.ACCOUNT);
            context.pipeToSelf(VCardModule.readOthers(store, request), (answer, err) -> new UserEntity.IqAnswered(
                    err == null && answer != null
                            ? answer
                            : Stanzas.errorReply(iq, StanzaError.of(StanzaError.Condition.INTERNAL_SERVER_ERROR))));
            return true;
        }
        return false;
    }

    /**
     * XEP-0012 section 4: a last-activity query to a full JID from someone who may not see the
     * user's presence is answered forbidden and not delivered; true when that happened.
     */
    boolean refusedForResource(Outbox box, XmlElement iq) {
        if (!LastActivity.isQuery(iq)
                || LastActivity.mayAsk(account, box.state(), Jid.tryParse(Stanzas.from(iq)).orElse(null))) {
            return false;
        }
        account.bounce(box, iq, StanzaError.Condition.FORBIDDEN);
        return true;
    }
}
