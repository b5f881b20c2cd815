package org.kaiku.protocol.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kaiku.protocol.xml.XmlStreamDecoderTest.utf8;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.kaiku.protocol.stream.StreamError.Condition;
import org.kaiku.protocol.xml.StreamEvent.StreamClose;

/**
 * The decoder replaces its parser between stanzas once it has seen many distinct names; the
 * events must not show it, and the root's namespace bindings must survive it.
 */
class ParserRestartTest {
    private static final String HEADER = "<s:stream xmlns:s='http://etherx.jabber.org/streams' xmlns='jabber:client' "
            + "xmlns:ext='urn:ext' to='example.com' version='1.0'>";

    static Stream<Chunking> chunkings() {
        return Chunking.all();
    }

    private static String stanza(int i, int distinct) {
        StringBuilder sb = new StringBuilder("<message id='m").append(i).append("'><ext:data ext:k='v").append(i).append("'>");
        for (int j = 0; j < distinct; j++) {
            sb.append("<n").append(i).append('_').append(j).append(" a").append(i).append('_').append(j).append("='&amp;'/>");
        }
        return sb.append("</ext:data></message>").toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chunkings")
    void thousandsOfDistinctNamesAcrossStanzasDecodeUnchanged(Chunking chunking) {
        StringBuilder input = new StringBuilder(HEADER);
        int stanzas = 12;
        for (int i = 0; i < stanzas; i++) {
            input.append(i % 2 == 0 ? "\n" : "").append(stanza(i, 300));
        }
        input.append("</s:stream>");
        // 7,200 distinct names in all: more than one parser may hold, so the parser was replaced
        Chunking.Outcome outcome = chunking.run(utf8(input.toString()), DecoderLimits.DEFAULT);
        assertThat(outcome.failure()).isNull();
        List<XmlElement> elements = outcome.elements();
        assertThat(elements).hasSize(stanzas);
        for (int i = 0; i < stanzas; i++) {
            XmlElement message = elements.get(i);
            assertThat(message.is("message", "jabber:client")).isTrue();
            assertThat(message.attr("id")).isEqualTo("m" + i);
            XmlElement data = message.child("data", "urn:ext");
            assertThat(data).as("ext prefix bound by the root, stanza " + i).isNotNull();
            assertThat(data.attr("ext:k")).isEqualTo("v" + i);
            assertThat(data.attr("xmlns:ext")).isEqualTo("urn:ext");
            assertThat(data.elements()).hasSize(300);
            XmlElement last = data.elements().get(299);
            assertThat(last.is("n" + i + "_299", "jabber:client")).isTrue();
            assertThat(last.attr("a" + i + "_299")).isEqualTo("&");
        }
        assertThat(outcome.events().get(outcome.events().size() - 1)).isInstanceOf(StreamClose.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chunkings")
    void oneStanzaWithTooManyDistinctNamesIsRefused(Chunking chunking) {
        Chunking.Outcome outcome = chunking.run(utf8(HEADER + stanza(1, 2600)), DecoderLimits.DEFAULT);
        assertThat(outcome.failure()).isNotNull();
        assertThat(outcome.failure().condition()).isEqualTo(Condition.POLICY_VIOLATION);
        assertThat(outcome.failure().getMessage()).contains("names");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chunkings")
    void errorsAfterARestartAreStillFound(Chunking chunking) {
        String input = HEADER + stanza(0, 600) + stanza(1, 600) + "<presence/><message></presence>";
        Chunking.Outcome outcome = chunking.run(utf8(input), DecoderLimits.DEFAULT);
        assertThat(outcome.failure().condition()).isEqualTo(Condition.NOT_WELL_FORMED);
    }
}
