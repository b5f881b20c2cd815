package org.kaiku.engine.c2s;

import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.apache.pekko.util.ByteString;
import org.kaiku.engine.c2s.TlsFraming.Incoming;
import org.kaiku.engine.c2s.TlsFraming.Outgoing;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.protocol.bosh.BoshBody;
import org.kaiku.protocol.ext.sm.StreamManagement;
import org.kaiku.protocol.xml.XmlWriter;

/**
 * Owns the client sessions of this node: one child actor per accepted TCP connection, wired to
 * its socket through {@link StartTlsStage}, and per WebSocket connection, wired through
 * {@link WebSocketFlow}. On shutdown every session is told to close its
 * stream (system-shutdown) and the listener answers once all of them have stopped.
 */
public final class C2sListener {

    public sealed interface Command {
    }

    /** A connection accepted on the STARTTLS port ({@code directTls} false) or the direct TLS port. */
    public record Accept(Tcp.IncomingConnection connection, boolean directTls) implements Command {
    }

    /**
     * A WebSocket upgrade (RFC 7395) that asked for the xmpp subprotocol: the listener makes its
     * session and answers the flow that carries it, which the HTTP layer runs.
     */
    public record AcceptWebSocket(java.net.InetAddress remote, ActorRef<Flow<Message, Message, NotUsed>> replyTo) implements Command {
    }

    /**
     * A BOSH request (XEP-0124, XEP-0206): without a 'sid' it creates a session (a c2s session
     * and its {@link BoshSession}), with one it goes to that session; answered with the response body.
     */
    public record BoshRequest(BoshBody body, java.net.InetAddress remote, ActorRef<String> replyTo) implements Command {
    }

    public record Shutdown(ActorRef<Done> replyTo) implements Command {
    }

    /** A BOSH session ended (told by it before its last answer, so no later request finds it). */
    record BoshGone(String sid) implements Command {
    }

    private record ShutdownTimeout() implements Command {
    }

    /** A BOSH terminal binding error (XEP-0124 section 17.2), for the HTTP layer's own refusals. */
    public static String boshTerminal(String condition) {
        return BoshSession.terminal(condition);
    }

    private static final java.security.SecureRandom SID_RANDOM = new java.security.SecureRandom();

    private C2sListener() {
    }

    public static Behavior<Command> create(C2sContext shared) {
        return Behaviors.setup(ctx -> running(ctx, shared, new HashSet<>(), new AtomicLong(), new java.util.HashMap<>()));
    }

    private static Behavior<Command> running(ActorContext<Command> ctx, C2sContext shared,
                                             Set<ActorRef<SessionMessage>> sessions, AtomicLong ids,
                                             java.util.Map<String, ActorRef<BoshSession.Command>> bosh) {
        return Behaviors.receive(Command.class)
                .onMessage(Accept.class, a -> {
                    ActorRef<SessionMessage> s = ctx.spawn(C2sSession.create(shared, a.directTls(), a.connection().remoteAddress().getAddress()),
                            "c2s-" + ids.incrementAndGet());
                    ctx.watch(s);
                    sessions.add(s);
                    shared.connections().set(sessions.size());
                    wire(ctx, shared, a, s);
                    return Behaviors.same();
                })
                .onMessage(AcceptWebSocket.class, a -> {
                    ActorRef<SessionMessage> s = ctx.spawn(C2sSession.create(shared, C2sFraming.WEBSOCKET, false, a.remote()),
                            "ws-" + ids.incrementAndGet());
                    ctx.watch(s);
                    sessions.add(s);
                    shared.connections().set(sessions.size());
                    a.replyTo().tell(WebSocketFlow.create(shared, s));
                    return Behaviors.same();
                })
                .onMessage(BoshRequest.class, r -> {
                    String sid = r.body().sid();
                    if (sid != null) {
                        ActorRef<BoshSession.Command> b = bosh.get(sid);
                        if (b == null) {
                            r.replyTo().tell(BoshSession.terminal("item-not-found"));
                        } else {
                            b.tell(new BoshSession.Request(r.body(), r.replyTo()));
                        }
                        return Behaviors.same();
                    }
                    if (r.body().rid().isEmpty()) {
                        r.replyTo().tell(BoshSession.terminal("bad-request"));
                        return Behaviors.same();
                    }
                    long id = ids.incrementAndGet();
                    ActorRef<SessionMessage> s = ctx.spawn(C2sSession.create(shared, C2sFraming.WEBSOCKET, false, r.remote()), "bosh-" + id);
                    ctx.watch(s);
                    sessions.add(s);
                    shared.connections().set(sessions.size());
                    byte[] random = new byte[16];
                    SID_RANDOM.nextBytes(random);
                    String newSid = java.util.HexFormat.of().formatHex(random);
                    ActorRef<BoshSession.Command> b = ctx.spawn(BoshSession.create(shared, ctx.getSelf(), s, newSid, r.body(), r.replyTo()),
                            "bosh-cm-" + id);
                    ctx.watchWith(b, new BoshGone(newSid));
                    bosh.put(newSid, b);
                    return Behaviors.same();
                })
                .onMessage(BoshGone.class, g -> {
                    bosh.remove(g.sid());
                    return Behaviors.same();
                })
                .onSignal(Terminated.class, t -> {
                    sessions.remove(t.getRef().unsafeUpcast());
                    shared.connections().set(sessions.size());
                    return Behaviors.same();
                })
                .onMessage(Shutdown.class, sd -> {
                    sessions.forEach(s -> s.tell(new C2sSession.Shutdown()));
                    if (sessions.isEmpty()) {
                        sd.replyTo().tell(Done.getInstance());
                        return Behaviors.stopped();
                    }
                    return Behaviors.withTimers(timers -> {
                        timers.startSingleTimer(new ShutdownTimeout(), Duration.ofSeconds(10));
                        return stopping(ctx, sessions, sd.replyTo());
                    });
                })
                .build();
    }

