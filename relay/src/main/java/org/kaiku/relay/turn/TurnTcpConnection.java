package org.kaiku.relay.turn;

import java.net.InetSocketAddress;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.io.Udp;
import org.apache.pekko.util.ByteString;

/**
 * One client's TCP connection to the TURN server (RFC 8656 section 3.1, TCP between client and
 * server; the relayed transport stays UDP). The stream is cut into messages as section 12.5
 * says: a STUN message is its 20-byte header plus the header's length; ChannelData is its 4-byte
 * header plus the length, padded to a multiple of 4. Each message goes to the {@link TurnServer}
 * as if it were a datagram from the connection's remote address; whatever the server or the
 * client's allocation sends to that address ({@code Udp.Send}) is written to the connection,
 * ChannelData padded. A stream that is not STUN (magic cookie) or ChannelData (first
 * bits 01, and only after a STUN message: a channel is bound by a request first), or a
 * message above 64 KiB plus headers, closes the connection. When the connection closes, the server deletes its allocation
 * (section 3.1: the allocation lives as long as the connection).
 *
 * <p>Writes are not acknowledged: a message written while an earlier one is still pending is
 * dropped whole (Pekko IO refuses the write), as a datagram could be over UDP; nothing is queued.
 */
final class TurnTcpConnection extends AbstractActor {
    /** A message the client sent over TCP, for the server. */
    record FromTcp(ByteString data, InetSocketAddress client) {
    }

    /** The connection closed: its allocation, if any, goes. */
    record TcpGone(InetSocketAddress client) {
    }

    private static final int MAX_MESSAGE = 4 + 65535 + 3;

    private final ActorRef connection;
    private final ActorRef server;
    private final InetSocketAddress client;
    private ByteString buffer = ByteString.emptyByteString();
    private boolean seenStun;

    private TurnTcpConnection(ActorRef connection, ActorRef server, InetSocketAddress client) {
        this.connection = connection;
        this.server = server;
        this.client = client;
    }

    static Props props(ActorRef connection, ActorRef server, InetSocketAddress client) {
        return Props.create(TurnTcpConnection.class, () -> new TurnTcpConnection(connection, server, client));
    }

    @Override
    public void preStart() {
        getContext().watch(connection);
    }

    @Override
    public void postStop() {
        server.tell(new TcpGone(client), ActorRef.noSender());
    }

    @Override
    public Receive createReceive() {
        return receiveBuilder()
                .match(Tcp.Received.class, r -> received(r.data()))
                .match(Udp.Send.class, s -> {
                    ByteString out = s.payload();
                    int pad = (out.nonEmpty() && (out.apply(0) & 0xC0) == 0x40) ? (4 - out.size() % 4) % 4 : 0;
                    connection.tell(TcpMessage.write(pad == 0 ? out : out.concat(ByteString.fromArray(new byte[pad]))), getSelf());
                })
                .match(Tcp.CommandFailed.class, f -> {
                    // a write refused while another was pending: dropped whole, as a datagram may be
                })
                .match(Tcp.ConnectionClosed.class, c -> getContext().stop(getSelf()))
                .match(org.apache.pekko.actor.Terminated.class, t -> getContext().stop(getSelf()))
                .build();
    }

    private void abort() {
        connection.tell(TcpMessage.abort(), getSelf());
        getContext().stop(getSelf());
    }

    private void received(ByteString data) {
        buffer = buffer.concat(data);
        while (buffer.size() >= 4) {
            int top = buffer.apply(0) & 0xC0;
            int length = ((buffer.apply(2) & 0xff) << 8) | (buffer.apply(3) & 0xff);
            int total;
            if (top == 0) {
                if (buffer.size() >= 8 && !(buffer.apply(4) == 0x21 && buffer.apply(5) == 0x12
                        && buffer.apply(6) == (byte) 0xA4 && buffer.apply(7) == 0x42)) {
                    abort(); // no magic cookie: not STUN (RFC 8489 section 5)
                    return;
                }
                seenStun = true;
                total = 20 + length;
            } else if (top == 0x40 && seenStun) {
                // no channel is bound before a request; the whole RFC 5766 range 0x4000-0x7FFF is
                // framed (see Allocation's COMPAT note), the allocation drops unbound channels
                total = 4 + length + (4 - length % 4) % 4;
            } else {
                abort();
                return;
            }
            if (total > MAX_MESSAGE) {
                abort();
                return;
            }
            if (buffer.size() < total) {
                return;
            }
            server.tell(new FromTcp(buffer.take(total), client), getSelf());
            buffer = buffer.drop(total);
        }
    }
}
