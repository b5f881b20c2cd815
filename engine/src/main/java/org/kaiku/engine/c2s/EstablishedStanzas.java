package org.kaiku.engine.c2s;

import java.util.Optional;
import org.kaiku.engine.features.mam.MessageArchiver;
import org.kaiku.engine.module.IqHandler;
import org.kaiku.engine.user.UserEntity;
import org.kaiku.protocol.ext.blocking.Blocking;
import org.kaiku.protocol.ext.carbons.Carbons;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.stream.StreamError.Condition;
import org.kaiku.protocol.xml.XmlElement;

/**
 * Stanzas of a bound session (RFC 6120 sections 8 and 10): the server stamps {@code from}
 * with the session's full JID and refuses a forged one, answers for the account where RFC 6120
 * section 10.3 says so, refuses stanzas to JIDs the user blocked (XEP-0191, from the entity's
 * copy of the list), and routes the rest. Presence, roster, carbons and blocking requests go
 * through the user's own entity (it owns subscriptions, presence and per-resource state); messages and other
 * iqs go straight to the router, so online delivery never waits on the sender's entity or on a
 * disk write. A message eligible for carbons (XEP-0280) is also handed to the entity after it
 * was routed, for the copies to the account's other resources.
 *
 * <p>While storage is down ({@link org.kaiku.engine.storage.StorageHealth}), an iq set to the
 * account that a module handles (private XML, vCard, archive preferences: each a store write) is
 * refused at once with {@code <wait/><resource-constraint/>} (RFC 6120 section 8.3.3.18), and a
 * module's failed answer becomes that same error rather than internal-server-error; reads are
 * tried. Messages are routed as ever.
 */
final class EstablishedStanzas {
    private final C2sContext shared;
    private final C2sSession session;
    private final Jid full;
    private final Jid bare;
    private boolean unbound;
    private boolean released;

    EstablishedStanzas(C2sContext shared, C2sSession session, Jid full) {
        this.shared = shared;
        this.session = session;
        this.full = full;
        this.bare = full.bare();
        shared.sessions().bound(bare);
    }

    Jid jid() {
        return full;
    }

    /** This session no longer holds the resource (ended, or handed over to a resumption): once. */
    void release() {
        if (!released) {
            released = true;
            shared.sessions().unbound(bare);
        }
    }

    void unbind() {
        if (!unbound) {
            unbound = true;
            shared.router().user(bare).tell(new UserEntity.Unbind(full.resource(), session.context().getSelf()));
        }
    }

    /**
     * Handles one stanza of the client. Returns true when it was routed with a receipt (XEP-0198:
     * numbered in the session's ledger, counted once stored), false when the caller counts it
     * handled now.
     */
    boolean onStanza(XmlElement e) {
        String name = e.name();
        if (!Namespaces.CLIENT.equals(e.namespace())
                || !(name.equals("message") || name.equals("presence") || name.equals("iq"))) {
            session.streamError(Condition.UNSUPPORTED_STANZA_TYPE, "not a stanza: " + name);
            return false;
        }
        String from = e.attr("from");
        if (from != null) {
            Optional<Jid> f = Jid.tryParse(from);
            if (f.isEmpty() || !(f.get().equals(full) || f.get().equals(bare))) {
                session.streamError(Condition.INVALID_FROM, "from must be " + full);
                return false;
            }
        }
        XmlElement stanza = e.withAttr("from", full.toString());
        Jid to = null;
        String toAttr = stanza.attr("to");
        if (toAttr != null) {
            Optional<Jid> t = Jid.tryParse(toAttr);
            if (t.isEmpty()) {
                bounce(stanza, StanzaError.Condition.JID_MALFORMED);
                return false;
            }
            to = t.get();
            stanza = stanza.withAttr("to", to.toString());
        }
        if (to != null && !to.bare().equals(bare) && Blocking.blocks(session.blocked(), to.toString())) {
            // XEP-0191 section 3.3: nothing goes to a JID the user blocked.
            if (!"error".equals(stanza.attr("type"))) {
                session.writeStanza(Blocking.blockedError(stanza), 0);
            }
            return false;
        }
        switch (name) {
            case "presence" -> onPresence(stanza);
            case "iq" -> onIq(stanza, to);
            default -> {
                return onMessage(stanza, to);
            }
        }
        return false;
    }

    private void onPresence(XmlElement presence) {
        shared.router().user(bare).tell(new UserEntity.FromClient(full.resource(), presence));
        if (shared.caps() != null) {
            shared.caps().observe(full, presence);
        }
    }

