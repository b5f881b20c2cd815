package org.kaiku.protocol.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.kaiku.protocol.xml.XmlStreamDecoderTest.utf8;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.kaiku.protocol.stream.StreamError.Condition;
import org.kaiku.protocol.stream.XmlStreamException;

/** The limits of RFC 6120 section 13.12: each crossed one is a policy-violation, found early. */
class DecoderLimitsTest {
    private static final String H = Chunking.HEADER;
    private static final int TEN_MB = 10 * 1024 * 1024;
    private static final int CHUNK_64K = 64 * 1024;

    static Stream<Chunking> chunkings() {
        return Chunking.all();
    }

    @Test
    void defaultsAndValidation() {
        assertThat(DecoderLimits.DEFAULT).isEqualTo(new DecoderLimits(262144, 64, 64, 262144));
        assertThat(DecoderLimits.ofStanzaBytes(1000)).isEqualTo(new DecoderLimits(1000, 64, 64, 1000));
        assertThatThrownBy(() -> new DecoderLimits(0, 1, 1, 1)).hasMessageContaining("maxStanzaBytes");
        assertThatThrownBy(() -> new DecoderLimits(1, -1, 1, 1)).hasMessageContaining("maxDepth");
        assertThatThrownBy(() -> new DecoderLimits(1, 1, 0, 1)).hasMessageContaining("maxAttributes");
        assertThatThrownBy(() -> new DecoderLimits(1, 1, 1, 0)).hasMessageContaining("maxTextLength");
    }

    /** A 10 MB stanza, in its three shapes: long text, one long attribute, endless children. */
    static Stream<byte[]> tenMegabyteStanzas() {
        byte[] text = new byte[TEN_MB];
        Arrays.fill(text, (byte) 'a');
        byte[] children = utf8("<x/>".repeat(TEN_MB / 4));
        return Stream.of(
                HostileInputTest.concat(utf8(H + "<message><body>"), text, utf8("</body></message>")),
                HostileInputTest.concat(utf8(H + "<message to='"), text, utf8("'/>")),
                HostileInputTest.concat(utf8(H + "<message>"), children, utf8("</message>")));
    }

