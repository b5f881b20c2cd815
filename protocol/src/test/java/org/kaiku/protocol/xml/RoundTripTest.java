package org.kaiku.protocol.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kaiku.protocol.xml.XmlStreamDecoderTest.utf8;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.kaiku.protocol.stream.XmlStreamException;
import org.kaiku.protocol.xml.StreamEvent.StreamElement;

/** Decode, write with {@link XmlWriter}, decode again: the same trees (RFC 6120 section 11). */
class RoundTripTest {
    private static final String CLOSE = "</stream:stream>";

    static Stream<Chunking> chunkings() {
        return Chunking.all();
    }

    private static List<XmlElement> decode(Chunking chunking, String stanzas) {
        Chunking.Outcome outcome = chunking.run(Chunking.HEADER + stanzas + CLOSE);
        assertThat(outcome.failure()).isNull();
        return outcome.elements();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chunkings")
    void fixtureSurvivesWriteAndDecode(Chunking chunking) throws IOException {
        String fixture = new String(XmlStreamDecoderTest.fixture("roundtrip-stanzas.xml"), StandardCharsets.UTF_8);
        List<XmlElement> first = decode(chunking, fixture);
        assertThat(first).hasSize(8);

        StringBuilder inStream = new StringBuilder();
        StringBuilder standalone = new StringBuilder();
        for (XmlElement e : first) {
            inStream.append(XmlWriter.write(e, "jabber:client")).append('\n');
            standalone.append(e.toXml());
        }
        assertThat(decode(chunking, inStream.toString())).isEqualTo(first);
        assertThat(decode(chunking, standalone.toString())).isEqualTo(first);
        // writing is stable: a second trip gives the same text
        StringBuilder again = new StringBuilder();
        for (XmlElement e : decode(chunking, standalone.toString())) {
            again.append(e.toXml());
        }
        assertThat(again.toString()).isEqualTo(standalone.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chunkings")
    void fixtureContentIsReadAsWritten(Chunking chunking) throws IOException {
        String fixture = new String(XmlStreamDecoderTest.fixture("roundtrip-stanzas.xml"), StandardCharsets.UTF_8);
        List<XmlElement> e = decode(chunking, fixture);
        assertThat(e.get(0).childText("body", "jabber:client"))
                .isEqualTo("Art thou not Romeo, and a Montague? & <tags> \"quoted\" 'single'");
        assertThat(e.get(0).childText("subject", "jabber:client")).isEqualTo("Ça va? Привет 你好 😀👍🏽");
        assertThat(e.get(1).attr("note")).isEqualTo("a & b < c > d \"e\" 'f' 😀");
        assertThat(e.get(1).childText("body", "jabber:client")).isEqualTo("<not> & a tag");
        XmlElement items = e.get(3).child("pubsub", "http://jabber.org/protocol/pubsub")
                .child("items", "http://jabber.org/protocol/pubsub");
        XmlElement entry = items.elements().get(0).child("entry", "http://www.w3.org/2005/Atom");
        assertThat(entry.children()).hasSize(3);
        assertThat(entry.text()).isEqualTo("mixed  tail");
        assertThat(e.get(4).attributes()).isEqualTo(Map.of("xmlns:foo", "urn:example:foo", "foo:hint", "yes", "xml:lang", "de"));
        assertThat(e.get(6).child("error", "jabber:client").childText("text", "urn:ietf:params:xml:ns:xmpp-stanzas"))
                .isEqualTo("Line one\nline two\ttabbed");
        assertThat(e.get(7).attr("note")).isEqualTo("tab\tnl\ncr\rend");
        assertThat(e.get(7).childText("body", "jabber:client")).isEqualTo("cr\rlf\nhere");
    }

    @Test
    void builtElementsWithEveryEscapeSurviveEmojiSplitAcrossFeeds() throws XmlStreamException {
        String nasty = "& < > \" ' ]]> \uD83D\uDE00\uD83D\uDC4D\uD83C\uDFFD é\r\n\t end";
        XmlElement built = XmlElement.builder("message", "jabber:client")
                .attr("to", "romeo@example.net").attr("note", nasty).attr("xml:lang", "en")
                .child(XmlElement.builder("body", "jabber:client").text(nasty).build())
                .child(XmlElement.builder("x", "urn:other").attr("k", nasty).build())
                .build();
        byte[] bytes = utf8(Chunking.HEADER + built.toXml());
        int emoji = indexOf(bytes, new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80});
        assertThat(emoji).isPositive();
        for (int cut = emoji + 1; cut < emoji + 4; cut++) {
            // the four bytes of U+1F600 split between two feeds, at each possible place
            XmlStreamDecoder decoder = new XmlStreamDecoder(DecoderLimits.DEFAULT);
            List<StreamEvent> events = new java.util.ArrayList<>(decoder.feed(bytes, 0, cut));
            events.addAll(decoder.feed(bytes, cut, bytes.length - cut));
            assertThat(events).hasSize(2);
            assertThat(((StreamElement) events.get(1)).element()).isEqualTo(built);
        }
        for (Chunking chunking : Chunking.all().toList()) {
            assertThat(chunking.run(bytes, DecoderLimits.DEFAULT).elements()).containsExactly(built);
        }
    }

    @Test
    void charactersXmlCannotCarryAreReplacedNotWritten() throws XmlStreamException {
        String bad = "a\u0000b\u0001c\uD800d\uDC00e\uFFFEf\uFFFF \uD83D\uDE00";
        XmlElement built = XmlElement.builder("message", "jabber:client").attr("note", bad).text(bad).build();
        String xml = built.toXml();
        String expected = "a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf\uFFFD \uD83D\uDE00";
        List<StreamEvent> events = new XmlStreamDecoder(DecoderLimits.DEFAULT).feed(utf8(Chunking.HEADER + xml));
        XmlElement read = ((StreamElement) events.get(1)).element();
        assertThat(read.attr("note")).isEqualTo(expected);
        assertThat(read.text()).isEqualTo(expected);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
