package org.kaiku.engine.component;

import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.apache.pekko.util.ByteString;
import org.kaiku.engine.c2s.C2sListener;
import org.kaiku.engine.routing.Router;
import org.kaiku.protocol.xml.DecoderLimits;

/**
 * Accepts component connections (XEP-0114) and gives each a {@link ComponentSession}, wired with
 * Pekko Streams: bytes in with backpressure (the session acknowledges each chunk after decoding
 * it), bytes out through a bounded queue that fails the connection when a component stops
 * reading ({@code send-queue-size} chunks). On shutdown every session ends its stream with
 * system-shutdown.
 */
public final class ComponentListener {
    /** What the session writes: bytes, or the end of the connection. */
    public sealed interface Out permits Bytes, Close {
    }

    public record Bytes(ByteString bytes) implements Out {
    }

    public record Close() implements Out {
    }

    enum Ack { ACK }

    public interface Command {
    }

    public record Accept(Tcp.IncomingConnection connection) implements Command {
    }

    public record Shutdown(ActorRef<Done> replyTo) implements Command {
    }

    private record Stopped() implements Command {
    }

    private ComponentListener() {
    }

    public static Behavior<Command> create(ComponentSettings settings, ComponentDirectory directory, Router router,
                                           DecoderLimits limits) {
        return Behaviors.setup(ctx -> {
            Set<ActorRef<ComponentSession.Command>> sessions = new HashSet<>();
            AtomicLong ids = new AtomicLong();
            return Behaviors.receive(Command.class)
                    .onMessage(Accept.class, a -> {
                        ActorRef<ComponentSession.Command> s = ctx.spawn(
                                ComponentSession.create(settings, directory, router, limits), "component-" + ids.incrementAndGet());
                        ctx.watch(s);
                        sessions.add(s);
                        wire(ctx, settings, a.connection(), s);
                        return Behaviors.same();
                    })
                    .onSignal(Terminated.class, t -> {
                        sessions.remove(t.getRef().unsafeUpcast());
                        return Behaviors.same();
                    })
                    .onMessage(Shutdown.class, sd -> {
                        sessions.forEach(s -> s.tell(new ComponentSession.Shutdown()));
                        // the sessions close their connections themselves; give their last bytes a moment
                        return Behaviors.withTimers(timers -> {
                            timers.startSingleTimer(new Stopped(), Duration.ofMillis(sessions.isEmpty() ? 1 : 500));
                            return Behaviors.receive(Command.class)
                                    .onMessage(Stopped.class, x -> {
                                        sd.replyTo().tell(Done.getInstance());
                                        return Behaviors.stopped();
                                    })
                                    .onMessage(Accept.class, a -> {
                                        C2sListener.refuse(a.connection(), ctx.getSystem());
                                        return Behaviors.same();
                                    })
                                    .onAnyMessage(m -> Behaviors.same())
                                    .build();
                        });
                    })
                    .build();
        });
    }

    private static void wire(ActorContext<Command> ctx, ComponentSettings settings, Tcp.IncomingConnection connection,
                             ActorRef<ComponentSession.Command> session) {
        Source<Out, ActorRef<Out>> out = ActorSource.actorRef(
                o -> o instanceof Close,
                o -> Optional.empty(),
                settings.sendQueueSize(),
                OverflowStrategy.fail());
        Sink<ByteString, org.apache.pekko.NotUsed> in = ActorSink.<ByteString, ComponentSession.Command, Ack>actorRefWithBackpressure(
                session,
                (ackTo, bytes) -> new ComponentSession.Inbound(bytes, ackTo),
                ComponentSession.InboundInit::new,
                Ack.ACK,
                new ComponentSession.InboundEnded(null),
                ComponentSession.InboundEnded::new);
        Flow<ByteString, ByteString, ActorRef<Out>> handler = Flow.fromSinkAndSourceMat(in,
                out.map(o -> ((Bytes) o).bytes()), Keep.right());
        ActorRef<Out> outRef = connection.handleWith(handler, Materializer.matFromSystem(ctx.getSystem()));
        session.tell(new ComponentSession.Attached(outRef));
    }
}