    @ParameterizedTest
    @MethodSource("tenMegabyteStanzas")
    void tenMegabyteStanzaFailsLongBeforeItsEnd(byte[] input) {
        Chunking.Outcome outcome = Chunking.fixed(CHUNK_64K).run(input, DecoderLimits.DEFAULT);
        assertThat(outcome.failure()).isNotNull();
        assertThat(outcome.failure().condition()).isEqualTo(Condition.POLICY_VIOLATION);
        // the limit is 256 KiB: the failure comes with the chunk that crosses it
        assertThat(outcome.bytesFed()).isLessThanOrEqualTo(H.length() + 256 * 1024 + CHUNK_64K);
        assertThat(outcome.events()).hasSize(1); // the stream header only

        // handed over in one piece it fails too: the decoder parses it slice by slice
        assertThatThrownBy(() -> new XmlStreamDecoder(DecoderLimits.DEFAULT).feed(input))
                .isInstanceOfSatisfying(XmlStreamException.class,
                        e -> assertThat(e.condition()).isEqualTo(Condition.POLICY_VIOLATION));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chunkings")
    void tenThousandDeepNestingFailsAtTheDepthLimit(Chunking chunking) {
        String input = H + "<a>".repeat(10_000) + "</a>".repeat(10_000);
        Chunking.Outcome outcome = chunking.run(input);
        assertThat(outcome.failure().condition()).isEqualTo(Condition.POLICY_VIOLATION);
        assertThat(outcome.failure().getMessage()).contains("nested");
        if (chunking.fixed() == 1) {
            assertThat(outcome.bytesFed()).isEqualTo(H.length() + 65 * 3L); // the 65th <a>
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chunkings")
    void depthLimitIsExact(Chunking chunking) {
        DecoderLimits limits = new DecoderLimits(4096, 5, 64, 4096);
        String five = H + "<a><b><c><d><e/></d></c></b></a>";
        assertThat(chunking.run(utf8(five), limits).failure()).isNull();
        String six = H + "<a><b><c><d><e><f/></e></d></c></b></a>";
        assertThat(chunking.run(utf8(six), limits).failure().condition()).isEqualTo(Condition.POLICY_VIOLATION);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chunkings")
    void hundredThousandAttributesAreRefused(Chunking chunking) {
        StringBuilder sb = new StringBuilder(H).append("<message");
        for (int i = 0; i < 100_000; i++) {
            sb.append(" a").append(i).append("='v'");
        }
        sb.append("/>");
        byte[] input = utf8(sb.toString());
        assertThat(chunking.run(input, DecoderLimits.DEFAULT).failure().condition()).isEqualTo(Condition.POLICY_VIOLATION);
        // with room for the bytes, the attribute count is what trips
        DecoderLimits roomy = new DecoderLimits(16 * 1024 * 1024, 64, 64, 1024);
        XmlStreamException e = chunking.run(input, roomy).failure();
        assertThat(e.condition()).isEqualTo(Condition.POLICY_VIOLATION);
        assertThat(e.getMessage()).contains("attributes");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chunkings")
    void attributeLimitIsExactAndCountsNamespaceDeclarations(Chunking chunking) {
        DecoderLimits limits = new DecoderLimits(4096, 8, 4, 4096); // the header has 4 as well
        assertThat(chunking.run(utf8(H + "<message a='1' b='2' c='3' d='4'/>"), limits).failure()).isNull();
        assertThat(chunking.run(utf8(H + "<message a='1' b='2' c='3' d='4' e='5'/>"), limits).failure().condition())
                .isEqualTo(Condition.POLICY_VIOLATION);
        assertThat(chunking.run(utf8(H + "<message xmlns='jabber:client' a='1' b='2' c='3' d='4'/>"), limits)
                .failure().condition()).isEqualTo(Condition.POLICY_VIOLATION);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chunkings")
    void attributeCountingSkipsValuesTextCommentsAndCdata(Chunking chunking) {
        DecoderLimits limits = new DecoderLimits(4096, 8, 4, 4096);
        String ok = H + "<message a='x=y>z' b=\"p'q=r\" c = 'x' d=\"=\">a=b=c=d=e&gt;<![CDATA[<x a='1' b='2' c='3' d='4' e='5'>]]>"
                + "<x/></message>";
        assertThat(chunking.run(utf8(ok), limits).failure()).isNull();
        String comment = H + "<message><!-- <x a='1' b='2' c='3' d='4' e='5'> --></message>";
        assertThat(chunking.run(utf8(comment), limits).failure().condition()).isEqualTo(Condition.RESTRICTED_XML);
        String later = H + "<message a='1'/><presence a='x=y' b='2' c='3' d='4' e='5'/>";
        Chunking.Outcome outcome = chunking.run(utf8(later), limits);
        assertThat(outcome.failure().condition()).isEqualTo(Condition.POLICY_VIOLATION);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chunkings")
    void textLimitIsExactOverMergedRuns(Chunking chunking) {
        DecoderLimits limits = new DecoderLimits(4096, 8, 8, 10);
        assertThat(chunking.run(utf8(H + "<body>12345<![CDATA[67]]>&amp;90</body>"), limits).failure()).isNull();
        assertThat(chunking.run(utf8(H + "<body>12345<![CDATA[67]]>&amp;901</body>"), limits).failure().condition())
                .isEqualTo(Condition.POLICY_VIOLATION);
        // runs split by a child element are separate runs
        assertThat(chunking.run(utf8(H + "<body>1234567890<br/>1234567890</body>"), limits).failure()).isNull();
    }

    /** A stanza of exactly {@code size} bytes on the wire, non-ASCII text included. */
    static String stanzaOfBytes(int size) {
        String head = "<message to='x'><body>\u00e9\uD83D\uDE00";
        String tail = "</body></message>";
        int used = (head + tail).getBytes(StandardCharsets.UTF_8).length;
        return head + "z".repeat(size - used) + tail;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chunkings")
    void stanzaByteLimitIsExact(Chunking chunking) {
        int limit = 300;
        DecoderLimits limits = DecoderLimits.ofStanzaBytes(limit);
        String fits = stanzaOfBytes(limit);
        String over = stanzaOfBytes(limit + 1);
        assertThat(utf8(fits)).hasSize(limit);
        for (String prefix : new String[] {H, H.substring(H.indexOf("<stream")), H + "\n  \n"}) {
            Chunking.Outcome ok = chunking.run(utf8(prefix + fits + " " + fits + fits + "</stream:stream>"), limits);
            assertThat(ok.failure()).as(prefix).isNull();
            assertThat(ok.elements()).hasSize(3);
            Chunking.Outcome bad = chunking.run(utf8(prefix + fits + over), limits);
            assertThat(bad.failure().condition()).as(prefix).isEqualTo(Condition.POLICY_VIOLATION);
            assertThat(bad.elements()).hasSizeLessThanOrEqualTo(1);
        }
    }

    @Test
    void whitespaceKeepalivesNeverAddUp() {
        DecoderLimits limits = DecoderLimits.ofStanzaBytes(1024);
        String input = H + " ".repeat(100_000) + "<presence/>" + "\n".repeat(100_000) + stanzaOfBytes(1024);
        for (Chunking chunking : Chunking.all().toList()) {
            Chunking.Outcome outcome = chunking.run(utf8(input), limits);
            assertThat(outcome.failure()).as(chunking.label()).isNull();
            assertThat(outcome.elements()).hasSize(2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chunkings")
    void oversizedStreamHeaderIsRefused(Chunking chunking) {
        DecoderLimits limits = DecoderLimits.ofStanzaBytes(1024);
        String header = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='"
                + "a".repeat(2000) + "'>";
        assertThat(chunking.run(utf8(header), limits).failure().condition()).isEqualTo(Condition.POLICY_VIOLATION);
    }
}
