package org.kaiku.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.ErrorCodeAttribute;
import org.ice4j.attribute.UnknownAttributesAttribute;
import org.ice4j.attribute.XorMappedAddressAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The relay's STUN Binding service on a real UDP socket on loopback: coturn's own
 * {@code turnutils_stunclient} (Debian package coturn) gets its address back; a Binding request
 * built with ice4j's client side gets XOR-MAPPED-ADDRESS and FINGERPRINT; hostile datagrams
 * (garbage, an RFC 3489 header, a response, a truncated message) get no answer and the server
 * goes on answering; an unknown comprehension-required attribute gets 420, another method 400.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StunServerTest {
    private RelayNode relay;
    private InetSocketAddress stun;

    @BeforeAll
    void start() {
        relay = RelayNode.start(ConfigFactory.parseString("pekko.loglevel = WARNING").withFallback(ConfigFactory.load()),
                "127.0.0.1", 0);
        stun = relay.stunAddress();
    }

    @AfterAll
    void stop() throws Exception {
        relay.close();
    }

    @Test
    void coturnsStunClientGetsItsAddress() throws Exception {
        boolean ci = "true".equals(System.getenv("CI"));
        boolean present = onPath("turnutils_stunclient");
        if (ci) {
            assertThat(present).as("turnutils_stunclient (coturn) on PATH under CI").isTrue();
        } else {
            assumeThat(present).as("turnutils_stunclient on PATH (apt-get install coturn)").isTrue();
        }
        Process p = new ProcessBuilder("turnutils_stunclient", "-p", String.valueOf(stun.getPort()), "127.0.0.1")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        System.out.println(out);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).containsPattern("(?i)UDP reflexive addr: 127\\.0\\.0\\.1:\\d+");
    }

    @Test
    void bindingAnswersWithXorMappedAddressAndFingerprint() throws Exception {
        try (DatagramSocket client = client()) {
            Request request = MessageFactory.createBindingRequest();
            request.setTransactionID(transactionId(1));
            Message answer = exchange(client, request.encode(null));
            assertThat(answer.getMessageType()).isEqualTo(Message.BINDING_SUCCESS_RESPONSE);
            assertThat(answer.getTransactionID()).isEqualTo(transactionId(1));
            XorMappedAddressAttribute mapped = (XorMappedAddressAttribute) answer.getAttribute(Attribute.XOR_MAPPED_ADDRESS);
            TransportAddress address = mapped.getAddress(answer.getTransactionID());
            assertThat(address.getPort()).isEqualTo(client.getLocalPort());
            assertThat(address.getAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));
            assertThat(answer.containsAttribute(Attribute.FINGERPRINT)).isTrue();
            assertThat(answer.containsAttribute(Attribute.SOFTWARE)).isTrue();
        }
    }

    @Test
    void hostileDatagramsGetNoAnswerAndTheServiceGoesOn() throws Exception {
        try (DatagramSocket client = client()) {
            Request goodRequest = MessageFactory.createBindingRequest();
            goodRequest.setTransactionID(transactionId(4));
            byte[] good = goodRequest.encode(null);
            byte[] rfc3489 = good.clone();
            rfc3489[4] = 0x12; // no magic cookie: an RFC 3489 client, not served
            byte[] truncated = Arrays.copyOf(good, good.length - 4);
            Request answered = MessageFactory.createBindingRequest();
            answered.setTransactionID(transactionId(9));
            org.ice4j.message.Response fake = MessageFactory.createBindingResponse(answered,
                    new TransportAddress("127.0.0.1", 1, org.ice4j.Transport.UDP));
            fake.setTransactionID(transactionId(9));
            byte[] response = fake.encode(null);
            byte[] garbage = "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            for (byte[] hostile : new byte[][] {garbage, rfc3489, truncated, response, new byte[0], new byte[4096]}) {
                client.send(new DatagramPacket(hostile, hostile.length, stun));
            }
            client.setSoTimeout(500);
            byte[] buf = new byte[2048];
            // none of them is answered: the first answer to arrive is the good request's
            client.send(new DatagramPacket(good, good.length, stun));
            client.setSoTimeout(30_000);
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            client.receive(p);
            Message answer = Message.decode(p.getData(), 0, p.getLength());
            assertThat(answer.getMessageType()).isEqualTo(Message.BINDING_SUCCESS_RESPONSE);
            client.setSoTimeout(500);
            try {
                client.receive(new DatagramPacket(buf, buf.length));
                throw new AssertionError("a hostile datagram was answered");
            } catch (SocketTimeoutException expected) {
                // nothing else came back
            }
        }
    }

    @Test
    void unknownRequiredAttributesAndOtherMethodsGetErrors() throws Exception {
        try (DatagramSocket client = client()) {
            Request request = MessageFactory.createBindingRequest();
            request.setTransactionID(transactionId(2));
            byte[] wire = withAttribute(request.encode(null), (char) 0x7F01);
            Message unknown = exchange(client, wire);
            assertThat(unknown.getMessageType()).isEqualTo(Message.BINDING_ERROR_RESPONSE);
            assertThat(((ErrorCodeAttribute) unknown.getAttribute(Attribute.ERROR_CODE)).getErrorCode())
                    .isEqualTo(ErrorCodeAttribute.UNKNOWN_ATTRIBUTE);
            UnknownAttributesAttribute listed = (UnknownAttributesAttribute) unknown.getAttribute(Attribute.UNKNOWN_ATTRIBUTES);
            assertThat(listed.getAttribute(0)).isEqualTo((char) 0x7F01);

            // the legacy Shared Secret method (0x002) is not served: 400 of that method
            Request binding = MessageFactory.createBindingRequest();
            binding.setTransactionID(transactionId(3));
            byte[] sharedSecret = binding.encode(null);
            sharedSecret[1] = 0x02;
            Message refused = exchange(client, sharedSecret);
            assertThat(refused.getMessageType()).isEqualTo((char) 0x0112);
            assertThat(((ErrorCodeAttribute) refused.getAttribute(Attribute.ERROR_CODE)).getErrorCode())
                    .isEqualTo(ErrorCodeAttribute.BAD_REQUEST);
        }
    }

    /** The message with one more attribute of {@code type} and 4 bytes of value, its length fixed up. */
    private static byte[] withAttribute(byte[] message, char type) {
        byte[] out = Arrays.copyOf(message, message.length + 8);
        int i = message.length;
        out[i] = (byte) (type >> 8);
        out[i + 1] = (byte) type;
        out[i + 3] = 4;
        int length = out.length - Message.HEADER_LENGTH;
        out[2] = (byte) (length >> 8);
        out[3] = (byte) length;
        return out;
    }

    private DatagramSocket client() throws Exception {
        return new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    }

    private Message exchange(DatagramSocket client, byte[] request) throws Exception {
        client.setSoTimeout(30_000);
        client.send(new DatagramPacket(request, request.length, stun));
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        client.receive(p);
        return Message.decode(p.getData(), 0, p.getLength());
    }

    private static byte[] transactionId(int n) {
        byte[] id = new byte[12];
        id[11] = (byte) n;
        id[0] = 0x4B;
        return id;
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
