package org.kaiku.relay.turn;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;

/**
 * TURN's TCP listener (RFC 8656 section 3.1: clients may reach the server over TCP), on the same
 * address and port number as the UDP one; one {@link TurnTcpConnection} per client. Each
 * connection may hold one allocation, so the server's total quota bounds them too; connections
 * beyond {@code total-quota} are closed as they are accepted.
 */
final class TurnTcpListener extends AbstractActor {
    private final InetSocketAddress bindTo;
    private final ActorRef server;
    private final int maxConnections;
    private final CompletableFuture<InetSocketAddress> bound;
    private int open;

    private TurnTcpListener(InetSocketAddress bindTo, ActorRef server, int maxConnections, CompletableFuture<InetSocketAddress> bound) {
        this.bindTo = bindTo;
        this.server = server;
        this.maxConnections = maxConnections;
        this.bound = bound;
    }

    static Props props(InetSocketAddress bindTo, ActorRef server, int maxConnections, CompletableFuture<InetSocketAddress> bound) {
        return Props.create(TurnTcpListener.class, () -> new TurnTcpListener(bindTo, server, maxConnections, bound));
    }

    @Override
    public void preStart() {
        Tcp.get(getContext().getSystem()).getManager().tell(TcpMessage.bind(getSelf(), bindTo, 100, List.of(), false), getSelf());
    }

    @Override
    public void postStop() {
        bound.completeExceptionally(new IllegalStateException("the TURN TCP listener stopped"));
    }

    @Override
    public Receive createReceive() {
        return receiveBuilder()
                .match(Tcp.Bound.class, b -> bound.complete(b.localAddress()))
                .match(Tcp.CommandFailed.class, f -> {
                    bound.completeExceptionally(new IllegalStateException("cannot bind TCP " + bindTo));
                    getContext().stop(getSelf());
                })
                .match(Tcp.Connected.class, c -> {
                    if (open >= maxConnections) {
                        getSender().tell(TcpMessage.abort(), getSelf());
                        return;
                    }
                    ActorRef handler = getContext().actorOf(TurnTcpConnection.props(getSender(), server, c.remoteAddress()));
                    getContext().watch(handler);
                    open++;
                    getSender().tell(TcpMessage.register(handler), getSelf());
                })
                .match(org.apache.pekko.actor.Terminated.class, t -> open--)
                .build();
    }
}
