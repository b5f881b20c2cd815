package org.kaiku.engine.c2s;

import java.time.Duration;
import java.util.OptionalLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.kaiku.engine.config.StreamManagementSettings;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.engine.session.SessionMessage.SmEntry;
import org.kaiku.engine.user.UserEntity;
import org.kaiku.protocol.ext.sm.StreamManagement;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stream.StreamError;
import org.kaiku.protocol.stream.StreamError.Condition;
import org.kaiku.protocol.xml.XmlElement;

/**
 * Stream Management (XEP-0198, urn:xmpp:sm:3) for one client connection: enabling (section 3),
 * acks in both directions (section 4), resumption (section 5) and the error cases of section 6.
 *
 * <p>Inbound, the session answers {@code <r/>} at once with its 'h'. For a message its
 * recipient's account stores (XEP-0313 archivable, to an account of this domain), 'h' passes it
 * only once the recipient's entity reported the write that survives a crash of this server: the
 * offline append when no resource took it, else the archive append (user package,
 * DurableReceipts). The message itself is routed at once; only the sender's ack waits, by one
 * Cassandra quorum write (milliseconds). Everything else (presence, iqs, chat states, other
 * domains) is handled when routed. Counting: {@link InboundLedger}; when acks go out, the
 * pending bound and why a client cannot starve: {@link InboundAcks}. A write that fails or is
 * not reported within {@code durable-timeout} is answered with resource-constraint (wait) and
 * then counted: the client may send it again, a duplicate it can tell by origin-id (XEP-0359).
 * A stream handed over to a resumption carries only the gap-free count, so the client re-sends
 * what was still pending (possible duplicates, never a loss).
 *
 * <p>Outbound, the session counts what it sends, keeps each stanza until acknowledged ({@link SmCounters}) and asks for an
 * ack once {@code ack-request-every} stanzas are waiting or the oldest waited {@code
 * ack-request-delay}, with at most one request outstanding. Each {@code <a/>} that acknowledges
 * something the account entity sent becomes one {@link UserEntity.SmAck} to the entity, which
 * keeps its own copy of those stanzas ({@code UnackedQueues}) for the case where the stream is
 * not resumed; so the cost on the message path is one list append here and one in the entity,
 * and one extra message per ack, never a disk write.
 *
 * <p>Resumption: a new connection authenticated as the same account sends {@code <resume/>}.
 * The account entity names the session holding that SM-ID; that session hands over its counters
 * and unacknowledged stanzas and closes its own connection, if it still has one, with conflict;
 * the entity moves the resource to the new session (one journal event) and sends it whatever it
 * had sent the old session after the hand-over; the new session answers {@code <resumed/>} and
 * retransmits everything the client's 'h' did not cover, in order. A session whose connection
 * dropped waits for this up to the granted resumption time, then ends, and the entity re-handles
 * what its client never acknowledged. Only the authenticated account's own entity is asked, so an
 * SM-ID of another account is as unknown as a made-up one (item-not-found). Stanzas this session
 * produced itself (iq results of server modules) are retransmitted on resumption but, like all
 * iq results, not re-handled when the stream is not resumed.
 */
final class C2sStreamManagement {
    private final C2sContext shared;
    private final C2sSession session;
    private final TimerScheduler<SessionMessage> timers;
    private final StreamManagementSettings settings;

    private SmCounters counters;
    private String smId;
    private Duration resumeFor;
    private boolean enabling;
    private String pendingId;
    private long pendingMax;
    private boolean requestOutstanding;
    private long reportedSeq;
    private boolean handedOver;
    private final InboundAcks inboundAcks;
    // a resumption under way on this (new) connection
    private Resuming resuming;

    private static final class Resuming {
        final String previd;
        final long h;
        final Jid user;
        String resource;
        ActorRef<SessionMessage> old;
        SessionMessage.SmState state;

        Resuming(String previd, long h, Jid user) {
            this.previd = previd;
            this.h = h;
            this.user = user;
        }
    }

    /** The old session's answer to {@link SessionMessage.SmHandOver}. */
    record HandedOver(SessionMessage.SmState state) implements SessionMessage {
    }

