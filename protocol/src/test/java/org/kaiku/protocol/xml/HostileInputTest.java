package org.kaiku.protocol.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.kaiku.protocol.xml.XmlStreamDecoderTest.utf8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.kaiku.protocol.stream.StreamError.Condition;
import org.kaiku.protocol.stream.XmlStreamException;

/**
 * Input a peer may send to hurt the server: each must end in the stream error condition of
 * RFC 6120 sections 4.9.3 and 11, under every {@link Chunking}, never in a crash or a hang.
 */
class HostileInputTest {
    private static final String H = Chunking.HEADER;

    static Stream<Arguments> hostile() {
        return Stream.of(
                bad("billion laughs", Condition.RESTRICTED_XML, "<?xml version='1.0'?><!DOCTYPE lolz ["
                        + "<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>"
                        + "<!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'>]>"
                        + H.substring(H.indexOf("<stream")) + "<message><body>&lol3;</body></message>"),
                bad("external entity", Condition.RESTRICTED_XML, "<?xml version='1.0'?>"
                        + "<!DOCTYPE foo [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>"
                        + H.substring(H.indexOf("<stream")) + "<message><body>&xxe;</body></message>"),
                bad("internal DTD", Condition.RESTRICTED_XML, "<!DOCTYPE stream:stream [<!ELEMENT a ANY>]>" + H),
                bad("bare DOCTYPE", Condition.RESTRICTED_XML, "<!DOCTYPE stream>" + H),
                bad("DOCTYPE inside the stream", Condition.NOT_WELL_FORMED, H + "<!DOCTYPE x>"),
                bad("comment before root", Condition.RESTRICTED_XML, "<?xml version='1.0'?><!-- hi -->" + H),
                bad("comment at top level", Condition.RESTRICTED_XML, H + "<presence/><!-- hi -->"),
                bad("comment in stanza", Condition.RESTRICTED_XML, H + "<message><!-- hi --></message>"),
                bad("PI before root", Condition.RESTRICTED_XML, "<?xml-stylesheet href='x'?>" + H),
                bad("PI after declaration", Condition.RESTRICTED_XML, "<?xml version='1.0'?><?foo?>" + H),
                bad("PI in stanza", Condition.RESTRICTED_XML, H + "<message><?php echo 1; ?></message>"),
                bad("late XML declaration", Condition.RESTRICTED_XML, "  <?xml version='1.0'?>" + H),
                bad("undefined entity in text", Condition.RESTRICTED_XML, H + "<message><body>&foo;</body></message>"),
                bad("undefined entity in attribute", Condition.RESTRICTED_XML, H + "<message to='&foo;'/>"),
                bad("text at top level", Condition.BAD_FORMAT, H + "<presence/> hello <presence/>"),
                bad("CDATA at top level", Condition.BAD_FORMAT, H + "<![CDATA[x]]>"),
                bad("second root", Condition.NOT_WELL_FORMED, H + "</stream:stream>" + H),
                bad("element after close", Condition.NOT_WELL_FORMED, H + "</stream:stream><presence/>"),
                bad("comment after close", Condition.NOT_WELL_FORMED, H + "</stream:stream><!-- x -->"),
                bad("wrong stream namespace", Condition.INVALID_NAMESPACE,
                        "<stream:stream xmlns:stream='http://etherx.jabber.org/wrong' xmlns='jabber:client'>"),
                bad("wrong root name", Condition.INVALID_NAMESPACE,
                        "<stream:flow xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:client'>"),
                bad("unprefixed root in no namespace", Condition.INVALID_NAMESPACE, "<stream><presence/>"),
                bad("UTF-16 declaration", Condition.UNSUPPORTED_ENCODING, "<?xml version='1.0' encoding='UTF-16'?>" + H),
                bad("Latin-1 declaration", Condition.UNSUPPORTED_ENCODING,
                        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" + H.substring(H.indexOf("<stream"))),
                bad("mismatched tags", Condition.NOT_WELL_FORMED, H + "<message><body></message></body> "),
                // aalto checks a short end tag name only once up to 3 more bytes arrived
                bad("mismatched short end tag", Condition.NOT_WELL_FORMED, H + "<a></b>   "),
                bad("unbound prefix", Condition.NOT_WELL_FORMED, H + "<foo:bar/>"),
                bad("duplicate attribute", Condition.NOT_WELL_FORMED, H + "<message to='a' to='b'/>"),
                bad("lt in attribute", Condition.NOT_WELL_FORMED, H + "<message to='a<b'/>"),
                bad("NUL character reference", Condition.NOT_WELL_FORMED, H + "<message>&#0;</message>"),
                bad("surrogate character reference", Condition.NOT_WELL_FORMED, H + "<message>&#xD800;</message>"),
                bad("garbage instead of a stream", Condition.NOT_WELL_FORMED, "GET / HTTP/1.1\r\n\r\n"));
    }

    private static Arguments bad(String name, Condition condition, String input) {
        return Arguments.of(name, condition, utf8(input));
    }

    static Stream<Arguments> hostileUnderEveryChunking() {
        return hostile().flatMap(a -> Chunking.all().map(c -> Arguments.of(a.get()[0], a.get()[1], a.get()[2], c)));
    }

    @ParameterizedTest(name = "{0}, {3}")
    @MethodSource("hostileUnderEveryChunking")
    void refusedWithTheRightCondition(String name, Condition expected, byte[] input, Chunking chunking) {
        Chunking.Outcome outcome = chunking.run(input, DecoderLimits.DEFAULT);
        assertThat(outcome.failure()).as(name).isNotNull();
        assertThat(outcome.failure().condition()).as(name + ": " + outcome.failure().getMessage()).isEqualTo(expected);
    }

    static Stream<Arguments> badBytes() {
        return Stream.of(
                Arguments.of("C3 28 (bad continuation)", new byte[] {(byte) 0xC3, 0x28}, Condition.NOT_WELL_FORMED),
                Arguments.of("FF", new byte[] {(byte) 0xFF}, Condition.NOT_WELL_FORMED),
                Arguments.of("C0 AF (overlong)", new byte[] {(byte) 0xC0, (byte) 0xAF}, Condition.NOT_WELL_FORMED),
                Arguments.of("ED A0 80 (encoded surrogate)", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                        Condition.NOT_WELL_FORMED),
                Arguments.of("E0 80 80 (overlong)", new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0x80},
                        Condition.NOT_WELL_FORMED),
                Arguments.of("F4 90 80 80 (above U+10FFFF)", new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
                        Condition.NOT_WELL_FORMED),
                Arguments.of("truncated E2 82 then ASCII", new byte[] {(byte) 0xE2, (byte) 0x82, 0x41},
                        Condition.NOT_WELL_FORMED),
                Arguments.of("lone continuation 80", new byte[] {(byte) 0x80}, Condition.NOT_WELL_FORMED),
                Arguments.of("control character 01", new byte[] {0x01}, Condition.NOT_WELL_FORMED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBytes")
    void invalidUtf8InTextAndAttributes(String name, byte[] bad, Condition expected) {
        for (Chunking chunking : Chunking.all().toList()) {
            byte[] inText = concat(utf8(H + "<message><body>ok"), bad, utf8("ok</body></message><presence/>"));
            Chunking.Outcome text = chunking.run(inText, DecoderLimits.DEFAULT);
            assertThat(text.failure()).as(chunking + " text").isNotNull();
            assertThat(text.failure().condition()).as(chunking + " text").isEqualTo(expected);
            assertThat(text.elements()).isEmpty();

            byte[] inAttr = concat(utf8(H + "<message to='"), bad, utf8("'/><presence/>"));
            Chunking.Outcome attr = chunking.run(inAttr, DecoderLimits.DEFAULT);
            assertThat(attr.failure()).as(chunking + " attribute").isNotNull();
            assertThat(attr.failure().condition()).as(chunking + " attribute").isEqualTo(expected);
        }
    }

    @Test
    void utf16InputIsRefusedWhateverItsByteOrder() {
        byte[] be = "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>".getBytes(
                java.nio.charset.StandardCharsets.UTF_16BE);
        byte[] le = "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>".getBytes(
                java.nio.charset.StandardCharsets.UTF_16LE);
        for (Chunking chunking : Chunking.all().toList()) {
            assertThat(chunking.run(be, DecoderLimits.DEFAULT).failure().condition()).isEqualTo(Condition.UNSUPPORTED_ENCODING);
            assertThat(chunking.run(le, DecoderLimits.DEFAULT).failure().condition()).isEqualTo(Condition.UNSUPPORTED_ENCODING);
            assertThat(chunking.run(concat(new byte[] {(byte) 0xFE, (byte) 0xFF}, be), DecoderLimits.DEFAULT)
                    .failure().condition()).isEqualTo(Condition.UNSUPPORTED_ENCODING);
            assertThat(chunking.run(concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, le), DecoderLimits.DEFAULT)
                    .failure().condition()).isEqualTo(Condition.UNSUPPORTED_ENCODING);
        }
    }

    @Test
    void externalEntitiesAndDtdsAreNeverFetched() throws IOException {
        try (ServerSocket trap = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            String url = "http://127.0.0.1:" + trap.getLocalPort() + "/xxe";
            String root = H.substring(H.indexOf("<stream"));
            String[] inputs = {
                "<?xml version='1.0'?><!DOCTYPE stream [<!ENTITY xxe SYSTEM '" + url + "'>]>" + root
                        + "<message><body>&xxe;</body></message>",
                "<!DOCTYPE stream SYSTEM '" + url + "'>" + root + "<message/>",
                "<!DOCTYPE stream [<!ENTITY % p SYSTEM '" + url + "'> %p;]>" + root,
                H + "<message><body>&xxe;</body></message>",
            };
            for (String input : inputs) {
                for (Chunking chunking : Chunking.all().toList()) {
                    Chunking.Outcome outcome = chunking.run(input);
                    assertThat(outcome.failure()).as(input).isNotNull();
                    assertThat(outcome.failure().condition()).as(input).isEqualTo(Condition.RESTRICTED_XML);
                    assertThat(outcome.elements()).isEmpty();
                }
            }
            trap.setSoTimeout(300);
            assertThatThrownBy(trap::accept).as("nobody connected to the entity's URL")
                    .isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void aDoctypeIsRefusedBeforeItsBodyArrives() throws XmlStreamException {
        // the parser never sees a DTD: the failure comes with "<!", before any declaration exists
        XmlStreamDecoder decoder = new XmlStreamDecoder(DecoderLimits.DEFAULT);
        decoder.feed(utf8("<?xml version='1.0'?>\n<"));
        assertThatThrownBy(() -> decoder.feed(utf8("!")))
                .isInstanceOfSatisfying(XmlStreamException.class,
                        e -> assertThat(e.condition()).isEqualTo(Condition.RESTRICTED_XML));
    }

    @Test
    void aFailedDecoderStaysFailed() throws XmlStreamException {
        XmlStreamDecoder decoder = new XmlStreamDecoder(DecoderLimits.DEFAULT);
        decoder.feed(utf8(H));
        assertThatThrownBy(() -> decoder.feed(utf8("<message></presence>"))).isInstanceOfSatisfying(XmlStreamException.class,
                e -> assertThat(e.condition()).isEqualTo(Condition.NOT_WELL_FORMED));
        for (String next : new String[] {"<presence/>", "", "</stream:stream>"}) {
            assertThatThrownBy(() -> decoder.feed(utf8(next))).isInstanceOfSatisfying(XmlStreamException.class,
                    e -> assertThat(e.condition()).isEqualTo(Condition.NOT_WELL_FORMED));
        }
    }

    @Test
    void theErrorBecomesAStreamError() {
        Chunking.Outcome outcome = Chunking.whole().run(H + "<message><!-- x --></message>");
        String xml = outcome.failure().toStreamError().toXml();
        assertThat(xml).startsWith("<stream:error><restricted-xml xmlns=\"urn:ietf:params:xml:ns:xmpp-streams\"/>");
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
