package org.kaiku.relay;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.kaiku.relay.socks5.Socks5Config;
import org.kaiku.relay.socks5.Socks5Proxy;
import org.kaiku.relay.turn.TurnConfig;
import org.kaiku.relay.turn.TurnCredentials;
import org.kaiku.relay.turn.TurnServer;

/**
 * The relay's own actor system (issue 9 point 1): media never shares dispatchers with XMPP
 * routing, and a relay can run on nodes of its own. It serves STUN Binding and TURN over UDP on one
 * socket ({@link TurnServer}), one actor per allocation, the same over TCP on the same port when
 * {@code kaiku.relay.tcp} is on (RFC 8656 section 3.1, one actor per connection), and, when {@code kaiku.relay.socks5.enabled}
 * is on, the XEP-0065 SOCKS5 bytestreams proxy on TCP ({@link Socks5Proxy}), one actor per connection.
 */
public final class RelayNode implements AutoCloseable {
    private final ActorSystem<Void> system;
    private final InetSocketAddress address;
    private final TurnConfig turn;
    private final Socks5Proxy socks5;

    private RelayNode(ActorSystem<Void> system, InetSocketAddress address, TurnConfig turn, Socks5Proxy socks5) {
        this.system = system;
        this.address = address;
        this.turn = turn;
        this.socks5 = socks5;
    }

    /** Starts the relay on {@code host:port} (port 0: a free one), the rest of {@code kaiku.relay} from {@code config}. */
    public static RelayNode start(Config config, String host, int port) {
        return start(ConfigFactory.parseMap(Map.of("kaiku.relay.host", host, "kaiku.relay.port", port)).withFallback(config),
                Clock.systemUTC());
    }

    /**
     * Starts the relay system as {@code kaiku.relay} of {@code config} says, with {@code clock}
     * for nonces and time-limited credentials.
     *
     * @throws IllegalStateException when the socket cannot be bound, with the cause
     */
    public static RelayNode start(Config config, Clock clock) {
        TurnConfig turn = TurnConfig.from(config);
        Socks5Config socks5 = Socks5Config.from(config);
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "kaiku-relay", config);
        CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
        org.apache.pekko.actor.ExtendedActorSystem classic = (org.apache.pekko.actor.ExtendedActorSystem) Adapter.toClassic(system);
        org.apache.pekko.actor.ActorRef server = classic.systemActorOf(TurnServer.props(turn, new TurnCredentials(turn, clock), bound), "turn-udp");
        InetSocketAddress stun;
        try {
            stun = bound.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            system.terminate();
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("the relay could not bind STUN/TURN on " + turn.host() + ":" + turn.port()
                    + ": " + cause.getMessage(), cause);
        }
        if (config.getBoolean("kaiku.relay.tcp")) {
            CompletableFuture<InetSocketAddress> tcp = new CompletableFuture<>();
            classic.systemActorOf(TurnServer.tcpListenerProps(new InetSocketAddress(stun.getAddress(), stun.getPort()), server,
                    turn.totalQuota(), tcp), "turn-tcp");
            try {
                tcp.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                system.terminate();
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                throw new IllegalStateException("the relay could not bind STUN/TURN over TCP on " + stun + ": " + cause.getMessage(), cause);
            }
        }
        Socks5Proxy proxy = null;
        if (socks5.enabled()) {
            try {
                proxy = Socks5Proxy.start(classic, socks5)
                        .toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                system.terminate();
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                throw new IllegalStateException("the relay could not bind the SOCKS5 proxy on " + socks5.host() + ":"
                        + socks5.port() + ": " + cause.getMessage(), cause);
            }
        }
        return new RelayNode(system, stun, turn, proxy);
    }

    /** The XEP-0065 proxy, or null when {@code kaiku.relay.socks5.enabled} is off. */
    public Socks5Proxy socks5() {
        return socks5;
    }

    /** The address STUN and TURN answer on. */
    public InetSocketAddress stunAddress() {
        return address;
    }

    /** The settings the relay runs with. */
    public TurnConfig config() {
        return turn;
    }

    @Override
    public void close() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