    C2sStreamManagement(C2sContext shared, C2sSession session, TimerScheduler<SessionMessage> timers) {
        this.shared = shared;
        this.session = session;
        this.timers = timers;
        this.settings = shared.settings().streamManagement();
        this.inboundAcks = new InboundAcks(new SessionAckLink(session, timers), settings);
    }

    boolean enabled() {
        return counters != null;
    }

    /** The stream can be resumed: a dropped connection leaves the session waiting. */
    boolean resumable() {
        return counters != null && smId != null && !handedOver;
    }

    boolean handedOver() {
        return handedOver;
    }

    Duration resumeTimeout() {
        return resumeFor;
    }

    // ------------------------------------------------------------ after bind

    /** A stream management element on a bound stream. */
    void onElement(XmlElement e) {
        switch (e.name()) {
            case "enable" -> onEnable(e);
            case "r" -> {
                if (notEnabled()) {
                    return;
                }
                inboundAcks.answer(counters);
            }
            case "a" -> onAnswer(e);
            // section 5: a stream is resumed instead of binding, never on a bound one
            case "resume" -> session.writeElement(StreamManagement.failed(StanzaError.Condition.UNEXPECTED_REQUEST, -1));
            default -> session.streamError(Condition.UNSUPPORTED_STANZA_TYPE, "unknown stream management element " + e.name());
        }
    }

    private boolean notEnabled() {
        if (counters == null) {
            session.streamError(Condition.UNSUPPORTED_STANZA_TYPE, "stream management is not enabled");
            return true;
        }
        return false;
    }

    private void onEnable(XmlElement e) {
        if (counters != null || enabling) {
            // section 3: one enable per stream
            session.writeElement(StreamManagement.failed(StanzaError.Condition.UNEXPECTED_REQUEST, -1));
            return;
        }
        enabling = true;
        boolean resume = StreamManagement.isTrue(e.attr("resume"));
        OptionalLong max = StreamManagement.parseH(e.attr("max"));
        pendingMax = max.orElse(0);
        pendingId = resume ? newId() : null;
        Jid full = session.established().jid();
        session.waitForAnswer();
        shared.router().user(full).tell(new UserEntity.SmEnable(full.resource(), session.context().getSelf(), pendingId));
    }

    /** The entity tracks this session from here on: counting starts now (section 4, note). */
    void onTracking(SessionMessage.SmTracking m) {
        enabling = false;
        if (!m.tracked()) {
            session.writeElement(StreamManagement.failed(StanzaError.Condition.UNEXPECTED_REQUEST, -1));
            return;
        }
        counters = new SmCounters();
        inboundAcks.start(counters);
        smId = pendingId;
        resumeFor = settings.grant(pendingMax);
        session.writeElement(StreamManagement.enabled(smId, resumeFor.toSeconds(), settings.location()));
        timers.startTimerWithFixedDelay(C2sSession.Tick.ENTITY_KEEPALIVE, settings.entityKeepalive());
    }

    /**
     * Touches the account entity so that Cluster Sharding never passivates it as idle while it
     * holds this session's queue (a passivated entity would come back without it): the latest
     * ack again, also while the connection is down and the session waits for a resumption.
     */
    void keepEntity() {
        if (counters != null && !handedOver && session.established() != null) {
            shared.router().user(session.established().jid())
                    .tell(new UserEntity.SmAck(session.context().getSelf(), reportedSeq));
        }
    }

    private void onAnswer(XmlElement e) {
        if (notEnabled()) {
            return;
        }
        OptionalLong h = StreamManagement.parseH(e.attr("h"));
        if (h.isEmpty()) {
            session.streamError(Condition.BAD_FORMAT, "<a/> needs an 'h' that is an unsignedInt");
            return;
        }
        requestOutstanding = false;
        if (applyAck(h.getAsLong())) {
            maybeRequest();
        }
    }

    /** Applies the client's 'h'; false after the handled-count-too-high stream error. */
    private boolean applyAck(long h) {
        SmCounters.Ack ack = counters.ack(h);
        if (ack.tooHigh()) {
            session.streamError(new StreamError(Condition.UNDEFINED_CONDITION,
                    "You acknowledged " + h + " stanzas, but I only sent you " + counters.sent() + " so far.",
                    StreamManagement.handledCountTooHigh(h, counters.sent())));
            return false;
        }
        if (ack.entitySeq() > reportedSeq) {
            reportedSeq = ack.entitySeq();
            Jid full = session.established().jid();
            shared.router().user(full).tell(new UserEntity.SmAck(session.context().getSelf(), reportedSeq));
        }
        return true;
    }

