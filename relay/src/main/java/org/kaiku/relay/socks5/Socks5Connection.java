package org.kaiku.relay.socks5;

import java.time.Duration;
import org.apache.pekko.actor.AbstractActorWithTimers;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.util.ByteString;

/**
 * One TCP connection to the SOCKS5 proxy, from accept to close: the RFC 1928 handshake (parsed by
 * {@link Socks5Handshake}), the claim of its hash at the {@link Socks5Listener}, the wait for
 * activation (bytes received then are read and dropped, XEP-0065 section 8.1), and the relay to
 * the paired connection's actor.
 *
 * <p><b>How bytes move.</b> The socket is registered in Pekko IO's pull mode: nothing is read
 * until this actor asks ({@code ResumeReading}), so the kernel's receive window is the only
 * buffer in front of it. Each chunk read (at most {@code pekko.io.tcp.direct-buffer-size}, 128 KiB
 * by default) is handed to the peer actor, which writes it with an ACK; only when that ACK comes
 * back ({@link Written}) does this side read again, after the delay the rate limit asks for. So
 * each direction holds at most one chunk in user space, and a slow reader at one end stalls the
 * writer at the other through TCP flow control, not through a growing queue. Memory per session:
 * two connection actors (a few hundred bytes each), at most one in-flight chunk per direction
 * (2 x 128 KiB), the handshake buffer (at most 262 bytes, freed once parsed) and the kernel's
 * socket buffers.
 *
 * <p>The rate limit is per direction: after a chunk of n bytes the next read waits until
 * n / bytes-per-second has passed since the previous allowance. A connection that moves no byte
 * in either direction for idle-timeout is aborted, whatever its phase.
 */
final class Socks5Connection extends AbstractActorWithTimers {
    /** The listener's answer to a claim: relay-ready (with the reply code 0) or refused. */
    record Claimed(byte reply) {
    }

    /** From the listener: the stream is activated; relay to {@code peer}. */
    record Activated(ActorRef peer) {
    }

    /** From the peer: write this chunk to the socket. */
    record Forward(ByteString data) {
    }

    /** From the peer: the chunk this side forwarded is written; read on. */
    record Written(int bytes) {
    }

    /** From the peer: its socket closed; close this one once pending writes are out. */
    enum PeerDone { INSTANCE }

    private enum Ack implements Tcp.Event { INSTANCE }

    private enum Tick { RESUME, IDLE }

    private enum Phase { GREETING, REQUEST, CLAIMING, WAITING, RELAYING, CLOSING }

    private static final int MAX_HANDSHAKE = 2 + 255 + 7 + 255;

    private final ActorRef connection;
    private final ActorRef listener;
    private final Socks5Config config;
    private Phase phase = Phase.GREETING;
    private ByteString buffer = ByteString.emptyByteString();
    private String hash;
    private ActorRef peer;
    private long lastActivity = System.nanoTime();
    private long nextRead = System.nanoTime();
    private int inFlight;

    private Socks5Connection(ActorRef connection, ActorRef listener, Socks5Config config) {
        this.connection = connection;
        this.listener = listener;
        this.config = config;
    }

    static Props props(ActorRef connection, ActorRef listener, Socks5Config config) {
        return Props.create(Socks5Connection.class, () -> new Socks5Connection(connection, listener, config));
    }

    @Override
    public void preStart() {
        getContext().watch(connection);
        Duration every = config.idleTimeout().dividedBy(4);
        getTimers().startTimerWithFixedDelay(Tick.IDLE, Tick.IDLE, every.compareTo(Duration.ofMillis(50)) < 0 ? Duration.ofMillis(50) : every);
        connection.tell(TcpMessage.resumeReading(), getSelf());
    }

    @Override
    public Receive createReceive() {
        return receiveBuilder()
                .match(Tcp.Received.class, r -> received(r.data()))
                .match(Claimed.class, this::claimed)
                .match(Activated.class, this::activated)
                .match(Forward.class, f -> {
                    lastActivity = System.nanoTime();
                    connection.tell(TcpMessage.write(f.data(), Ack.INSTANCE), getSelf());
                    inFlight = f.data().size();
                })
                .matchEquals(Ack.INSTANCE, a -> {
                    lastActivity = System.nanoTime();
                    if (peer != null) {
                        peer.tell(new Written(inFlight), getSelf());
                    }
                })
                .match(Written.class, w -> resumeAfterRateLimit())
                .matchEquals(Tick.RESUME, t -> connection.tell(TcpMessage.resumeReading(), getSelf()))
                .matchEquals(Tick.IDLE, t -> {
                    if (System.nanoTime() - lastActivity > config.idleTimeout().toNanos()) {
                        connection.tell(TcpMessage.abort(), getSelf());
                        getContext().stop(getSelf());
                    }
                })
                .matchEquals(PeerDone.INSTANCE, d -> closeGracefully())
                .match(Tcp.ConnectionClosed.class, c -> {
                    if (peer != null) {
                        peer.tell(PeerDone.INSTANCE, getSelf());
                    }
                    getContext().stop(getSelf());
                })
                .match(Terminated.class, t -> {
                    if (t.getActor().equals(connection)) {
                        getContext().stop(getSelf());
                    } else {
                        closeGracefully();
                    }
                })
                .match(Tcp.CommandFailed.class, f -> {
                    connection.tell(TcpMessage.abort(), getSelf());
                    getContext().stop(getSelf());
                })
                .build();
    }

