package org.kaiku.relay;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.Udp;
import org.apache.pekko.io.UdpMessage;
import org.apache.pekko.util.ByteString;

/**
 * One UDP socket answering STUN (see {@link StunResponder}), on Pekko's UDP I/O: the socket is
 * driven by Pekko's selector, never by a blocking read on a dispatcher thread. Pekko I/O speaks to
 * classic actors, so this one is classic; the relay's typed actors talk to it through its ref.
 * Each datagram is answered from the actor at once (a Binding answer needs no state), so the
 * memory it holds is Pekko's receive buffer and nothing per client.
 */
final class UdpStunEndpoint extends AbstractActor {
    private final InetSocketAddress bindTo;
    private final CompletableFuture<InetSocketAddress> bound;

    private UdpStunEndpoint(InetSocketAddress bindTo, CompletableFuture<InetSocketAddress> bound) {
        this.bindTo = bindTo;
        this.bound = bound;
    }

    static Props props(InetSocketAddress bindTo, CompletableFuture<InetSocketAddress> bound) {
        return Props.create(UdpStunEndpoint.class, () -> new UdpStunEndpoint(bindTo, bound));
    }

    @Override
    public void preStart() {
        Udp.get(getContext().getSystem()).getManager().tell(UdpMessage.bind(getSelf(), bindTo), getSelf());
    }

    @Override
    public Receive createReceive() {
        return receiveBuilder()
                .match(Udp.Bound.class, b -> {
                    bound.complete(b.localAddress());
                    getContext().become(ready(getSender()));
                })
                .match(Udp.CommandFailed.class, f -> {
                    bound.completeExceptionally(new IllegalStateException("cannot bind UDP " + bindTo + ": " + f.cmd()));
                    getContext().stop(getSelf());
                })
                .build();
    }

    private Receive ready(ActorRef socket) {
        return receiveBuilder()
                .match(Udp.Received.class, r -> StunResponder.answer(r.data().toArray(), r.sender())
                        .ifPresent(answer -> socket.tell(UdpMessage.send(ByteString.fromArray(answer), r.sender()), getSelf())))
                .match(Udp.Unbound.class, u -> getContext().stop(getSelf()))
                .build();
    }

    @Override
    public void postStop() {
        bound.completeExceptionally(new IllegalStateException("stopped before binding"));
    }
}
