package org.kaiku.relay.turn;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.kaiku.relay.RelayNode;

/**
 * STUN/TURN over TCP on the UDP port's number (RFC 8656 section 3.1): a Binding request split
 * across writes is answered on the connection, two requests in one write both; a stream that is
 * neither STUN nor ChannelData is closed. Allocations over TCP are exercised by TurnUclientTest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TurnTcpTest {
    private RelayNode relay;

    @BeforeAll
    void start() {
        relay = RelayNode.start(ConfigFactory.parseString("pekko.loglevel = WARNING").withFallback(ConfigFactory.load()),
                "127.0.0.1", 0);
    }

    @AfterAll
    void stop() throws Exception {
        relay.close();
    }

    private static byte[] binding(int id) {
        byte[] b = new byte[20];
        b[1] = 0x01;
        b[4] = 0x21;
        b[5] = 0x12;
        b[6] = (byte) 0xA4;
        b[7] = 0x42;
        b[19] = (byte) id;
        return b;
    }

    private static byte[] readMessage(DataInputStream in) throws Exception {
        byte[] header = new byte[20];
        in.readFully(header);
        byte[] body = new byte[((header[2] & 0xff) << 8) | (header[3] & 0xff)];
        in.readFully(body);
        return header;
    }

    @Test
    void bindingOverTcpInPiecesAndBackToBack() throws Exception {
        try (Socket s = new Socket("127.0.0.1", relay.stunAddress().getPort())) {
            s.setSoTimeout(30_000);
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] one = binding(1);
            out.write(one, 0, 7);
            out.flush();
            Thread.sleep(50); // two TCP segments, not a timing assertion
            out.write(one, 7, 13);
            byte[] answer = readMessage(in);
            assertThat(answer[0]).isEqualTo((byte) 0x01);
            assertThat(answer[1]).isEqualTo((byte) 0x01); // Binding success
            assertThat(answer[19]).isEqualTo((byte) 1);
            byte[] two = new byte[40];
            System.arraycopy(binding(2), 0, two, 0, 20);
            System.arraycopy(binding(3), 0, two, 20, 20);
            out.write(two);
            assertThat(readMessage(in)[19]).isEqualTo((byte) 2);
            assertThat(readMessage(in)[19]).isEqualTo((byte) 3);
        }
    }

    @Test
    void garbageClosesTheConnection() throws Exception {
        try (Socket s = new Socket("127.0.0.1", relay.stunAddress().getPort())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            int read;
            try {
                read = s.getInputStream().read();
            } catch (java.net.SocketException reset) {
                read = -1;
            }
            assertThat(read).isEqualTo(-1);
        }
    }
}