    private void received(ByteString data) {
        lastActivity = System.nanoTime();
        switch (phase) {
            case GREETING, REQUEST -> handshake(data);
            case WAITING -> {
                charge(data.size()); // bytes before activation are dropped (XEP-0065 section 8.1)
                resumeAfterRateLimit();
            }
            case RELAYING -> {
                charge(data.size());
                peer.tell(new Forward(data), getSelf());
            }
            default -> { }
        }
    }

    private void handshake(ByteString data) {
        buffer = buffer.concat(data);
        while (true) {
            Socks5Handshake.Step step = phase == Phase.GREETING ? Socks5Handshake.greeting(buffer) : Socks5Handshake.request(buffer);
            if (step instanceof Socks5Handshake.NeedMore) {
                if (buffer.size() > MAX_HANDSHAKE) {
                    fail(Socks5Handshake.NO_REPLY);
                } else {
                    connection.tell(TcpMessage.resumeReading(), getSelf());
                }
                return;
            }
            if (step instanceof Socks5Handshake.Fail f) {
                fail(f.reply());
                return;
            }
            if (step instanceof Socks5Handshake.Greeting g) {
                connection.tell(TcpMessage.write(Socks5Handshake.method(g.noAuth())), getSelf());
                if (!g.noAuth()) {
                    closeGracefully();
                    return;
                }
                buffer = buffer.drop(g.length());
                phase = Phase.REQUEST;
                continue;
            }
            Socks5Handshake.Connect c = (Socks5Handshake.Connect) step;
            buffer = ByteString.emptyByteString(); // anything after the request precedes activation: dropped
            hash = c.hash();
            phase = Phase.CLAIMING;
            listener.tell(new Socks5Listener.Claim(hash), getSelf());
            return;
        }
    }

    private void claimed(Claimed c) {
        if (phase != Phase.CLAIMING) {
            return;
        }
        if (c.reply() != Socks5Handshake.SUCCEEDED) {
            fail(c.reply());
            return;
        }
        connection.tell(TcpMessage.write(Socks5Handshake.reply(Socks5Handshake.SUCCEEDED, hash)), getSelf());
        phase = Phase.WAITING;
        connection.tell(TcpMessage.resumeReading(), getSelf());
    }

    private void activated(Activated a) {
        if (phase != Phase.WAITING) {
            return;
        }
        peer = a.peer();
        getContext().watch(peer);
        phase = Phase.RELAYING;
        lastActivity = System.nanoTime();
    }

    private void charge(int bytes) {
        if (config.bytesPerSecond() <= 0) {
            return;
        }
        long now = System.nanoTime();
        nextRead = Math.max(nextRead, now) + bytes * 1_000_000_000L / config.bytesPerSecond();
    }

    private void resumeAfterRateLimit() {
        if (phase == Phase.CLOSING) {
            return;
        }
        long wait = nextRead - System.nanoTime();
        if (wait > 1_000_000L) {
            getTimers().startSingleTimer(Tick.RESUME, Tick.RESUME, Duration.ofNanos(wait));
        } else {
            connection.tell(TcpMessage.resumeReading(), getSelf());
        }
    }

    private void fail(byte reply) {
        if (reply != Socks5Handshake.NO_REPLY) {
            connection.tell(TcpMessage.write(Socks5Handshake.reply(reply, hash)), getSelf());
        }
        closeGracefully();
    }

    /** Close once pending writes are flushed (Pekko IO's Close); the Closed event stops the actor. */
    private void closeGracefully() {
        if (phase != Phase.CLOSING) {
            phase = Phase.CLOSING;
            getTimers().cancel(Tick.RESUME);
            connection.tell(TcpMessage.close(), getSelf());
        }
    }
}