    private boolean onMessage(XmlElement message, Jid to) {
        if (to == null) {
            // RFC 6120 section 10.3.1: no 'to' means the sender's own bare JID.
            message = message.withAttr("to", bare.toString());
            to = bare;
        }
        boolean receipt = false;
        if (session.sm().countsDurably() && MessageArchiver.archivable(message) && shared.router().isLocalAccount(to)) {
            // A message the recipient's entity may store: the client's 'h' waits for that write.
            long n = session.sm().awaitDurable(message);
            shared.router().route(message, to, new UserEntity.Receipt(session.context().getSelf(), n));
            receipt = true;
        } else {
            shared.router().route(message, to);
        }
        // The sender's entity archives it (XEP-0313) and copies it to the account's other
        // carbons-enabled resources (XEP-0280 section 8), off the delivery path: the original is
        // already on its way.
        if (MessageArchiver.archivable(message) || (!to.bare().equals(bare) && Carbons.eligible(message, false))) {
            shared.router().user(bare).tell(new UserEntity.Sent(message));
        }
        return receipt;
    }

    private void onIq(XmlElement iq, Jid to) {
        String type = iq.attr("type");
        String id = iq.attr("id");
        boolean request = "get".equals(type) || "set".equals(type);
        if (id == null || !(request || "result".equals(type) || "error".equals(type))) {
            session.streamError(Condition.BAD_FORMAT, "an iq needs an id and a type (RFC 6120 section 8.2.3)");
            return;
        }
        if (request && iq.elements().size() != 1) {
            bounce(iq, StanzaError.Condition.BAD_REQUEST);
            return;
        }
        boolean toAccount = to == null || to.equals(bare);
        if (request && (toAccount || (to.isDomain() && to.domain().equals(shared.settings().domain())))
                && "set".equals(type) && iq.elements().get(0).is("session", Namespaces.SESSION)) {
            // RFC 3921 section 3 puts session establishment after binding, and libpurple (Pidgin,
            // Finch) still sends it there: a no-op result, as before binding (C2sNegotiation)
            session.writeStanza(Stanzas.iqResult(iq, null), 0);
            return;
        }
        if (toAccount) {
            if (!request) {
                return;
            }
            XmlElement payload = iq.elements().get(0);
            if (Namespaces.ROSTER.equals(payload.namespace()) || Carbons.NAMESPACE.equals(payload.namespace())
                    || Blocking.NAMESPACE.equals(payload.namespace())) {
                shared.router().user(bare).tell(new UserEntity.FromClient(full.resource(), iq));
                return;
            }
            if ("set".equals(type) && shared.health().isDown()) {
                bounce(iq, StanzaError.Condition.RESOURCE_CONSTRAINT);
                return;
            }
            handleLocally(iq, payload, to == null ? bare : to, IqHandler.Scope.ACCOUNT);
            return;
        }
        if (to.isDomain() && to.domain().equals(shared.settings().domain())) {
            if (request) {
                handleLocally(iq, iq.elements().get(0), to, IqHandler.Scope.SERVER);
            } else if (shared.caps() != null) {
                // an answer to the server's own question (XEP-0115 caps query); others are dropped
                shared.caps().onResponse(iq.withAttr("from", full.toString()));
            }
            return;
        }
        shared.router().route(iq, to);
    }

    private void handleLocally(XmlElement iq, XmlElement payload, Jid to, IqHandler.Scope scope) {
        IqHandler h = shared.modules().handler(scope, payload.namespace(), iq.attr("type"));
        if (h == null) {
            bounce(iq, StanzaError.Condition.SERVICE_UNAVAILABLE);
            return;
        }
        XmlElement addressed = iq.withAttr("to", to.toString());
        var self = session.context().getSelf();
        session.context().pipeToSelf(h.handle(new IqHandler.Request(addressed, payload, full, to, scope,
                        pushed -> self.tell(new C2sSession.Reply(pushed)))),
                (answer, err) -> new C2sSession.Reply(err != null || answer == null
                        ? Stanzas.errorReply(addressed, StanzaError.of(failed(payload, err)))
                        : answer));
    }

    /** A failed handler: resource-constraint (wait) when storage is down, else internal-server-error. */
    private StanzaError.Condition failed(XmlElement payload, Throwable err) {
        if (err != null) {
            shared.health().writeFailed("iq " + payload.namespace(), err);
        }
        return shared.health().isDown() ? StanzaError.Condition.RESOURCE_CONSTRAINT : StanzaError.Condition.INTERNAL_SERVER_ERROR;
    }

    private void bounce(XmlElement stanza, StanzaError.Condition condition) {
        if ("error".equals(stanza.attr("type"))) {
            return;
        }
        XmlElement reply = Stanzas.errorReply(stanza, StanzaError.of(condition));
        session.writeStanza(reply.withAttr("to", full.toString()), 0);
    }
}
