package org.kaiku.protocol.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.kaiku.protocol.stream.StreamError;
import org.kaiku.protocol.stream.StreamError.Condition;
import org.kaiku.protocol.stream.XmlStreamException;
import org.kaiku.protocol.xml.DecoderLimits;
import org.kaiku.protocol.xml.StreamEvent;
import org.kaiku.protocol.xml.XmlElement;

/** RFC 7395 framing: messages as the WebSocket layer delivers them, whole or in chunks. */
class WebSocketStreamDecoderTest {
    private static final String OPEN = "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='example.com' version='1.0' xml:lang='fi'/>";

    private static StreamEvent message(WebSocketStreamDecoder d, String text, int chunk) throws XmlStreamException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int off = 0; off < bytes.length; off += chunk) {
            d.feed(bytes, off, Math.min(chunk, bytes.length - off));
        }
        return d.endOfMessage();
    }

    @Test
    void openStanzasAndCloseBecomeStreamEventsWhateverTheChunks() throws Exception {
        for (int chunk : new int[] {1, 3, 7, 4096}) {
            WebSocketStreamDecoder d = new WebSocketStreamDecoder(DecoderLimits.DEFAULT);
            StreamEvent open = message(d, OPEN, chunk);
            assertThat(open).isInstanceOf(StreamEvent.StreamOpen.class);
            StreamEvent.StreamOpen o = (StreamEvent.StreamOpen) open;
            assertThat(o.defaultNamespace()).isEqualTo("jabber:client");
            assertThat(o.to()).isEqualTo("example.com");
            assertThat(o.version()).isEqualTo("1.0");
            assertThat(o.lang()).isEqualTo("fi");

            StreamEvent m = message(d, "<message xmlns='jabber:client' to='juliet@example.com'><body>hyvää päivää</body></message>\n", chunk);
            XmlElement el = ((StreamEvent.StreamElement) m).element();
            assertThat(el.name()).isEqualTo("message");
            assertThat(el.namespace()).isEqualTo("jabber:client");
            assertThat(el.childText("body", "jabber:client")).isEqualTo("hyvää päivää");

            StreamEvent auth = message(d, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldAByMG0zMG15cjBtMzA=</auth>", chunk);
            assertThat(((StreamEvent.StreamElement) auth).element().namespace()).isEqualTo("urn:ietf:params:xml:ns:xmpp-sasl");

            assertThat(message(d, "<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>", chunk)).isInstanceOf(StreamEvent.StreamClose.class);
            assertThat(d.isClosed()).isTrue();
        }
    }

    @Test
    void aStanzaWithoutNamespaceIsReadInJabberClient() throws Exception {
        WebSocketStreamDecoder d = new WebSocketStreamDecoder(DecoderLimits.DEFAULT);
        message(d, OPEN, 100);
        assertThat(((StreamEvent.StreamElement) message(d, "<presence/>", 100)).element().namespace()).isEqualTo("jabber:client");
    }

    @Test
    void aNewDecoderExpectsANewOpenAfterARestart() throws Exception {
        WebSocketStreamDecoder d = new WebSocketStreamDecoder(DecoderLimits.DEFAULT);
        message(d, OPEN, 100);
        failsWith(d, OPEN, Condition.BAD_FORMAT);
        WebSocketStreamDecoder restarted = new WebSocketStreamDecoder(DecoderLimits.DEFAULT);
        assertThat(message(restarted, OPEN, 100)).isInstanceOf(StreamEvent.StreamOpen.class);
    }

    @Test
    void hostileMessagesGetTheirStreamErrors() throws Exception {
        failsWith(opened(), "this is not XML", Condition.BAD_FORMAT);
        failsWith(opened(), "<message xmlns='jabber:client'><body>unfinished", Condition.NOT_WELL_FORMED);
        failsWith(opened(), "<message xmlns='jabber:client'", Condition.NOT_WELL_FORMED);
        failsWith(opened(), "<presence/><presence/>", Condition.NOT_WELL_FORMED);
        failsWith(opened(), "", Condition.NOT_WELL_FORMED);
        failsWith(opened(), "<?xml version='1.0'?><presence/>", Condition.NOT_WELL_FORMED);
        failsWith(opened(), "<!-- hi --><presence/>", Condition.RESTRICTED_XML);
        failsWith(opened(), "<bogus xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>", Condition.BAD_FORMAT);
        // before <open/>: the stream has no header yet
        failsWith(new WebSocketStreamDecoder(DecoderLimits.DEFAULT), "<message xmlns='jabber:client'/>", Condition.INVALID_NAMESPACE);
        failsWith(new WebSocketStreamDecoder(DecoderLimits.DEFAULT), "<open xmlns='urn:example:wrong' version='1.0'/>",
                Condition.INVALID_NAMESPACE);
    }

    @Test
    void anOversizedMessageFailsBeforeItEnds() throws Exception {
        WebSocketStreamDecoder d = new WebSocketStreamDecoder(DecoderLimits.ofStanzaBytes(1024));
        message(d, OPEN, 100);
        byte[] head = "<message xmlns='jabber:client'><body>".getBytes(StandardCharsets.UTF_8);
        d.feed(head, 0, head.length);
        byte[] filler = "x".repeat(512).getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> {
            for (int i = 0; i < 4; i++) {
                d.feed(filler, 0, filler.length);
            }
        }).isInstanceOfSatisfying(XmlStreamException.class, e -> assertThat(e.condition()).isEqualTo(Condition.POLICY_VIOLATION));
        // once failed, it stays failed
        assertThatThrownBy(d::endOfMessage).isInstanceOf(XmlStreamException.class);
    }

    @Test
    void theServerWritesStandaloneDocuments() {
        assertThat(WebSocketFraming.open("example.com", null, "abc", "en"))
                .isEqualTo("<open xmlns=\"urn:ietf:params:xml:ns:xmpp-framing\" from=\"example.com\" id=\"abc\" version=\"1.0\" xml:lang=\"en\"/>");
        XmlElement features = new XmlElement("stream:features", "jabber:client", java.util.Map.of(),
                java.util.List.of(XmlElement.of("bind", "urn:ietf:params:xml:ns:xmpp-bind")));
        assertThat(WebSocketFraming.element(features)).isEqualTo("<stream:features xmlns:stream=\"http://etherx.jabber.org/streams\""
                + " xmlns=\"jabber:client\"><bind xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\"/></stream:features>");
        assertThat(WebSocketFraming.element(XmlElement.builder("message", "jabber:client").attr("to", "a@b").build()))
                .isEqualTo("<message xmlns=\"jabber:client\" to=\"a@b\"/>");
        assertThat(WebSocketFraming.error(new StreamError(Condition.NOT_WELL_FORMED)))
                .isEqualTo("<stream:error xmlns:stream=\"http://etherx.jabber.org/streams\">"
                        + "<not-well-formed xmlns=\"urn:ietf:params:xml:ns:xmpp-streams\"/></stream:error>");
    }

    private static WebSocketStreamDecoder opened() throws XmlStreamException {
        WebSocketStreamDecoder d = new WebSocketStreamDecoder(DecoderLimits.DEFAULT);
        message(d, OPEN, 4096);
        return d;
    }

    private static void failsWith(WebSocketStreamDecoder d, String text, Condition condition) {
        assertThatThrownBy(() -> message(d, text, 5)).as(text)
                .isInstanceOfSatisfying(XmlStreamException.class, e -> assertThat(e.condition()).as(text).isEqualTo(condition));
    }
}
