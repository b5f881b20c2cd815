package org.kaiku.protocol.ext.delay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.stream.XmlStreamException;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.StanzaFixtures;

/** XEP-0203 delay notations: the XEP's own example, round trips, XEP-0082 stamps. */
class DelayTest {

    /** XEP-0203 section 4, "Receiving a Message Sent While Offline". */
    private static final String OFFLINE_EXAMPLE = "<message from='romeo@montague.net/orchard' to='juliet@capulet.com' type='chat'>"
            + "<body>O blessed, blessed night!</body>"
            + "<delay xmlns='urn:xmpp:delay' from='capulet.com' stamp='2002-09-10T23:08:25Z'>Offline Storage</delay>"
            + "</message>";

    @Test
    void readsTheXepExample() throws XmlStreamException {
        Delay d = Delay.of(StanzaFixtures.decodeByteByByte(OFFLINE_EXAMPLE)).orElseThrow();
        assertThat(d.from()).isEqualTo("capulet.com");
        assertThat(d.stamp()).isEqualTo(Instant.parse("2002-09-10T23:08:25Z"));
        assertThat(d.reason()).isEqualTo("Offline Storage");
    }

    @Test
    void writtenNotationDecodesToTheSameValue() throws XmlStreamException {
        Delay d = new Delay("example.com", Instant.parse("2024-02-29T23:59:59.123456789Z"), "Offline Storage");
        XmlElement message = d.addTo(XmlElement.builder("message", Namespaces.CLIENT).attr("to", "a@example.com")
                .textChild("body", "hi").build());
        String xml = message.toXml();
        assertThat(xml).contains("stamp=\"2024-02-29T23:59:59.123Z\"").contains("xmlns=\"urn:xmpp:delay\"");

        Delay back = Delay.of(StanzaFixtures.decodeByteByByte(xml)).orElseThrow();
        assertThat(back).isEqualTo(d);
        assertThat(back.stamp()).isEqualTo(Instant.parse("2024-02-29T23:59:59.123Z"));
    }

    @Test
    void stampsAreUtcWithMillisecondsAndOffsetsAreConverted() {
        assertThat(Delay.format(Instant.parse("2002-09-10T23:08:25Z"))).isEqualTo("2002-09-10T23:08:25.000Z");
        assertThat(Delay.parseStamp("2002-09-10T23:08:25.5-06:00")).contains(Instant.parse("2002-09-11T05:08:25.500Z"));
        assertThat(Delay.parseStamp("2002-09-10T23:08:25+01:00")).contains(Instant.parse("2002-09-10T22:08:25Z"));
        assertThat(Delay.parseStamp("2002-09-10 23:08:25")).isEmpty();
        assertThat(Delay.parseStamp("20020910T23:08:25")).isEmpty();
        assertThat(Delay.parseStamp("2002-09-10T23:08:25")).as("no time zone").isEmpty();
        assertThat(Delay.parseStamp(null)).isEmpty();
    }

    @Test
    void otherElementsAndBadStampsAreNoNotation() throws XmlStreamException {
        assertThat(Delay.of(StanzaFixtures.decodeByteByByte("<message><body>x</body></message>"))).isEmpty();
        assertThat(Delay.of(StanzaFixtures.decodeByteByByte("<message><delay xmlns='urn:xmpp:delay' stamp='yesterday'/></message>"))).isEmpty();
        assertThat(Delay.of(StanzaFixtures.decodeByteByByte("<message><delay xmlns='jabber:x:delay' stamp='20020910T23:08:25'/></message>"))).isEmpty();
        Delay bare = Delay.of(StanzaFixtures.decodeByteByByte("<message><delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25Z'/></message>")).orElseThrow();
        assertThat(bare.from()).isNull();
        assertThat(bare.reason()).isNull();
        assertThat(bare.toElement().toXml()).isEqualTo("<delay xmlns=\"urn:xmpp:delay\" stamp=\"2002-09-10T23:08:25.000Z\"/>");
    }
}
