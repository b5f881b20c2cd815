package org.kaiku.protocol.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.kaiku.protocol.stream.XmlStreamException;
import org.kaiku.protocol.xml.StreamEvent.StreamClose;
import org.kaiku.protocol.xml.StreamEvent.StreamElement;
import org.kaiku.protocol.xml.StreamEvent.StreamOpen;

/** Normal streams (RFC 6120 section 4 and 9): every case under every {@link Chunking}. */
class XmlStreamDecoderTest {

    static Stream<Chunking> chunkings() {
        return Chunking.all();
    }

    static byte[] fixture(String name) throws IOException {
        try (InputStream in = XmlStreamDecoderTest.class.getClassLoader().getResourceAsStream("fixtures/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static List<StreamEvent> decodeOk(Chunking chunking, byte[] input) {
        Chunking.Outcome outcome = chunking.run(input, DecoderLimits.DEFAULT);
        assertThat(outcome.failure()).as("failure").isNull();
        return outcome.events();
    }

    private static List<StreamEvent> decodeOk(Chunking chunking, String input) {
        return decodeOk(chunking, input.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chunkings")
    void c2sSessionAcrossTwoRestarts(Chunking chunking) throws IOException {
        // stream 1: STARTTLS
        List<StreamEvent> first = decodeOk(chunking, fixture("c2s-stream-1.xml"));
        assertThat(first).hasSize(2);
        StreamOpen open = (StreamOpen) first.get(0);
        assertThat(open.prefix()).isEqualTo("stream");
        assertThat(open.defaultNamespace()).isEqualTo("jabber:client");
        assertThat(open.attributes()).isEqualTo(
                Map.of("to", "example.com", "version", "1.0", "xml:lang", "en"));
        assertThat(open.to()).isEqualTo("example.com");
        assertThat(open.from()).isNull();
        XmlElement starttls = ((StreamElement) first.get(1)).element();
        assertThat(starttls).isEqualTo(XmlElement.of("starttls", "urn:ietf:params:xml:ns:xmpp-tls"));

        // stream 2, after TLS, on a new decoder: SASL
        List<StreamEvent> second = decodeOk(chunking, fixture("c2s-stream-2.xml"));
        assertThat(second).hasSize(3);
        assertThat(((StreamOpen) second.get(0)).from()).isEqualTo("juliet@example.com");
        XmlElement auth = ((StreamElement) second.get(1)).element();
        assertThat(auth.is("auth", "urn:ietf:params:xml:ns:xmpp-sasl")).isTrue();
        assertThat(auth.attr("mechanism")).isEqualTo("SCRAM-SHA-1");
        assertThat(auth.text()).isEqualTo("biwsbj1qdWxpZXQscj1vTXNUQUF3QUFBQU1BQUFBTlAwVEFBQUFBQUJQVTBBQQ==");
        XmlElement response = ((StreamElement) second.get(2)).element();
        assertThat(response.is("response", "urn:ietf:params:xml:ns:xmpp-sasl")).isTrue();
        assertThat(response.text()).startsWith("Yz1iaXdzLHI9").endsWith("WXc9");

        // stream 3, after SASL success: bind, roster, presence, message, close
        List<StreamEvent> third = decodeOk(chunking, fixture("c2s-stream-3.xml"));
        assertThat(third).hasSize(7);
        assertThat(third.get(0)).isInstanceOf(StreamOpen.class);
        XmlElement bindIq = ((StreamElement) third.get(1)).element();
        assertThat(bindIq.is("iq", "jabber:client")).isTrue();
        assertThat(bindIq.attributes()).isEqualTo(Map.of("type", "set", "id", "bind_1"));
        assertThat(bindIq.elements()).hasSize(1);
        XmlElement bind = bindIq.child("bind", "urn:ietf:params:xml:ns:xmpp-bind");
        assertThat(bind.childText("resource", "urn:ietf:params:xml:ns:xmpp-bind")).isEqualTo("balcony");
        XmlElement rosterIq = ((StreamElement) third.get(2)).element();
        assertThat(rosterIq.child("query", "jabber:iq:roster")).isNotNull();
        assertThat(((StreamElement) third.get(3)).element()).isEqualTo(XmlElement.of("presence", "jabber:client"));
        XmlElement message = ((StreamElement) third.get(4)).element();
        assertThat(message.attr("xml:lang")).isEqualTo("en");
        assertThat(message.childText("body", "jabber:client")).isEqualTo("Wherefore art thou, Romeo? \uD83D\uDE00 & <3");
        assertThat(message.childText("thread", "jabber:client")).hasSize(40);
        assertThat(((StreamElement) third.get(5)).element().attr("type")).isEqualTo("unavailable");
        assertThat(third.get(6)).isInstanceOf(StreamClose.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chunkings")
    void namespacesAreResolvedWhateverThePrefixes(Chunking chunking) {
        String input = "<s:stream xmlns:s='http://etherx.jabber.org/streams' xmlns='jabber:client'>"
                + "<iq type='get' id='1'><p:pubsub xmlns:p='http://jabber.org/protocol/pubsub'>"
                + "<p:items node='x'/><other xmlns='urn:other'><deeper/></other></p:pubsub></iq>"
                + "<x:r xmlns:x='urn:xmpp:sm:3'/>"
                + "<message xmlns='jabber:server'><body/></message>";
        List<StreamEvent> events = decodeOk(chunking, input);
        assertThat(((StreamOpen) events.get(0)).prefix()).isEqualTo("s");
        XmlElement iq = ((StreamElement) events.get(1)).element();
        XmlElement pubsub = iq.child("pubsub", "http://jabber.org/protocol/pubsub");
        assertThat(pubsub.attributes()).isEmpty();
        assertThat(pubsub.child("items", "http://jabber.org/protocol/pubsub").attr("node")).isEqualTo("x");
        XmlElement other = pubsub.child("other", "urn:other");
        assertThat(other.child("deeper", "urn:other")).isNotNull();
        assertThat(((StreamElement) events.get(2)).element()).isEqualTo(XmlElement.of("r", "urn:xmpp:sm:3"));
        XmlElement message = ((StreamElement) events.get(3)).element();
        assertThat(message.namespace()).isEqualTo("jabber:server");
        assertThat(message.child("body", "jabber:server")).isNotNull();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chunkings")
    void streamWithoutDefaultNamespaceReportsEmptyOnes(Chunking chunking) {
        List<StreamEvent> events = decodeOk(chunking,
                "<stream xmlns='http://etherx.jabber.org/streams' to='a'><presence/></stream>");
        StreamOpen open = (StreamOpen) events.get(0);
        assertThat(open.prefix()).isEmpty();
        assertThat(open.defaultNamespace()).isEqualTo("http://etherx.jabber.org/streams");
        assertThat(((StreamElement) events.get(1)).element().namespace()).isEqualTo("http://etherx.jabber.org/streams");
        assertThat(events.get(2)).isInstanceOf(StreamClose.class);

        List<StreamEvent> bare = decodeOk(chunking,
                "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'><presence/>");
        assertThat(((StreamOpen) bare.get(0)).defaultNamespace()).isEmpty();
        assertThat(((StreamElement) bare.get(1)).element().namespace()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chunkings")
    void prefixedAttributesKeepTheirBinding(Chunking chunking) {
        List<StreamEvent> events = decodeOk(chunking, Chunking.HEADER
                + "<message xmlns:e='urn:example' e:hint='1' xml:lang='de' to='x'><e:note e:n='2'/></message>");
        XmlElement message = ((StreamElement) events.get(1)).element();
        assertThat(message.attributes()).isEqualTo(
                Map.of("xmlns:e", "urn:example", "e:hint", "1", "xml:lang", "de", "to", "x"));
        XmlElement note = message.child("note", "urn:example");
        assertThat(note.attributes()).isEqualTo(Map.of("xmlns:e", "urn:example", "e:n", "2"));
        // written alone, the note is still namespace-well-formed
        List<StreamEvent> again = decodeOk(chunking, Chunking.HEADER + note.toXml());
        assertThat(((StreamElement) again.get(1)).element()).isEqualTo(note);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chunkings")
    void textRunsAreMergedAndWhitespaceKeepalivesIgnored(Chunking chunking) {
        List<StreamEvent> events = decodeOk(chunking, Chunking.HEADER
                + " \n\t \r\n<message><body>a &amp; b &#x1F600; &lt;&gt;&quot;&apos; <![CDATA[<x/>]]> end</body></message>   \n  ");
        assertThat(events).hasSize(2);
        XmlElement body = ((StreamElement) events.get(1)).element().child("body", "jabber:client");
        assertThat(body.children()).hasSize(1);
        assertThat(body.text()).isEqualTo("a & b \uD83D\uDE00 <>\"' <x/> end");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chunkings")
    void selfClosedRootOpensAndCloses(Chunking chunking) {
        List<StreamEvent> events = decodeOk(chunking,
                "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'/>  ");
        assertThat(events).hasSize(2);
        assertThat(events.get(0)).isInstanceOf(StreamOpen.class);
        assertThat(events.get(1)).isInstanceOf(StreamClose.class);
    }

    @Test
    void eachElementIsReportedAsSoonAsItsEndTagArrives() throws XmlStreamException {
        XmlStreamDecoder decoder = new XmlStreamDecoder(DecoderLimits.DEFAULT);
        assertThat(decoder.feed(utf8(Chunking.HEADER.substring(0, 30)))).isEmpty();
        assertThat(decoder.feed(utf8(Chunking.HEADER.substring(30)))).singleElement().isInstanceOf(StreamOpen.class);
        assertThat(decoder.feed(utf8("<presence><show>aw"))).isEmpty();
        assertThat(decoder.feed(utf8("ay</show></presence"))).isEmpty();
        List<StreamEvent> events = decoder.feed(utf8(">"));
        assertThat(events).singleElement().isInstanceOf(StreamElement.class);
        assertThat(decoder.feed(utf8(" "))).isEmpty();
        assertThat(decoder.isClosed()).isFalse();
        assertThat(decoder.feed(utf8("</stream:stream>"))).containsExactly(new StreamClose());
        assertThat(decoder.isClosed()).isTrue();
        assertThat(decoder.feed(utf8("\r\n"))).isEmpty();
    }

    @Test
    void restartIsANewDecoderOnTheSameConnection() throws XmlStreamException {
        XmlStreamDecoder before = new XmlStreamDecoder(DecoderLimits.DEFAULT);
        List<StreamEvent> events = new ArrayList<>(before.feed(utf8(Chunking.HEADER
                + "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldAByMG0zMG15cjBtMzA=</auth>")));
        assertThat(events).hasSize(2);
        // the server sends <success/>; the client restarts with a fresh header, no close tag
        XmlStreamDecoder after = new XmlStreamDecoder(DecoderLimits.DEFAULT);
        events = after.feed(utf8(Chunking.HEADER + "<iq type='set' id='b'/>"));
        assertThat(events).hasSize(2);
        assertThat(events.get(0)).isInstanceOf(StreamOpen.class);
        assertThat(((StreamElement) events.get(1)).element().attr("id")).isEqualTo("b");
    }

    @Test
    void byteBuffersHeapAndDirectAreConsumed() throws XmlStreamException {
        byte[] input = utf8(Chunking.HEADER + "<presence/>");
        ByteBuffer direct = ByteBuffer.allocateDirect(input.length);
        direct.put(input).flip();
        XmlStreamDecoder decoder = new XmlStreamDecoder(DecoderLimits.DEFAULT);
        assertThat(decoder.feed(direct)).hasSize(2);
        assertThat(direct.hasRemaining()).isFalse();

        ByteBuffer heap = ByteBuffer.wrap(utf8("xx<message/>yy"), 2, 10);
        assertThat(decoder.feed(heap)).containsExactly(new StreamElement(XmlElement.of("message", "jabber:client")));
        assertThat(heap.position()).isEqualTo(12);
    }

    @Test
    void offsetAndLengthAreHonoured() throws XmlStreamException {
        byte[] input = utf8("garbage" + Chunking.HEADER + "<presence/>garbage");
        XmlStreamDecoder decoder = new XmlStreamDecoder(DecoderLimits.DEFAULT);
        int len = input.length - 14;
        assertThat(decoder.feed(input, 7, len)).hasSize(2);
        assertThatThrownBy(() -> decoder.feed(input, input.length - 2, 3)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void feedingAfterEndOfInputIsACallerBug() throws XmlStreamException {
        XmlStreamDecoder decoder = new XmlStreamDecoder(DecoderLimits.DEFAULT);
        decoder.feed(utf8(Chunking.HEADER));
        decoder.endOfInput();
        decoder.endOfInput();
        assertThatThrownBy(() -> decoder.feed(utf8("<presence/>"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void utf8ByteOrderMarkIsDropped() throws XmlStreamException {
        for (Chunking chunking : Chunking.all().toList()) {
            byte[] header = utf8(Chunking.HEADER + "<presence/>");
            byte[] input = new byte[header.length + 3];
            input[0] = (byte) 0xEF;
            input[1] = (byte) 0xBB;
            input[2] = (byte) 0xBF;
            System.arraycopy(header, 0, input, 3, header.length);
            assertThat(decodeOk(chunking, input)).as(chunking.label()).hasSize(2);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
