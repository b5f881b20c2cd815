package org.kaiku.engine.c2s;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.util.ByteString;
import org.kaiku.engine.c2s.TlsFraming.Incoming;
import org.kaiku.engine.c2s.TlsFraming.Outgoing;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.protocol.bosh.BoshBody;
import org.kaiku.protocol.ext.sm.StreamManagement;
import org.kaiku.protocol.websocket.WebSocketFraming;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlWriter;

/**
 * The connection manager of one BOSH session (XEP-0124 version 1.11.2 with XEP-0206 version 1.4),
 * in front of an ordinary {@link C2sSession}: the session runs with the WebSocket framing, so
 * each payload of a request reaches it as one element, and each element it writes is one
 * standalone document that goes into a response {@code <body/>} as it is. Its stream header
 * ({@code <open/>}) is not forwarded (the session creation response stands for it, section 7 of
 * XEP-0206), its {@code <close/>} ends the BOSH session ({@code type='terminate'}, with
 * {@code condition='remote-stream-error'} when a stream error came first, XEP-0206 section 8).
 *
 * <p>What it keeps per session: requests are handled in 'rid' order within a window of
 * {@value #REQUESTS} (XEP-0124 section 14.1; one arriving early waits for its predecessor, one
 * beyond the window or unknown gets item-not-found); it holds at most {@code hold} (0 or 1)
 * requests and answers the oldest as soon as there is output, or empty after 'wait' (at most
 * {@link #MAX_WAIT}); the last {@value #REQUESTS} responses are kept for a client that repeats a
 * request (section 14.3). Output waits in memory until a request takes it, bounded by
 * {@code kaiku.c2s.send-queue-size} elements like a TCP session's send queue (past it the
 * session ends: the client does not read). With no request held for {@link #INACTIVITY} the
 * session counts as disconnected (section 7's inactivity), which the c2s session handles like a
 * dropped connection (a stream with XEP-0198 resumption enabled waits to be resumed).
 *
 * <p>Backpressure: payloads are passed to the session one at a time, the next once it has
 * acknowledged the last, as on TCP. Not implemented: 'key' sequencing (section 15; the sid is
 * 128 random bits and TLS is the norm), pause, acknowledgements ('ack'), multiple streams.
 */
final class BoshSession extends AbstractBehavior<BoshSession.Command> {
    static final Duration MAX_WAIT = Duration.ofSeconds(60);
    static final Duration INACTIVITY = Duration.ofSeconds(60);
    static final int REQUESTS = 2;

    sealed interface Command {
    }

    /** A request for this session (the listener routes by 'sid'); answered with a whole response body. */
    record Request(BoshBody body, ActorRef<String> replyTo) implements Command {
    }

    private record FromSession(Outgoing out) implements Command {
    }

    private record SmAnswer(long h) implements Command {
    }

    private record SessionAcked() implements Command {
    }

    private record WaitOver(long rid) implements Command {
    }

    private record SessionGone() implements Command {
    }

    private enum Tick implements Command { FLUSH, INACTIVE }

    private record Held(long rid, ActorRef<String> replyTo) {
    }