    /** A stanza from the client was handled. */
    void handledInbound() {
        if (counters != null && !handedOver) {
            inboundAcks.handledNow(counters);
        }
    }

    /**
     * Whether a message the client sends now can be routed with a receipt: stream management is
     * on and this session still owns the stream (not handed over to a resumption).
     */
    boolean countsDurably() {
        return counters != null && !handedOver;
    }

    /**
     * A message that is to be stored: numbered now, counted in 'h' only when the recipient's
     * entity reports (see {@link InboundAcks}). Returns the number to put in the receipt.
     */
    long awaitDurable(XmlElement stanza) {
        return inboundAcks.awaitDurable(counters, stanza);
    }

    /** The recipient's entity answered a receipt. Returns true when reading may resume. */
    boolean onDurable(SessionMessage.Durable d) {
        if (counters == null || handedOver) {
            return false;
        }
        boolean resume = inboundAcks.onDurable(counters, d);
        maybeRequest();
        return resume;
    }

    /** The durable check timer. Returns true when reading may resume. */
    boolean onDurableTimer() {
        if (counters == null || handedOver) {
            return false;
        }
        boolean resume = inboundAcks.onTimer(counters);
        maybeRequest();
        return resume;
    }

    /** A stanza was sent to the client (or, on a dropped connection, would have been). */
    void sent(XmlElement stanza, long entitySeq) {
        if (counters == null || handedOver) {
            return;
        }
        counters.sent(stanza, entitySeq);
        if (counters.unackedCount() > settings.maxUnacked()) {
            session.streamError(Condition.POLICY_VIOLATION, "too many unacknowledged stanzas");
            return;
        }
        maybeRequest();
    }

    private void maybeRequest() {
        if (counters == null || requestOutstanding || counters.unackedCount() == 0 || session.detached()
                || !inboundAcks.quiet(counters)) {
            return;
        }
        if (counters.unackedCount() >= settings.ackRequestEvery()) {
            request();
        } else if (!timers.isTimerActive(C2sSession.Tick.ACK_REQUEST)) {
            timers.startSingleTimer(C2sSession.Tick.ACK_REQUEST, settings.ackRequestDelay());
        }
    }

    /** The ack-request delay passed. */
    void onAckTimer() {
        if (counters != null && !requestOutstanding && counters.unackedCount() > 0 && !session.detached()
                && inboundAcks.quiet(counters)) {
            request();
        }
    }

    private void request() {
        requestOutstanding = true;
        timers.cancel(C2sSession.Tick.ACK_REQUEST);
        session.writeElement(StreamManagement.request());
    }

    // ------------------------------------------------------------ the old session's side of a resumption

    /**
     * Another connection resumes this stream: hand over the state, and from here on count and
     * unbind nothing. Refused when the stream is not resumable (or was handed over already).
     */
    private SessionMessage.SmState handOver() {
        if (!resumable() || session.established() == null || session.closing()) {
            return SessionMessage.SmState.refused();
        }
        handedOver = true;
        timers.cancel(C2sSession.Tick.ACK_REQUEST);
        timers.cancel(C2sSession.Tick.ENTITY_KEEPALIVE);
        timers.startSingleTimer(C2sSession.Tick.RETIRE_TIMEOUT, C2sSession.askTimeout().multipliedBy(2));
        return counters.toState(session.established().jid().toString(), smId, resumeFor.toSeconds());
    }

    /** A new connection resumes this stream: hand it over and close our connection, if any, with conflict. */
    void onHandOver(SessionMessage.SmHandOver m) {
        SessionMessage.SmState state = handOver();
        m.replyTo().tell(state);
        if (state.resumable() && !session.detached()) {
            session.streamError(Condition.CONFLICT, "this stream was resumed on another connection");
        }
    }

    /** The entity never took the resource over: this session is the account's again, to unbind. */
    void handOverLapsed() {
        handedOver = false;
    }

