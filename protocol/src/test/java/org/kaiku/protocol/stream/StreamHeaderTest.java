package org.kaiku.protocol.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kaiku.protocol.xml.DecoderLimits;
import org.kaiku.protocol.xml.StreamEvent;
import org.kaiku.protocol.xml.XmlStreamDecoder;

class StreamHeaderTest {

    @Test
    void responseHeaderHasTheRfc6120Shape() {
        assertThat(StreamHeader.open("example.com", "juliet@example.com", "abc123", "jabber:client")).isEqualTo(
                "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                        + "xmlns:stream='http://etherx.jabber.org/streams' from='example.com' "
                        + "to='juliet@example.com' id='abc123' version='1.0' xml:lang='en'>");
        assertThat(StreamHeader.CLOSE).isEqualTo("</stream:stream>");
    }

    @Test
    void nullAttributesAreOmittedAndTheNamespaceDefaults() {
        assertThat(StreamHeader.open("example.com", null, "i", null)).isEqualTo(
                "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                        + "xmlns:stream='http://etherx.jabber.org/streams' from='example.com' id='i' "
                        + "version='1.0' xml:lang='en'>");
        assertThat(StreamHeader.open(null, null, null, "jabber:server", null)).isEqualTo(
                "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
                        + "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>");
    }

    @Test
    void attributesAreEscapedAndReadBackByTheDecoder() throws XmlStreamException {
        String nasty = "a'b\"c<d>&e \uD83D\uDE00";
        String header = StreamHeader.open("example.com", nasty, "id'1", "jabber:client");
        assertThat(header).contains("to='a&apos;b&quot;c&lt;d&gt;&amp;e \uD83D\uDE00'");
        List<StreamEvent> events = new XmlStreamDecoder(DecoderLimits.DEFAULT)
                .feed((header + "<presence/>" + StreamHeader.CLOSE).getBytes(StandardCharsets.UTF_8));
        assertThat(events).hasSize(3);
        StreamEvent.StreamOpen open = (StreamEvent.StreamOpen) events.get(0);
        assertThat(open.prefix()).isEqualTo("stream");
        assertThat(open.defaultNamespace()).isEqualTo("jabber:client");
        assertThat(open.attributes()).isEqualTo(Map.of("from", "example.com", "to", nasty, "id", "id'1",
                "version", "1.0", "xml:lang", "en"));
        assertThat(events.get(2)).isInstanceOf(StreamEvent.StreamClose.class);
    }
}
