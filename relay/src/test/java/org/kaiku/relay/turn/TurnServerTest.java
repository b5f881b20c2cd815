package org.kaiku.relay.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kaiku.relay.turn.TurnTestClient.errorCode;
import static org.kaiku.relay.turn.TurnTestClient.peer;
import static org.kaiku.relay.turn.TurnTestClient.tid;

import com.typesafe.config.ConfigFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.DataAttribute;
import org.ice4j.attribute.LifetimeAttribute;
import org.ice4j.attribute.UnknownAttributesAttribute;
import org.ice4j.attribute.XorPeerAddressAttribute;
import org.ice4j.attribute.XorRelayedAddressAttribute;
import org.ice4j.message.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.kaiku.relay.RelayNode;

/**
 * TURN over UDP on loopback with a hand-made client on ice4j's codecs: the long-term credential
 * exchange (401, 438, 400, MESSAGE-INTEGRITY both ways), allocations and their mismatch (437),
 * permissions with Send/Data indications, channels with ChannelData, Refresh and deletion, the
 * time-limited shared-secret credentials, quotas (486, 508), unsupported requests (442, 440, 420,
 * 403), hostile datagrams, and expiry of permissions and allocations on the scheduler.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TurnServerTest {
    /** A clock the test moves by hand. */
    static final class MovableClock extends Clock {
        private volatile Instant now = Instant.now();

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final MovableClock clock = new MovableClock();
    private RelayNode relay;
    private RelayNode strict;
    private RelayNode shortLived;

    @BeforeAll
    void start() {
        relay = RelayNode.start(config("allow-loopback-peers = true"), Clock.systemUTC());
        strict = RelayNode.start(config("user-quota = 2, total-quota = 3"), clock);
        shortLived = RelayNode.start(config("""
                allow-loopback-peers = true, permission-lifetime = 1s, default-lifetime = 3s, max-lifetime = 3s"""),
                Clock.systemUTC());
    }

    private static com.typesafe.config.Config config(String extra) {
        return ConfigFactory.parseString("pekko.loglevel = WARNING\nkaiku.relay { host = \"127.0.0.1\", port = 0, "
                + "relay-host = \"127.0.0.1\", realm = \"kaiku.test\", users { alice = \"wonderland\", bob = \"builder\" }, "
                + "shared-secret = \"north\", " + extra + " }").withFallback(ConfigFactory.load());
    }

    @AfterAll
    void stop() throws Exception {
        relay.close();
        strict.close();
        shortLived.close();
    }

    @Test
    void allocateIsChallengedThenGrantedAndRelaysIndications() throws Exception {
        try (TurnTestClient c = new TurnTestClient(relay.stunAddress(), "alice", "wonderland");
                DatagramSocket peerSocket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            List<Attribute> udp = List.of(AttributeFactory.createRequestedTransportAttribute((byte) 17));
            Message challenge = c.request(Message.ALLOCATE_REQUEST, tid(), udp);
            assertThat(challenge.getMessageType()).isEqualTo(Message.ALLOCATE_ERROR_RESPONSE);
            assertThat(errorCode(challenge)).isEqualTo(401);
            assertThat(challenge.containsAttribute(Attribute.REALM)).isTrue();
            assertThat(challenge.containsAttribute(Attribute.NONCE)).isTrue();
            assertThat(challenge.containsAttribute(Attribute.MESSAGE_INTEGRITY)).isFalse();
            c.learn(challenge);

            byte[] tid = tid();
            byte[] request = c.encode(Message.ALLOCATE_REQUEST, tid, udp);
            c.send(request);
            byte[] granted = c.receive();
            Message ok = Message.decode(granted, 0, granted.length);
            assertThat(ok.getMessageType()).isEqualTo(Message.ALLOCATE_RESPONSE);
            assertThat(StunWire.integrityMatches(granted, TurnCredentials.longTermKey("alice", "kaiku.test", "wonderland")))
                    .isTrue();
            assertThat(((LifetimeAttribute) ok.getAttribute(Attribute.LIFETIME)).getLifetime()).isEqualTo(600);
            TransportAddress r = ((XorRelayedAddressAttribute) ok.getAttribute(Attribute.XOR_RELAYED_ADDRESS))
                    .getAddress(ok.getTransactionID());
            InetSocketAddress relayed = new InetSocketAddress(r.getAddress(), r.getPort());
            assertThat(relayed.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(ok.containsAttribute(Attribute.XOR_MAPPED_ADDRESS)).isTrue();

            // a retransmission gets the same answer; another Allocate on the 5-tuple gets 437
            c.send(request);
            assertThat(c.receive()).isEqualTo(granted);
            assertThat(errorCode(c.request(Message.ALLOCATE_REQUEST, tid(), udp))).isEqualTo(437);

            InetSocketAddress peerAddress = (InetSocketAddress) peerSocket.getLocalSocketAddress();
            byte[] hello = "hello peer".getBytes(StandardCharsets.UTF_8);
            // no permission yet: a Send indication is dropped, and so is what the peer sends to the relayed address
            c.send(sendIndication(peerAddress, hello));
            peerSocket.setSoTimeout(300);
            assertThat(receiveOrNull(peerSocket)).isNull();
            peerSocket.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, relayed));
            assertThat(c.receiveOrNull(300)).isNull();

            byte[] ptid = tid();
            Message permitted = c.request(Message.CREATEPERMISSION_REQUEST, ptid, List.of(peer(peerAddress, ptid)));
            assertThat(permitted.getMessageType()).isEqualTo(Message.CREATEPERMISSION_RESPONSE);

            c.send(sendIndication(peerAddress, hello));
            peerSocket.setSoTimeout(30_000);
            DatagramPacket atPeer = receive(peerSocket);
            assertThat(Arrays.copyOf(atPeer.getData(), atPeer.getLength())).isEqualTo(hello);
            assertThat(atPeer.getSocketAddress()).isEqualTo(relayed);

            // the permitted peer's datagrams are relayed, as Data indications
            byte[] back = "hello client".getBytes(StandardCharsets.UTF_8);
            peerSocket.send(new DatagramPacket(back, back.length, relayed));
            byte[] data = c.receive();
            Message indication = Message.decode(data, 0, data.length);
            assertThat(indication.getMessageType()).isEqualTo(Message.DATA_INDICATION);
            assertThat(((DataAttribute) indication.getAttribute(Attribute.DATA)).getData()).isEqualTo(back);
            TransportAddress from = ((XorPeerAddressAttribute) indication.getAttribute(Attribute.XOR_PEER_ADDRESS))
                    .getAddress(indication.getTransactionID());
            assertThat(from.getPort()).isEqualTo(peerAddress.getPort());
            assertThat(c.receiveOrNull(300)).isNull();
        }
    }

    @Test
    void channelsCarryChannelDataBothWays() throws Exception {
        try (TurnTestClient c = new TurnTestClient(relay.stunAddress(), "bob", "builder");
                DatagramSocket peerSocket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                DatagramSocket other = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            InetSocketAddress relayed = c.allocate();
            InetSocketAddress peerAddress = (InetSocketAddress) peerSocket.getLocalSocketAddress();
            InetSocketAddress otherAddress = (InetSocketAddress) other.getLocalSocketAddress();
            assertThat(channelBind(c, 0x4001, peerAddress).getMessageType()).isEqualTo(Message.CHANNELBIND_RESPONSE);
            // refreshing the same binding is fine; a second peer on the channel, a second channel for the peer, a number out of range are not
            assertThat(channelBind(c, 0x4001, peerAddress).getMessageType()).isEqualTo(Message.CHANNELBIND_RESPONSE);
            assertThat(errorCode(channelBind(c, 0x4001, otherAddress))).isEqualTo(400);
            assertThat(errorCode(channelBind(c, 0x4002, peerAddress))).isEqualTo(400);
            assertThat(errorCode(channelBind(c, 0x3FFF, otherAddress))).isEqualTo(400);

            byte[] payload = "over channel".getBytes(StandardCharsets.UTF_8);
            c.send(channelData(0x4001, payload));
            c.send(channelData(0x4005, payload)); // not bound: dropped
            peerSocket.setSoTimeout(30_000);
            DatagramPacket atPeer = receive(peerSocket);
            assertThat(Arrays.copyOf(atPeer.getData(), atPeer.getLength())).isEqualTo(payload);
            peerSocket.setSoTimeout(300);
            assertThat(receiveOrNull(peerSocket)).isNull();

            byte[] back = "channel back".getBytes(StandardCharsets.UTF_8);
            peerSocket.send(new DatagramPacket(back, back.length, relayed));
            assertThat(c.receive()).isEqualTo(channelData(0x4001, back));
        }
    }

    @Test
    void refreshSetsLifetimesAndZeroDeletes() throws Exception {
        try (TurnTestClient c = new TurnTestClient(relay.stunAddress(), "alice", "wonderland")) {
            c.allocate();
            assertThat(lifetime(c.request(Message.REFRESH_REQUEST, tid(), List.of(AttributeFactory.createLifetimeAttribute(60)))))
                    .isEqualTo(600);
            assertThat(lifetime(c.request(Message.REFRESH_REQUEST, tid(), List.of(AttributeFactory.createLifetimeAttribute(100_000)))))
                    .isEqualTo(3600);
            assertThat(lifetime(c.request(Message.REFRESH_REQUEST, tid(), List.of()))).isEqualTo(600);
            Message deleted = c.request(Message.REFRESH_REQUEST, tid(), List.of(AttributeFactory.createLifetimeAttribute(0)));
            assertThat(deleted.getMessageType()).isEqualTo(Message.REFRESH_RESPONSE);
            assertThat(lifetime(deleted)).isZero();
            byte[] t = tid();
            Message gone = c.request(Message.CREATEPERMISSION_REQUEST, t,
                    List.of(peer(new InetSocketAddress("127.0.0.1", 9), t)));
            assertThat(errorCode(gone)).isEqualTo(437);
            assertThat(errorCode(c.request(Message.REFRESH_REQUEST, tid(), List.of()))).isEqualTo(437);
        }
    }

    @Test
    void wrongCredentialsAndMissingAttributesAreRefused() throws Exception {
        try (TurnTestClient c = new TurnTestClient(relay.stunAddress(), "alice", "not-the-password")) {
            List<Attribute> udp = List.of(AttributeFactory.createRequestedTransportAttribute((byte) 17));
            Message wrong = c.authenticated(Message.ALLOCATE_REQUEST, udp);
            assertThat(errorCode(wrong)).isEqualTo(401);
            assertThat(wrong.containsAttribute(Attribute.MESSAGE_INTEGRITY)).isFalse();
            c.username = "mallory";
            assertThat(errorCode(c.request(Message.ALLOCATE_REQUEST, tid(), udp))).isEqualTo(401);
            // MESSAGE-INTEGRITY without NONCE: 400
            byte[] t = tid();
            List<Attribute> noNonce = new ArrayList<>(udp);
            noNonce.add(AttributeFactory.createUsernameAttribute("alice"));
            noNonce.add(AttributeFactory.createRealmAttribute("kaiku.test".getBytes(StandardCharsets.UTF_8)));
            byte[] unsigned = StunWire.encode(Message.ALLOCATE_REQUEST, t, noNonce,
                    TurnCredentials.longTermKey("alice", "kaiku.test", "wonderland"), false);
            assertThat(errorCode(c.exchange(unsigned))).isEqualTo(400);
            // a nonce this server never minted: 438 with a fresh one
            c.username = "alice";
            c.password = "wonderland";
            c.nonce = "0000000000000000000000000000000000000000";
            Message forged = c.request(Message.ALLOCATE_REQUEST, tid(), udp);
            assertThat(errorCode(forged)).isEqualTo(438);
            assertThat(forged.containsAttribute(Attribute.NONCE)).isTrue();
            c.learn(forged);
            assertThat(c.request(Message.ALLOCATE_REQUEST, tid(), udp).getMessageType()).isEqualTo(Message.ALLOCATE_RESPONSE);
            // a tampered signed request: 401
            byte[] tampered = c.encode(Message.REFRESH_REQUEST, tid(), List.of(AttributeFactory.createLifetimeAttribute(700)), false);
            tampered[Message.HEADER_LENGTH + 7] ^= 1; // inside LIFETIME, before MESSAGE-INTEGRITY
            assertThat(errorCode(c.exchange(tampered))).isEqualTo(401);
            c.request(Message.REFRESH_REQUEST, tid(), List.of(AttributeFactory.createLifetimeAttribute(0)));
        }
    }

    @Test
    void staleNonceGets438AndAFreshNonce() throws Exception {
        try (TurnTestClient c = new TurnTestClient(strict.stunAddress(), "alice", "wonderland")) {
            List<Attribute> udp = List.of(AttributeFactory.createRequestedTransportAttribute((byte) 17));
            c.learn(c.request(Message.ALLOCATE_REQUEST, tid(), udp));
            String first = c.nonce;
            clock.advance(Duration.ofMinutes(11));
            Message stale = c.request(Message.ALLOCATE_REQUEST, tid(), udp);
            assertThat(errorCode(stale)).isEqualTo(438);
            c.learn(stale);
            assertThat(c.nonce).isNotEqualTo(first);
            Message ok = c.request(Message.ALLOCATE_REQUEST, tid(), udp);
            assertThat(ok.getMessageType()).isEqualTo(Message.ALLOCATE_RESPONSE);
            c.request(Message.REFRESH_REQUEST, tid(), List.of(AttributeFactory.createLifetimeAttribute(0)));
        }
    }

    @Test
    void timeLimitedCredentialsFromTheSharedSecret() throws Exception {
        long expiry = clock.millis() / 1000 + 3600;
        String user = expiry + ":carol";
        try (TurnTestClient c = new TurnTestClient(strict.stunAddress(), user, TurnCredentials.restPassword("north", user))) {
            c.allocate();
            c.request(Message.REFRESH_REQUEST, tid(), List.of(AttributeFactory.createLifetimeAttribute(0)));
        }
        try (TurnTestClient c = new TurnTestClient(strict.stunAddress(), user, TurnCredentials.restPassword("south", user))) {
            assertThat(errorCode(c.authenticated(Message.ALLOCATE_REQUEST,
                    List.of(AttributeFactory.createRequestedTransportAttribute((byte) 17))))).isEqualTo(401);
        }
        String expired = (clock.millis() / 1000 - 1) + ":carol";
        try (TurnTestClient c = new TurnTestClient(strict.stunAddress(), expired, TurnCredentials.restPassword("north", expired))) {
            assertThat(errorCode(c.authenticated(Message.ALLOCATE_REQUEST,
                    List.of(AttributeFactory.createRequestedTransportAttribute((byte) 17))))).isEqualTo(401);
        }
    }

    @Test
    void allocationFloodIsBoundedByQuotas() throws Exception {
        List<TurnTestClient> clients = new ArrayList<>();
        try {
            List<Attribute> udp = List.of(AttributeFactory.createRequestedTransportAttribute((byte) 17));
            int granted = 0;
            int quota = 0;
            for (int i = 0; i < 6; i++) {
                TurnTestClient c = new TurnTestClient(strict.stunAddress(), "alice", "wonderland");
                clients.add(c);
                Message m = c.authenticated(Message.ALLOCATE_REQUEST, udp);
                if (m.getMessageType() == Message.ALLOCATE_RESPONSE) {
                    granted++;
                } else {
                    assertThat(errorCode(m)).isEqualTo(486);
                    quota++;
                }
            }
            assertThat(granted).isEqualTo(2);
            assertThat(quota).isEqualTo(4);
            TurnTestClient b = new TurnTestClient(strict.stunAddress(), "bob", "builder");
            clients.add(b);
            b.allocate();
            TurnTestClient b2 = new TurnTestClient(strict.stunAddress(), "bob", "builder");
            clients.add(b2);
            assertThat(errorCode(b2.authenticated(Message.ALLOCATE_REQUEST, udp))).isEqualTo(508); // total-quota 3
        } finally {
            for (TurnTestClient c : clients) {
                if (c.nonce != null) {
                    // answered (200 or 437) before the next test counts this user's allocations
                    c.request(Message.REFRESH_REQUEST, tid(), List.of(AttributeFactory.createLifetimeAttribute(0)));
                }
                c.close();
            }
        }
    }

    @Test
    void unsupportedRequestsGetTheirErrors() throws Exception {
        try (TurnTestClient c = new TurnTestClient(strict.stunAddress(), "bob", "builder")) {
            assertThat(errorCode(c.authenticated(Message.ALLOCATE_REQUEST,
                    List.of(AttributeFactory.createRequestedTransportAttribute((byte) 6))))).isEqualTo(442);
            assertThat(errorCode(c.request(Message.ALLOCATE_REQUEST, tid(), List.of()))).isEqualTo(400);
            assertThat(errorCode(c.request(Message.ALLOCATE_REQUEST, tid(), List.of(
                    AttributeFactory.createRequestedTransportAttribute((byte) 17),
                    AttributeFactory.createRequestedAddressFamilyAttribute(
                            org.ice4j.attribute.RequestedAddressFamilyAttribute.IPv6))))).isEqualTo(440);
            // DONT-FRAGMENT before MESSAGE-INTEGRITY would need ice4j's package-private constructor: sent unsigned, it is refused before authentication
            byte[] plain = StunWire.encode(Message.ALLOCATE_REQUEST, tid(),
                    List.of(AttributeFactory.createRequestedTransportAttribute((byte) 17)), null, false);
            byte[] withDf = Arrays.copyOf(plain, plain.length + 4); // DONT-FRAGMENT: type 0x001A, no value
            withDf[plain.length + 1] = 0x1A;
            int length = withDf.length - Message.HEADER_LENGTH;
            withDf[2] = (byte) (length >> 8);
            withDf[3] = (byte) length;
            Message df = c.exchange(withDf);
            assertThat(errorCode(df)).isEqualTo(420);
            assertThat(((UnknownAttributesAttribute) df.getAttribute(Attribute.UNKNOWN_ATTRIBUTES)).contains(Attribute.DONT_FRAGMENT))
                    .isTrue();
            c.allocate();
            // this relay does not reach loopback peers
            byte[] t = tid();
            assertThat(errorCode(c.request(Message.CREATEPERMISSION_REQUEST, t,
                    List.of(peer(new InetSocketAddress("127.0.0.1", 9), t))))).isEqualTo(403);
            assertThat(errorCode(c.request(Message.CREATEPERMISSION_REQUEST, tid(), List.of()))).isEqualTo(400);
            c.request(Message.REFRESH_REQUEST, tid(), List.of(AttributeFactory.createLifetimeAttribute(0)));
        }
    }

    @Test
    void hostileDatagramsDoNotHurtTheService() throws Exception {
        try (TurnTestClient c = new TurnTestClient(relay.stunAddress(), "alice", "wonderland")) {
            byte[] ok = c.encode(Message.ALLOCATE_REQUEST, tid(), List.of(AttributeFactory.createRequestedTransportAttribute((byte) 17)));
            byte[] badLengthAttr = ok.clone();
            badLengthAttr[Message.HEADER_LENGTH + 3] = (byte) 0xF0; // the first attribute claims more than there is
            List<byte[]> hostile = List.of(new byte[0], new byte[] {0x40}, new byte[] {0x40, 0x01, 0x7F, (byte) 0xFF},
                    Arrays.copyOf(ok, 19), badLengthAttr, "\u0001\u0002garbage".getBytes(StandardCharsets.UTF_8),
                    new byte[1500]);
            for (int i = 0; i < hostile.size(); i++) {
                // each one gets no answer, and the service still answers what follows it
                c.send(hostile.get(i));
                byte[] btid = tid();
                c.send(StunWire.encode(Message.BINDING_REQUEST, btid, List.of(), null, false));
                byte[] answer = c.receive();
                Message binding = Message.decode(answer, 0, answer.length);
                assertThat(binding.getMessageType()).as("after hostile datagram " + i).isEqualTo(Message.BINDING_SUCCESS_RESPONSE);
                assertThat(binding.getTransactionID()).isEqualTo(btid);
            }
            assertThat(errorCode(c.exchange(ok))).isEqualTo(401);
            Message m = c.request(Message.ALLOCATE_REQUEST, tid(), List.of(AttributeFactory.createRequestedTransportAttribute((byte) 17)));
            assertThat(errorCode(m)).isEqualTo(401);
            c.learn(m);
            c.allocate();
            c.request(Message.REFRESH_REQUEST, tid(), List.of(AttributeFactory.createLifetimeAttribute(0)));
        }
    }

    @Test
    void permissionsAndAllocationsExpireOnTheScheduler() throws Exception {
        try (TurnTestClient c = new TurnTestClient(shortLived.stunAddress(), "alice", "wonderland");
                DatagramSocket peerSocket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            InetSocketAddress relayed = c.allocate();
            InetSocketAddress peerAddress = (InetSocketAddress) peerSocket.getLocalSocketAddress();
            byte[] t = tid();
            assertThat(c.request(Message.CREATEPERMISSION_REQUEST, t, List.of(peer(peerAddress, t))).getMessageType())
                    .isEqualTo(Message.CREATEPERMISSION_RESPONSE);
            peerSocket.send(new DatagramPacket(new byte[] {7}, 1, relayed));
            assertThat(c.receive()).isNotNull();
            // the permission lapses after its lifetime: the peer's datagrams stop arriving
            boolean lapsed = false;
            long giveUp = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!lapsed && System.nanoTime() < giveUp) {
                peerSocket.send(new DatagramPacket(new byte[] {8}, 1, relayed));
                lapsed = c.receiveOrNull(500) == null;
                if (!lapsed) {
                    Thread.sleep(200);
                }
            }
            assertThat(lapsed).isTrue();
            // the allocation lapses too: its 5-tuple then has none
            int code = 0;
            for (int i = 0; i < 60 && code != 437; i++) {
                byte[] u = tid();
                code = errorCode(c.request(Message.CREATEPERMISSION_REQUEST, u, List.of(peer(peerAddress, u))));
                if (code != 437) {
                    Thread.sleep(250);
                }
            }
            assertThat(code).isEqualTo(437);
        }
    }

    private static Message channelBind(TurnTestClient c, int channel, InetSocketAddress peer) throws Exception {
        byte[] t = tid();
        return c.request(Message.CHANNELBIND_REQUEST, t,
                List.of(AttributeFactory.createChannelNumberAttribute((char) channel), peer(peer, t)));
    }

    static byte[] channelData(int channel, byte[] payload) {
        byte[] out = new byte[4 + payload.length];
        out[0] = (byte) (channel >> 8);
        out[1] = (byte) channel;
        out[2] = (byte) (payload.length >> 8);
        out[3] = (byte) payload.length;
        System.arraycopy(payload, 0, out, 4, payload.length);
        return out;
    }

    private static byte[] sendIndication(InetSocketAddress peer, byte[] data) {
        byte[] t = tid();
        return StunWire.encode(Message.SEND_INDICATION, t,
                List.of(peer(peer, t), AttributeFactory.createDataAttribute(data)), null, false);
    }

    private static int lifetime(Message m) {
        return ((LifetimeAttribute) m.getAttribute(Attribute.LIFETIME)).getLifetime();
    }

    private static DatagramPacket receive(DatagramSocket s) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
        s.receive(p);
        return p;
    }

    private static byte[] receiveOrNull(DatagramSocket s) throws Exception {
        try {
            DatagramPacket p = receive(s);
            return Arrays.copyOf(p.getData(), p.getLength());
        } catch (java.net.SocketTimeoutException e) {
            return null;
        }
    }
}
