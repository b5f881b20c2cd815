package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.kaiku.engine.testing.XmppTestClients;

/**
 * Stream management misuse over a raw socket (XEP-0198 sections 3, 5 and 6): each gets the
 * XEP's answer, a {@code <failed/>} with the right condition or the stream error.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamManagementRawTest {
    private static final String SM = "urn:xmpp:sm:3";
    @TempDir
    static Path dataDir;
    private EngineNode node;
    private X509TrustManager trust;

    @BeforeAll
    void start() throws Exception {
        // no unrequested <r/> in the way of the exchanges below
        node = new EngineNode(dataDir, Map.of(
                "kaiku.c2s.stream-management.ack-request-every", 1000,
                "kaiku.c2s.stream-management.ack-request-delay", "10m",
                "kaiku.c2s.stream-management.location", "127.0.0.1:15222"));
        node.addUser("carol@localhost", "carol-secret");
        trust = node.trust();
    }

    @AfterAll
    void stop() throws Exception {
        node.close();
    }

    @Test
    void misuseBeforeAndAfterBindIsAnsweredWithFailed() throws Exception {
        try (SSLSocket s = authenticated()) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            // section 3: enable only after binding
            write(out, "<enable xmlns='" + SM + "'/>");
            assertThat(readUntil(in, "</failed>")).contains("<unexpected-request");
            // section 5: unknown SM-ID
            write(out, "<resume xmlns='" + SM + "' previd='nobody-knows' h='0'/>");
            assertThat(readUntil(in, "</failed>")).contains("<item-not-found");
            // a malformed h, a missing previd
            write(out, "<resume xmlns='" + SM + "' previd='x' h='minus one'/>");
            assertThat(readUntil(in, "</failed>")).contains("<bad-request");
            write(out, "<resume xmlns='" + SM + "' h='0'/>");
            assertThat(readUntil(in, "</failed>")).contains("<bad-request");

            // the failures leave the stream usable: bind, then enable
            bind(out, in, "raw");
            write(out, "<enable xmlns='" + SM + "' resume='true' max='30'/>");
            String enabled = readUntil(in, "/>");
            assertThat(enabled).contains("<enabled xmlns=\"" + SM + "\"").contains("resume=\"true\"")
                    .contains("max=\"30\"").contains("location=\"127.0.0.1:15222\"").contains("id=\"");
            // section 3: enable twice
            write(out, "<enable xmlns='" + SM + "'/>");
            assertThat(readUntil(in, "</failed>")).contains("<unexpected-request");
            // section 5: resume on a bound stream
            write(out, "<resume xmlns='" + SM + "' previd='x' h='0'/>");
            assertThat(readUntil(in, "</failed>")).contains("<unexpected-request");

            // section 4: two stanzas handled, then a request
            write(out, "<iq type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>");
            readUntil(in, "id=\"p1\"");
            assertThat(readUntil(in, "/>")).contains("type=\"result\"");
            write(out, "<presence type='unavailable'/><r xmlns='" + SM + "'/>");
            assertThat(readUntil(in, "h=\"")).contains("<a xmlns=\"" + SM + "\"");
            assertThat(readUntil(in, "/>")).startsWith("2\"");
            write(out, "<a xmlns='" + SM + "' h='1'/>");
            write(out, "</stream:stream>");
            assertThat(XmppTestClients.readToEnd(in)).contains("</stream:stream>").doesNotContain("stream:error");
        }
    }

    @Test
    void acknowledgingMoreThanWasSentEndsTheStreamWithHandledCountTooHigh() throws Exception {
        try (SSLSocket s = authenticated()) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            bind(out, in, "greedy");
            write(out, "<enable xmlns='" + SM + "'/>");
            assertThat(readUntil(in, "/>")).contains("<enabled");
            write(out, "<iq type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>");
            readUntil(in, "id=\"p1\"");
            readUntil(in, "/>");
            write(out, "<a xmlns='" + SM + "' h='10'/>");
            String end = XmppTestClients.readToEnd(in);
            assertThat(end).contains("<undefined-condition xmlns=\"urn:ietf:params:xml:ns:xmpp-streams\"/>")
                    .contains("<handled-count-too-high xmlns=\"" + SM + "\" h=\"10\" send-count=\"1\"/>")
                    .contains("</stream:stream>");
        }
    }

    @Test
    void aMalformedHIsABadFormatStreamErrorAndAnAckWithoutSmIsRefused() throws Exception {
        try (SSLSocket s = authenticated()) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            bind(out, in, "sloppy");
            write(out, "<enable xmlns='" + SM + "'/>");
            assertThat(readUntil(in, "/>")).contains("<enabled");
            write(out, "<a xmlns='" + SM + "' h='many'/>");
            assertThat(XmppTestClients.readToEnd(in)).contains("<bad-format").contains("</stream:stream>");
        }
        try (SSLSocket s = authenticated()) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            bind(out, in, "early");
            write(out, "<r xmlns='" + SM + "'/>");
            assertThat(XmppTestClients.readToEnd(in)).contains("<unsupported-stanza-type").contains("</stream:stream>");
        }
    }

    /**
     * Section 5: a resumption on a new connection replaces the old stream even while that one is
     * still open (it gets conflict), carries the counters over and retransmits what the client's
     * 'h' did not cover.
     */
    @Test
    void aResumptionReplacesAStillOpenStreamAndRetransmitsWhatWasNotAcknowledged() throws Exception {
        try (SSLSocket first = authenticated(); SSLSocket second = authenticated()) {
            OutputStream out1 = first.getOutputStream();
            InputStream in1 = first.getInputStream();
            bind(out1, in1, "roaming");
            write(out1, "<enable xmlns='" + SM + "' resume='1'/>");
            String enabled = readUntil(in1, "/>");
            String id = enabled.replaceAll("(?s).*id=\"([^\"]+)\".*", "$1");
            assertThat(id).isNotBlank().doesNotContain("<");
            write(out1, "<iq type='get' id='v1' to='localhost'><query xmlns='jabber:iq:version'/></iq>");
            readUntil(in1, "</iq>");
            write(out1, "<iq type='get' id='v2' to='localhost'><query xmlns='jabber:iq:version'/></iq>");
            readUntil(in1, "</iq>");

            // the client saw one of the two results; the server handled two of its stanzas
            OutputStream out2 = second.getOutputStream();
            InputStream in2 = second.getInputStream();
            write(out2, "<resume xmlns='" + SM + "' previd='" + id + "' h='1'/>");
            String resumed = readUntil(in2, "/>");
            assertThat(resumed).contains("<resumed xmlns=\"" + SM + "\"").contains("previd=\"" + id + "\"").contains("h=\"2\"");
            String resent = readUntil(in2, "</iq>");
            assertThat(resent).contains("id=\"v2\"").doesNotContain("id=\"v1\"");
            assertThat(XmppTestClients.readToEnd(in1)).as("the old stream is closed").contains("<conflict").contains("</stream:stream>");

            // the resumed stream goes on counting from where the old one was
            write(out2, "<iq type='get' id='v3' to='localhost'><query xmlns='jabber:iq:version'/></iq>");
            readUntil(in2, "</iq>");
            write(out2, "<r xmlns='" + SM + "'/>");
            readUntil(in2, "<a ");
            assertThat(readUntil(in2, "/>")).contains("h=\"3\"");
            write(out2, "<a xmlns='" + SM + "' h='3'/></stream:stream>");
            assertThat(XmppTestClients.readToEnd(in2)).contains("</stream:stream>").doesNotContain("stream:error");
        }
    }

    private SSLSocket authenticated() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {trust}, null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(InetAddress.getByName("127.0.0.1"), node.engine.c2sTlsPort());
        s.setSoTimeout(30_000);
        s.startHandshake();
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        write(out, XmppTestClients.streamOpen());
        readUntil(in, "</stream:features>");
        String plain = Base64.getEncoder().encodeToString("\0carol\0carol-secret".getBytes(StandardCharsets.UTF_8));
        write(out, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>" + plain + "</auth>");
        assertThat(readUntil(in, "/>")).contains("<success");
        write(out, XmppTestClients.streamOpen());
        // section 2: offered after authentication, beside bind
        assertThat(readUntil(in, "</stream:features>")).contains("<sm xmlns=\"" + SM + "\"/>");
        return s;
    }

    private static void bind(OutputStream out, InputStream in, String resource) throws Exception {
        write(out, "<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>" + resource
                + "</resource></bind></iq>");
        assertThat(readUntil(in, "</iq>")).contains("carol@localhost/" + resource);
    }

    private static void write(OutputStream out, String xml) throws Exception {
        out.write(xml.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Reads byte by byte up to and including the marker, so nothing after it is consumed. */
    private static String readUntil(InputStream in, String marker) throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (!got.toString(StandardCharsets.UTF_8).endsWith(marker)) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("closed before " + marker + ": " + got.toString(StandardCharsets.UTF_8));
            }
            got.write(b);
        }
        return got.toString(StandardCharsets.UTF_8);
    }
}
