package org.kaiku.relay.turn;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.ErrorCodeAttribute;
import org.ice4j.attribute.NonceAttribute;
import org.ice4j.attribute.XorRelayedAddressAttribute;
import org.ice4j.message.Message;

/** A minimal TURN client for tests: ice4j attribute codecs, the long-term mechanism done by hand. */
final class TurnTestClient implements AutoCloseable {
    final DatagramSocket socket;
    private final InetSocketAddress server;
    String username;
    String password;
    String realm;
    String nonce;

    TurnTestClient(InetSocketAddress server, String username, String password) throws Exception {
        this.socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        this.socket.setSoTimeout(30_000);
        this.server = server;
        this.username = username;
        this.password = password;
    }

    static byte[] tid() {
        byte[] t = new byte[12];
        ThreadLocalRandom.current().nextBytes(t);
        return t;
    }

    /** Sends a request signed with the current credentials (unsigned if no nonce yet) and returns the answer. */
    Message request(char type, byte[] tid, List<Attribute> attributes) throws Exception {
        return exchange(encode(type, tid, attributes));
    }

    byte[] encode(char type, byte[] tid, List<Attribute> attributes) {
        return encode(type, tid, attributes, true);
    }

    byte[] encode(char type, byte[] tid, List<Attribute> attributes, boolean fingerprint) {
        List<Attribute> all = new ArrayList<>(attributes);
        byte[] key = null;
        if (nonce != null) {
            all.add(AttributeFactory.createUsernameAttribute(username));
            all.add(AttributeFactory.createRealmAttribute(realm.getBytes(StandardCharsets.UTF_8)));
            all.add(AttributeFactory.createNonceAttribute(nonce.getBytes(StandardCharsets.US_ASCII)));
            key = TurnCredentials.longTermKey(username, realm, password);
        }
        return StunWire.encode(type, tid, all, key, fingerprint);
    }

    /** Does the 401 dance: an unsigned request, then the same signed with the REALM and NONCE the server gave. */
    Message authenticated(char type, List<Attribute> attributes) throws Exception {
        if (nonce == null) {
            Message challenge = request(type, tid(), attributes);
            if (errorCode(challenge) != 401) {
                return challenge;
            }
            learn(challenge);
        }
        Message answer = request(type, tid(), attributes);
        if (errorCode(answer) == 438) {
            learn(answer);
            answer = request(type, tid(), attributes);
        }
        return answer;
    }

    void learn(Message challenge) {
        realm = new String(((org.ice4j.attribute.RealmAttribute) challenge.getAttribute(Attribute.REALM)).getRealm(),
                StandardCharsets.UTF_8);
        nonce = new String(((NonceAttribute) challenge.getAttribute(Attribute.NONCE)).getNonce(), StandardCharsets.US_ASCII);
    }

    InetSocketAddress allocate() throws Exception {
        Message m = authenticated(Message.ALLOCATE_REQUEST,
                List.of(AttributeFactory.createRequestedTransportAttribute(RequestedTransport.UDP)));
        if (m.getMessageType() != Message.ALLOCATE_RESPONSE) {
            throw new AssertionError("allocate failed: " + errorCode(m));
        }
        TransportAddress a = ((XorRelayedAddressAttribute) m.getAttribute(Attribute.XOR_RELAYED_ADDRESS))
                .getAddress(m.getTransactionID());
        return new InetSocketAddress(a.getAddress(), a.getPort());
    }

    static Attribute peer(InetSocketAddress peer, byte[] tid) {
        return AttributeFactory.createXorPeerAddressAttribute(
                new TransportAddress(peer.getAddress(), peer.getPort(), Transport.UDP), tid);
    }

    Message exchange(byte[] request) throws Exception {
        send(request);
        return Message.decode(receive(), 0, receiveLength);
    }

    void send(byte[] datagram) throws Exception {
        socket.send(new DatagramPacket(datagram, datagram.length, server));
    }

    private int receiveLength;

    byte[] receive() throws Exception {
        byte[] buf = new byte[4096];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.receive(p);
        receiveLength = p.getLength();
        return java.util.Arrays.copyOf(buf, p.getLength());
    }

    /** The next datagram within {@code millis}, or null. */
    byte[] receiveOrNull(int millis) throws Exception {
        socket.setSoTimeout(millis);
        try {
            return receive();
        } catch (SocketTimeoutException e) {
            return null;
        } finally {
            socket.setSoTimeout(30_000);
        }
    }

    static int errorCode(Message m) {
        Attribute a = m.getAttribute(Attribute.ERROR_CODE);
        return a == null ? 0 : ((ErrorCodeAttribute) a).getErrorCode();
    }

    @Override
    public void close() {
        socket.close();
    }

    /** REQUESTED-TRANSPORT's protocol numbers. */
    static final class RequestedTransport {
        static final byte UDP = 17;
        static final byte TCP = 6;
    }
}