    private final C2sContext shared;
    private final TimerScheduler<Command> timers;
    private final ActorRef<SessionMessage> session;
    private final ActorRef<C2sListener.Command> listener;
    private final ActorRef<C2sSession.Ack> ackRef;
    private final String sid;
    private final Duration wait;
    private final int hold;
    private long lastRid;
    private final TreeMap<Long, Request> early = new TreeMap<>();
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private final Map<Long, String> sent = new LinkedHashMap<>(4, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
            return size() > REQUESTS;
        }
    };
    private final ArrayDeque<Incoming> toSession = new ArrayDeque<>();
    private final List<String> output = new ArrayList<>();
    private boolean sessionReady;
    private boolean creationAnswered;
    private boolean flushScheduled;
    /** The session wrote its {@code <close/>} (or is gone): the next response terminates. */
    private boolean streamClosed;
    private boolean streamError;
    private String condition;
    private boolean inboundEnded;
    private boolean goneTold;

    private BoshSession(ActorContext<Command> ctx, TimerScheduler<Command> timers, C2sContext shared,
                        ActorRef<C2sListener.Command> listener, ActorRef<SessionMessage> session, String sid, BoshBody creation,
                        ActorRef<String> replyTo) {
        super(ctx);
        this.shared = shared;
        this.listener = listener;
        this.timers = timers;
        this.session = session;
        this.sid = sid;
        this.wait = clampWait(creation.attr("wait"));
        this.hold = "0".equals(creation.attr("hold")) ? 0 : 1;
        this.ackRef = ctx.messageAdapter(C2sSession.Ack.class, a -> new SessionAcked());
        ctx.watchWith(session, new SessionGone());
        session.tell(new C2sSession.Attached(ctx.messageAdapter(Outgoing.class, FromSession::new),
                ctx.messageAdapter(Long.class, SmAnswer::new)));
        session.tell(new C2sSession.InboundInit(ackRef));
        long rid = creation.rid().orElseThrow();
        lastRid = rid;
        open(creation);
        hold(new Held(rid, replyTo));
    }

    static Behavior<Command> create(C2sContext shared, ActorRef<C2sListener.Command> listener, ActorRef<SessionMessage> session,
                                    String sid, BoshBody creation, ActorRef<String> replyTo) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new BoshSession(ctx, timers, shared, listener, session, sid, creation, replyTo)));
    }

    /** A terminal binding error (XEP-0124 section 17.2) for a request no session takes. */
    static String terminal(String condition) {
        return BoshBody.response(Map.of("type", "terminate", "condition", condition), List.of());
    }

    private static Duration clampWait(String asked) {
        try {
            long s = Long.parseLong(asked);
            return s >= 1 && s < MAX_WAIT.toSeconds() ? Duration.ofSeconds(s) : MAX_WAIT;
        } catch (NumberFormatException e) {
            return MAX_WAIT;
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Request.class, this::onRequest)
                .onMessage(FromSession.class, m -> onOutput(m.out()))
                .onMessage(SmAnswer.class, m -> {
                    output(XmlWriter.write(StreamManagement.answer(m.h()), null));
                    return this;
                })
                .onMessage(SessionAcked.class, m -> {
                    sessionReady = true;
                    deliver();
                    return this;
                })
                .onMessage(WaitOver.class, m -> {
                    if (!held.isEmpty() && held.peek().rid() == m.rid()) {
                        return respond();
                    }
                    return this;
                })
                .onMessageEquals(Tick.FLUSH, () -> {
                    flushScheduled = false;
                    if (!held.isEmpty() && (!output.isEmpty() || streamClosed)) {
                        return respond();
                    }
                    return this;
                })
                .onMessageEquals(Tick.INACTIVE, () -> {
                    if (held.isEmpty()) {
                        gone();
                        endInbound();
                        return Behaviors.stopped();
                    }
                    return this;
                })
                .onMessage(SessionGone.class, m -> {
                    inboundEnded = true;
                    if (!streamClosed) {
                        // gone without closing its stream
                        streamClosed = true;
                        if (condition == null && !streamError) {
                            condition = "remote-connection-failed";
                        }
                    }
                    if (!held.isEmpty()) {
                        return respond();
                    }
                    // what it wrote last waits for the client's next request, or for the inactivity timeout
                    return idleCheck();
                })
                .build();
    }

    private Behavior<Command> onRequest(Request r) {
        timers.cancel(Tick.INACTIVE);
        if (r.body().rid().isEmpty()) {
            return terminate(r.replyTo(), "bad-request");
        }
        long rid = r.body().rid().getAsLong();
        if (rid <= lastRid) {
            for (Held h : held) {
                if (h.rid() == rid) {
                    // the client repeats a request still held (its connection broke): the old one is answered empty
                    h.replyTo().tell(BoshBody.response(Map.of(), List.of()));
                    held.remove(h);
                    hold(new Held(rid, r.replyTo()));
                    return this;
                }
            }
            String again = sent.get(rid);
            if (again != null) {
                r.replyTo().tell(again);
                return idleCheck();
            }
            return terminate(r.replyTo(), "item-not-found");
        }
        if (rid > lastRid + REQUESTS) {
            return terminate(r.replyTo(), "item-not-found");
        }
        early.put(rid, r);
        Behavior<Command> next = this;
        while (!early.isEmpty() && early.firstKey() == lastRid + 1 && next == this) {
            next = process(early.pollFirstEntry().getValue());
        }
        return next == this ? idleCheck() : next;
    }

    private Behavior<Command> process(Request r) {
        BoshBody body = r.body();
        lastRid = body.rid().getAsLong();
        if ("true".equals(body.xbosh("restart"))) {
            // XEP-0206 section 5: a new stream; payloads of a restart request are ignored
            open(body);
        } else {
            for (XmlElement payload : body.payloads()) {
                toSession(WebSocketFraming.element(payload));
            }
        }
        if (body.terminate()) {
            toSession(WebSocketFraming.CLOSE);
        }
        deliver();
        hold(new Held(lastRid, r.replyTo()));
        Behavior<Command> next = this;
        while (held.size() > hold && next == this) {
            next = respond();
        }
        return next;
    }

    private void open(BoshBody body) {
        XmlElement.Builder open = XmlElement.builder("open", WebSocketFraming.NAMESPACE);
        if (body.attr("to") != null) {
            open.attr("to", body.attr("to"));
        }
        if (body.attr("from") != null) {
            open.attr("from", body.attr("from"));
        }
        String version = body.xbosh("version");
        open.attr("version", version == null ? "1.0" : version);
        if (body.attr("xml:lang") != null) {
            open.attr("xml:lang", body.attr("xml:lang"));
        }
        toSession(XmlWriter.write(open.build(), null));
    }

    private void toSession(String element) {
        toSession.add(new TlsFraming.Received(ByteString.fromString(element, StandardCharsets.UTF_8)));
        toSession.add(new TlsFraming.MessageEnd(true));
    }

    private void deliver() {
        if (sessionReady && !toSession.isEmpty()) {
            sessionReady = false;
            session.tell(new C2sSession.Inbound(toSession.poll(), ackRef));
        }
    }

    private void hold(Held h) {
        held.add(h);
        timers.startSingleTimer(h.rid(), new WaitOver(h.rid()), wait);
        if (!output.isEmpty() || streamClosed) {
            scheduleFlush();
        }
    }

    private Behavior<Command> onOutput(Outgoing o) {
        if (o instanceof TlsFraming.Data d) {
            String xml = d.bytes().utf8String();
            if (xml.startsWith("<open ")) {
                return this;
            }
            if (xml.equals(WebSocketFraming.CLOSE)) {
                streamClosed = true;
                scheduleFlush();
                return this;
            }
            if (xml.startsWith("<stream:error")) {
                streamError = true;
            }
            output(xml);
        } else if (o instanceof TlsFraming.Close) {
            streamClosed = true;
            // the stream is over: the c2s session may stop now, its last words wait here for a request
            endInbound();
            scheduleFlush();
        }
        return this;
    }

    private void output(String xml) {
        output.add(xml);
        if (output.size() > shared.settings().sendQueueSize() && !streamClosed) {
            // the client does not fetch what it is sent: end it as a TCP session's full send queue does
            getContext().getLog().debug("BOSH session {}: {} elements unread, closing", sid, output.size());
            output.clear();
            streamClosed = true;
            condition = "policy-violation";
            endInbound();
        }
        scheduleFlush();
    }

    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            // behind what the session has already written, so one response carries all of it
            getContext().getSelf().tell(Tick.FLUSH);
        }
    }

    /** Answers the oldest held request with what is waiting. */
    private Behavior<Command> respond() {
        Held h = held.poll();
        timers.cancel(h.rid());
        Map<String, String> attrs = new LinkedHashMap<>();
        if (!creationAnswered) {
            creationAnswered = true;
            attrs.put("sid", sid);
            attrs.put("wait", Long.toString(wait.toSeconds()));
            attrs.put("requests", Integer.toString(REQUESTS));
            attrs.put("hold", Integer.toString(hold));
            attrs.put("inactivity", Long.toString(INACTIVITY.toSeconds()));
            attrs.put("polling", "1");
            attrs.put("ver", "1.11");
            attrs.put("from", shared.settings().domain());
            attrs.put("xmpp:version", "1.0");
            attrs.put("xmpp:restartlogic", "true");
        }
        boolean last = streamClosed;
        if (last) {
            attrs.put("type", "terminate");
            if (streamError) {
                attrs.put("condition", "remote-stream-error");
            } else if (condition != null) {
                attrs.put("condition", condition);
            }
        }
        String response = BoshBody.response(attrs, List.copyOf(output));
        output.clear();
        sent.put(h.rid(), response);
        if (last) {
            gone();
        }
        h.replyTo().tell(response);
        if (last) {
            endInbound();
            while (!held.isEmpty()) {
                Held other = held.poll();
                other.replyTo().tell(terminal("item-not-found"));
            }
            return Behaviors.stopped();
        }
        return this;
    }

    private Behavior<Command> idleCheck() {
        if (held.isEmpty()) {
            timers.startSingleTimer(Tick.INACTIVE, Tick.INACTIVE, INACTIVITY);
        }
        return this;
    }

    private Behavior<Command> terminate(ActorRef<String> replyTo, String why) {
        gone();
        replyTo.tell(terminal(why));
        condition = why;
        streamClosed = true;
        while (!held.isEmpty()) {
            respond();
        }
        endInbound();
        return Behaviors.stopped();
    }

    /** Tells the listener, before the last answer goes out, that no request may come here any more. */
    private void gone() {
        if (!goneTold) {
            goneTold = true;
            listener.tell(new C2sListener.BoshGone(sid));
        }
    }

    /** Tells the c2s session its connection is gone (once). */
    private void endInbound() {
        if (!inboundEnded) {
            inboundEnded = true;
            session.tell(new C2sSession.InboundEnded(null));
        }
    }
}
