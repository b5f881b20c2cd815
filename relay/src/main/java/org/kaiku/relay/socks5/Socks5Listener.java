package org.kaiku.relay.socks5;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;

/**
 * The proxy's TCP listener and its table of bytestreams, keyed by the hash each connection named
 * in its CONNECT (XEP-0065 section 6.3). It accepts in pull mode, one connection at a time, and
 * closes a connection at once when {@code max-connections} are open. A claim for a new hash
 * beyond {@code max-sessions} streams, or a third connection for a hash, is refused with RFC 1928
 * reply X'02' (section 8.1: one target per stream). Activation (from the engine, through
 * {@link Socks5Proxy#activate}) pairs the two connections; the answers are those of XEP-0065
 * section 6.3.7. A stream is forgotten when its last connection closes; an activated one as soon
 * as either side closes.
 */
final class Socks5Listener extends AbstractActor {
    /** From a connection that completed its CONNECT: it serves {@code hash}. */
    record Claim(String hash) {
    }

    /** From {@link Socks5Proxy#activate}. */
    record Activate(String sid, String requester, String target, CompletableFuture<Socks5Proxy.Activation> result) {
    }

    private static final class Stream {
        final List<ActorRef> connections = new ArrayList<>(2);
        String requesterBare;
    }

    private final Socks5Config config;
    private final CompletableFuture<InetSocketAddress> bound;
    private final Map<String, Stream> streams = new HashMap<>();
    private final Map<ActorRef, String> hashOf = new HashMap<>();
    private final Map<String, Integer> perUser = new HashMap<>();
    private ActorRef socket;
    private int open;

    private Socks5Listener(Socks5Config config, CompletableFuture<InetSocketAddress> bound) {
        this.config = config;
        this.bound = bound;
    }

    static Props props(Socks5Config config, CompletableFuture<InetSocketAddress> bound) {
        return Props.create(Socks5Listener.class, () -> new Socks5Listener(config, bound));
    }

    @Override
    public void preStart() {
        Tcp.get(getContext().getSystem()).getManager().tell(TcpMessage.bind(getSelf(),
                new InetSocketAddress(config.host(), config.port()), 100, List.of(), true), getSelf());
    }

    @Override
    public void postStop() {
        bound.completeExceptionally(new IllegalStateException("the SOCKS5 listener stopped"));
        if (socket != null) {
            socket.tell(TcpMessage.unbind(), getSelf());
        }
    }

    @Override
    public Receive createReceive() {
        return receiveBuilder()
                .match(Tcp.Bound.class, b -> {
                    socket = getSender();
                    bound.complete(b.localAddress());
                    socket.tell(TcpMessage.resumeAccepting(1), getSelf());
                })
                .match(Tcp.CommandFailed.class, f -> {
                    bound.completeExceptionally(f.cause().isDefined() ? f.cause().get()
                            : new IllegalStateException("cannot bind " + config.host() + ":" + config.port()));
                    getContext().stop(getSelf());
                })
                .match(Tcp.Connected.class, c -> {
                    if (open >= config.maxConnections()) {
                        getSender().tell(TcpMessage.abort(), getSelf());
                    } else {
                        ActorRef handler = getContext().actorOf(Socks5Connection.props(getSender(), getSelf(), config));
                        getContext().watch(handler);
                        open++;
                        getSender().tell(TcpMessage.register(handler, false, false), getSelf());
                    }
                    socket.tell(TcpMessage.resumeAccepting(1), getSelf());
                })
                .match(Claim.class, this::claim)
                .match(Activate.class, this::activate)
                .match(Terminated.class, t -> closed(t.getActor()))
                .build();
    }

    private void claim(Claim c) {
        Stream s = streams.get(c.hash());
        if (s == null) {
            if (streams.size() >= config.maxSessions()) {
                getSender().tell(new Socks5Connection.Claimed(Socks5Handshake.NOT_ALLOWED), getSelf());
                return;
            }
            s = new Stream();
            streams.put(c.hash(), s);
        } else if (s.connections.size() >= 2 || s.requesterBare != null) {
            getSender().tell(new Socks5Connection.Claimed(Socks5Handshake.NOT_ALLOWED), getSelf());
            return;
        }
        s.connections.add(getSender());
        hashOf.put(getSender(), c.hash());
        getSender().tell(new Socks5Connection.Claimed(Socks5Handshake.SUCCEEDED), getSelf());
    }

    private void activate(Activate a) {
        String hash = Socks5Proxy.hash(a.sid(), a.requester(), a.target());
        Stream s = streams.get(hash);
        if (s == null) {
            // The hash the other party would have made: the sender is that stream's target, not its requester.
            boolean reversed = streams.containsKey(Socks5Proxy.hash(a.sid(), a.target(), a.requester()));
            a.result().complete(reversed ? Socks5Proxy.Activation.NOT_REQUESTER : Socks5Proxy.Activation.UNKNOWN);
            return;
        }
        if (s.requesterBare != null) {
            a.result().complete(Socks5Proxy.Activation.ALREADY_ACTIVE);
            return;
        }
        if (s.connections.size() < 2) {
            a.result().complete(Socks5Proxy.Activation.ONE_PARTY);
            return;
        }
        String bare = bare(a.requester());
        if (perUser.getOrDefault(bare, 0) >= config.userSessions()) {
            a.result().complete(Socks5Proxy.Activation.USER_LIMIT);
            return;
        }
        s.requesterBare = bare;
        perUser.merge(bare, 1, Integer::sum);
        ActorRef one = s.connections.get(0);
        ActorRef two = s.connections.get(1);
        one.tell(new Socks5Connection.Activated(two), getSelf());
        two.tell(new Socks5Connection.Activated(one), getSelf());
        a.result().complete(Socks5Proxy.Activation.ACTIVATED);
    }

    private void closed(ActorRef connection) {
        open--;
        String hash = hashOf.remove(connection);
        if (hash == null) {
            return;
        }
        Stream s = streams.get(hash);
        s.connections.remove(connection);
        if (s.requesterBare != null || s.connections.isEmpty()) {
            streams.remove(hash);
            for (ActorRef other : s.connections) {
                hashOf.remove(other); // it closes itself when its peer goes
            }
            if (s.requesterBare != null) {
                perUser.computeIfPresent(s.requesterBare, (k, n) -> n > 1 ? n - 1 : null);
            }
        }
    }

    private static String bare(String jid) {
        int slash = jid.indexOf('/');
        return slash < 0 ? jid : jid.substring(0, slash);
    }
}