    private static Behavior<Command> stopping(ActorContext<Command> ctx, Set<ActorRef<SessionMessage>> sessions,
                                              ActorRef<Done> replyTo) {
        return Behaviors.receive(Command.class)
                .onSignal(Terminated.class, t -> {
                    sessions.remove(t.getRef().unsafeUpcast());
                    if (sessions.isEmpty()) {
                        replyTo.tell(Done.getInstance());
                        return Behaviors.stopped();
                    }
                    return Behaviors.same();
                })
                .onMessage(ShutdownTimeout.class, t -> {
                    replyTo.tell(Done.getInstance());
                    return Behaviors.stopped();
                })
                .onMessage(Accept.class, a -> {
                    refuse(a.connection(), ctx.getSystem());
                    return Behaviors.same();
                })
                .onMessage(AcceptWebSocket.class, a -> {
                    // answered with a flow that closes at once: the upgrade completes and ends
                    a.replyTo().tell(Flow.fromSinkAndSource(Sink.<Message>ignore(), Source.<Message>empty()));
                    return Behaviors.same();
                })
                .onMessage(BoshRequest.class, r -> {
                    r.replyTo().tell(BoshSession.terminal("system-shutdown"));
                    return Behaviors.same();
                })
                .onAnyMessage(m -> Behaviors.same())
                .build();
    }

    /** A connection accepted while its listener stops: closed at once, nothing read. */
    public static void refuse(Tcp.IncomingConnection connection, org.apache.pekko.actor.typed.ActorSystem<?> system) {
        connection.handleWith(Flow.fromSinkAndSource(Sink.<ByteString>ignore(), Source.<ByteString>empty()),
                Materializer.matFromSystem(system));
    }

    private static void wire(ActorContext<Command> ctx, C2sContext shared, Accept a, ActorRef<SessionMessage> session) {
        Source<Outgoing, ActorRef<Outgoing>> out = sendQueue(shared);
        Sink<Incoming, org.apache.pekko.NotUsed> in = sessionSink(session);
        Source<Outgoing, Pair<ActorRef<Outgoing>, ActorRef<Long>>> both = out.mergeMat(acks(), Keep.both(), true);
        Flow<Incoming, Outgoing, Pair<ActorRef<Outgoing>, ActorRef<Long>>> app = Flow.fromSinkAndSourceMat(in, both, Keep.right());
        BidiFlow<Outgoing, ByteString, ByteString, Incoming, org.apache.pekko.NotUsed> tls =
                BidiFlow.fromGraph(new StartTlsStage(a.directTls() ? shared.tls().newConnection() : null));
        Flow<ByteString, ByteString, Pair<ActorRef<Outgoing>, ActorRef<Long>>> handler = tls.reversed().join(app, Keep.right());
        Pair<ActorRef<Outgoing>, ActorRef<Long>> refs = a.connection().handleWith(handler, Materializer.matFromSystem(ctx.getSystem()));
        session.tell(new C2sSession.Attached(refs.first(), refs.second()));
    }

    /** Where a connection's input goes: the session, one element at a time, each acknowledged once handled. */
    static Sink<Incoming, NotUsed> sessionSink(ActorRef<SessionMessage> session) {
        return ActorSink.<Incoming, SessionMessage, C2sSession.Ack>actorRefWithBackpressure(
                session,
                (ackTo, incoming) -> new C2sSession.Inbound(incoming, ackTo),
                C2sSession.InboundInit::new,
                C2sSession.Ack.ACK,
                new C2sSession.InboundEnded(null),
                C2sSession.InboundEnded::new);
    }

    /** A session's bounded send queue (see send-queue-size); {@link TlsFraming.Close} completes it. */
    static Source<Outgoing, ActorRef<Outgoing>> sendQueue(C2sContext shared) {
        return ActorSource.actorRef(
                o -> o instanceof TlsFraming.Close,
                o -> Optional.empty(),
                shared.settings().sendQueueSize(),
                OverflowStrategy.fail());
    }

    /**
     * The session's XEP-0198 answers ({@code <a h='...'/>}), apart from its stanzas: an answer
     * must never take a place in the bounded send queue (a client that asks for acks often would
     * otherwise be cut off as a slow reader by its own answers), and only the newest 'h' matters,
     * so a buffer of one that drops the older value coalesces whatever the socket has not taken
     * yet. At most one answer waits here and one in the merge: a constant per connection.
     */
    static Source<Outgoing, ActorRef<Long>> acks() {
        return ActorSource.<Long>actorRef(h -> false, h -> Optional.empty(), 1, OverflowStrategy.dropHead())
                .map(h -> (Outgoing) new TlsFraming.Data(ByteString.fromString(
                        XmlWriter.write(StreamManagement.answer(h), "jabber:client"), StandardCharsets.UTF_8)));
    }
}
