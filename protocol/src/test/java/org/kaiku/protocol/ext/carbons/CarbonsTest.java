package org.kaiku.protocol.ext.carbons;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kaiku.protocol.ext.forward.Forwarded;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.stream.XmlStreamException;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.StanzaFixtures;
import org.kaiku.protocol.xml.XmlWriter;

/** XEP-0280: the eligibility rules of section 6.1, the copies of sections 7 and 8, enable/disable. */
class CarbonsTest {

    @ParameterizedTest(name = "{0}: inbound {1}, outbound {2}")
    @CsvSource(delimiter = '|', value = {
        "<message type='chat'><body>hi</body></message>|true|true",
        "<message type='chat'/>|true|true",
        "<message><body>hi</body></message>|true|true",
        "<message type='normal'><body>hi</body></message>|true|true",
        "<message type='normal'/>|false|false",
        "<message type='headline'><body>news</body></message>|false|false",
        "<message type='groupchat'><body>all</body></message>|false|false",
        "<message type='error'><body>hi</body></message>|false|false",
        "<message><received xmlns='urn:xmpp:receipts' id='a'/></message>|true|true",
        "<message><active xmlns='http://jabber.org/protocol/chatstates'/></message>|true|true",
        "<message><displayed xmlns='urn:xmpp:chat-markers:0' id='a'/></message>|true|true",
        "<message type='chat'><body>e2e</body><private xmlns='urn:xmpp:carbons:2'/><no-copy xmlns='urn:xmpp:hints'/></message>|false|false",
        "<message type='chat'><body>hint only</body><no-copy xmlns='urn:xmpp:hints'/></message>|false|false",
        "<message type='chat'><sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'/></sent></message>|false|false",
        "<message type='chat'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'/></received></message>|false|false",
        "<message type='chat'><body>pm</body><x xmlns='http://jabber.org/protocol/muc#user'/></message>|false|true",
        "<message><x xmlns='http://jabber.org/protocol/muc#user'><invite from='a@b'/></x></message>|true|true",
        "<message><x xmlns='jabber:x:conference' jid='room@muc.example'/></message>|true|true",
    })
    void section61Rules(String xml, boolean inbound, boolean outbound) throws XmlStreamException {
        XmlElement m = StanzaFixtures.decodeByteByByte(xml);
        assertThat(Carbons.eligible(m, true)).as("inbound").isEqualTo(inbound);
        assertThat(Carbons.eligible(m, false)).as("outbound").isEqualTo(outbound);
    }

    /** Section 7, "Server sends carbon to Romeo's other clients". */
    @Test
    void receivedCopyWrapsTheOriginal() throws XmlStreamException {
        XmlElement original = StanzaFixtures.decodeByteByByte("<message from='juliet@capulet.example/balcony' to='romeo@montague.example/garden' "
                + "type='chat'><body>What man art thou?</body><thread>0e3141cd</thread></message>");
        XmlElement copy = Carbons.copy(Carbons.Direction.RECEIVED, "romeo@montague.example", "romeo@montague.example/home", original);
        assertThat(copy.attr("from")).isEqualTo("romeo@montague.example");
        assertThat(copy.attr("to")).isEqualTo("romeo@montague.example/home");
        assertThat(copy.attr("type")).isEqualTo("chat");
        XmlElement inner = copy.child("received", Carbons.NAMESPACE).child("forwarded", Forwarded.NAMESPACE)
                .child("message", Namespaces.CLIENT);
        assertThat(inner).isEqualTo(original);
        // and it survives the wire: written, decoded again, the same element
        assertThat(StanzaFixtures.decodeByteByByte(XmlWriter.write(copy, Namespaces.CLIENT))).isEqualTo(copy);
    }

    /** Section 8, "Romeo's other Carbons-enabled clients receive a copy". */
    @Test
    void sentCopyKeepsTheMessageType() throws XmlStreamException {
        XmlElement original = StanzaFixtures.decodeByteByByte("<message to='juliet@capulet.example/balcony' from='romeo@montague.example/home'>"
                + "<body>Neither, fair saint</body></message>");
        XmlElement copy = Carbons.copy(Carbons.Direction.SENT, "romeo@montague.example", "romeo@montague.example/garden", original);
        assertThat(copy.attr("type")).isNull();
        assertThat(copy.child("sent", Carbons.NAMESPACE).child("forwarded", Forwarded.NAMESPACE).child("message", Namespaces.CLIENT))
                .isEqualTo(original);
    }

    @Test
    void enableAndDisable() throws XmlStreamException {
        assertThat(Carbons.toggle(StanzaFixtures.decodeByteByByte("<iq type='set' id='e'><enable xmlns='urn:xmpp:carbons:2'/></iq>").elements().get(0))).isTrue();
        assertThat(Carbons.toggle(StanzaFixtures.decodeByteByByte("<iq type='set' id='d'><disable xmlns='urn:xmpp:carbons:2'/></iq>").elements().get(0))).isFalse();
        assertThat(Carbons.toggle(StanzaFixtures.decodeByteByByte("<iq type='set' id='x'><enable xmlns='urn:xmpp:carbons:1'/></iq>").elements().get(0))).isNull();
        assertThat(Carbons.toggle(StanzaFixtures.decodeByteByByte("<iq type='set' id='y'><private xmlns='urn:xmpp:carbons:2'/></iq>").elements().get(0))).isNull();
    }
}