    // ------------------------------------------------------------ before bind: resumption on a new connection

    /** A stream management element after authentication, before binding (section 5). */
    void beforeBind(XmlElement e, Jid user) {
        switch (e.name()) {
            case "resume" -> onResume(e, user);
            // section 3: enable only after binding
            case "enable" -> session.writeElement(StreamManagement.failed(StanzaError.Condition.UNEXPECTED_REQUEST, -1));
            default -> session.streamError(Condition.UNSUPPORTED_STANZA_TYPE, "stream management is not enabled");
        }
    }

    private void onResume(XmlElement e, Jid user) {
        if (resuming != null) {
            session.writeElement(StreamManagement.failed(StanzaError.Condition.UNEXPECTED_REQUEST, -1));
            return;
        }
        String previd = e.attr("previd");
        OptionalLong h = StreamManagement.parseH(e.attr("h"));
        if (previd == null || previd.isEmpty() || h.isEmpty()) {
            session.writeElement(StreamManagement.failed(StanzaError.Condition.BAD_REQUEST, -1));
            return;
        }
        resuming = new Resuming(previd, h.getAsLong(), user);
        session.waitForAnswer();
        shared.router().user(user).tell(new UserEntity.SmResume(previd, session.context().getSelf()));
    }

    void onResumeTarget(SessionMessage.SmResumeTarget t) {
        if (resuming == null) {
            return;
        }
        if (t.session() == null) {
            failResume();
            return;
        }
        resuming.resource = t.resource();
        resuming.old = t.session();
        session.waitForAnswer();
        session.context().ask(SessionMessage.SmState.class, t.session(), C2sSession.askTimeout(), SessionMessage.SmHandOver::new,
                (state, err) -> new HandedOver(err != null || state == null ? SessionMessage.SmState.refused() : state));
    }

    void onHandedOver(HandedOver m) {
        if (resuming == null) {
            return;
        }
        if (!m.state().resumable()) {
            failResume();
            return;
        }
        resuming.state = m.state();
        SmCounters carried = new SmCounters(m.state());
        SmCounters.Ack ack = carried.ack(resuming.h);
        if (ack.tooHigh()) {
            session.streamError(new StreamError(Condition.UNDEFINED_CONDITION,
                    "You acknowledged " + resuming.h + " stanzas, but I only sent you " + carried.sent() + " so far.",
                    StreamManagement.handledCountTooHigh(resuming.h, carried.sent())));
            return;
        }
        counters = carried;
        inboundAcks.start(counters);
        reportedSeq = ack.entitySeq();
        session.waitForAnswer();
        shared.router().user(resuming.user).tell(new UserEntity.SmSwap(resuming.resource, resuming.old,
                session.context().getSelf(), reportedSeq, carried.lastEntitySeq()));
    }

    /** The entity moved the resource here: the stream is resumed. */
    void onSwapped(SessionMessage.SmSwapped m) {
        Resuming r = resuming;
        resuming = null;
        if (r == null) {
            return;
        }
        if (!m.ok()) {
            counters = null;
            session.writeElement(StreamManagement.failed(StanzaError.Condition.ITEM_NOT_FOUND, -1));
            return;
        }
        smId = r.state.smId();
        resumeFor = settings.grant(r.state.resumeSeconds());
        session.established(new EstablishedStanzas(shared, session, Jid.parse(r.state.fullJid())));
        timers.startTimerWithFixedDelay(C2sSession.Tick.ENTITY_KEEPALIVE, settings.entityKeepalive());
        session.writeElement(StreamManagement.resumed(smId, counters.handled()));
        // section 5: everything the client's 'h' did not cover, in the order first sent
        for (SmEntry e : counters.unacked()) {
            session.writeElement(e.stanza());
        }
        for (SmEntry e : m.resend()) {
            session.writeStanza(e.stanza(), e.seq());
        }
        maybeRequest();
    }

    private void failResume() {
        resuming = null;
        session.writeElement(StreamManagement.failed(StanzaError.Condition.ITEM_NOT_FOUND, -1));
    }

    private String newId() {
        byte[] b = new byte[18];
        session.random().nextBytes(b);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
