package org.kaiku.relay;

import com.typesafe.config.Config;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The relay's own actor system (issue 9 point 1): media never shares dispatchers with XMPP
 * routing, and a relay can run on nodes of its own. For now it serves STUN Binding on one UDP
 * socket; TURN allocations (one actor each) come next.
 */
public final class RelayNode implements AutoCloseable {
    private final ActorSystem<Void> system;
    private final InetSocketAddress stun;

    private RelayNode(ActorSystem<Void> system, InetSocketAddress stun) {
        this.system = system;
        this.stun = stun;
    }

    /**
     * Starts the relay system and binds STUN on {@code host:port} (port 0: a free one).
     *
     * @throws IllegalStateException when the socket cannot be bound, with the cause
     */
    public static RelayNode start(Config config, String host, int port) {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "kaiku-relay", config);
        CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
        ((org.apache.pekko.actor.ExtendedActorSystem) Adapter.toClassic(system))
                .systemActorOf(UdpStunEndpoint.props(new InetSocketAddress(host, port), bound), "stun-udp");
        try {
            return new RelayNode(system, bound.get(30, TimeUnit.SECONDS));
        } catch (Exception e) {
            system.terminate();
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("the relay could not bind STUN on " + host + ":" + port + ": " + cause.getMessage(), cause);
        }
    }

    /** The address STUN answers on. */
    public InetSocketAddress stunAddress() {
        return stun;
    }

    @Override
    public void close() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS);
    }
}
