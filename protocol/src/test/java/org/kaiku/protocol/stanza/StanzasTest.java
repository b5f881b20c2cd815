package org.kaiku.protocol.stanza;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kaiku.protocol.stream.StreamHeader;
import org.kaiku.protocol.stream.XmlStreamException;
import org.kaiku.protocol.xml.StreamEvent;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlStreamDecoder;
import org.kaiku.protocol.xml.XmlWriter;

class StanzasTest {

    private static XmlElement decode(String stanza) throws XmlStreamException {
        String input = StreamHeader.open(null, "example.com", null, Namespaces.CLIENT) + stanza;
        List<StreamEvent> events = new XmlStreamDecoder().feed(input.getBytes(StandardCharsets.UTF_8));
        return ((StreamEvent.StreamElement) events.get(1)).element();
    }

    @Test
    void kindsAreRecognisedInClientAndServerNamespacesOnly() throws XmlStreamException {
        assertThat(StanzaKind.of(decode("<message/>"))).isEqualTo(StanzaKind.MESSAGE);
        assertThat(StanzaKind.of(decode("<presence/>"))).isEqualTo(StanzaKind.PRESENCE);
        assertThat(StanzaKind.of(decode("<iq/>"))).isEqualTo(StanzaKind.IQ);
        assertThat(StanzaKind.of(decode("<iq xmlns='jabber:server'/>"))).isEqualTo(StanzaKind.IQ);
        assertThat(StanzaKind.of(decode("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"))).isNull();
        assertThat(StanzaKind.of(decode("<message xmlns='urn:other'/>"))).isNull();
        assertThat(StanzaKind.of(decode("<r xmlns='urn:xmpp:sm:3'/>"))).isNull();
        assertThat(StanzaKind.of(null)).isNull();
        assertThat(StanzaKind.isStanza(decode("<presence/>"))).isTrue();
        assertThat(StanzaKind.IQ.elementName()).isEqualTo("iq");
    }

    @Test
    void gettersReturnNullWhenAbsent() throws XmlStreamException {
        XmlElement m = decode("<message to='romeo@example.net' id='1'/>");
        assertThat(Stanzas.to(m)).isEqualTo("romeo@example.net");
        assertThat(Stanzas.id(m)).isEqualTo("1");
        assertThat(Stanzas.from(m)).isNull();
        assertThat(Stanzas.type(m)).isNull();
        assertThat(Stanzas.isError(m)).isFalse();
        assertThat(Stanzas.isError(decode("<message type='error'/>"))).isTrue();
    }

    @Test
    void errorReplySwapsAddressesKeepsIdAndPayload() throws XmlStreamException {
        XmlElement iq = decode("<iq from='juliet@example.com/balcony' to='romeo@example.net' id='q1' type='get' "
                + "xml:lang='en'><query xmlns='jabber:iq:version'/></iq>");
        XmlElement reply = Stanzas.errorReply(iq, StanzaError.of(StanzaError.Condition.SERVICE_UNAVAILABLE));
        assertThat(reply.attributes()).isEqualTo(Map.of("from", "romeo@example.net", "to", "juliet@example.com/balcony",
                "id", "q1", "type", "error", "xml:lang", "en"));
        assertThat(reply.elements()).hasSize(2);
        assertThat(reply.elements().get(0)).isEqualTo(XmlElement.of("query", "jabber:iq:version"));
        XmlElement error = reply.elements().get(1);
        assertThat(error.is("error", Namespaces.CLIENT)).isTrue();
        assertThat(error.attr("type")).isEqualTo("cancel");
        assertThat(error.child("service-unavailable", Namespaces.STANZAS)).isNotNull();
        assertThat(XmlWriter.write(reply, Namespaces.CLIENT)).isEqualTo(
                "<iq from=\"romeo@example.net\" to=\"juliet@example.com/balcony\" id=\"q1\" type=\"error\" "
                        + "xml:lang=\"en\"><query xmlns=\"jabber:iq:version\"/><error type=\"cancel\">"
                        + "<service-unavailable xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/></error></iq>");
        // and it decodes back to the same tree
        assertThat(decode(XmlWriter.write(reply, Namespaces.CLIENT))).isEqualTo(reply);
    }

    @Test
    void errorReplyWithoutAddressesAndInServerNamespace() throws XmlStreamException {
        XmlElement message = decode("<message xmlns='jabber:server' type='chat'><body>hi</body></message>");
        XmlElement reply = Stanzas.errorReply(message, StanzaError.of(StanzaError.Condition.ITEM_NOT_FOUND, "gone"));
        assertThat(reply.attributes()).isEqualTo(Map.of("type", "error"));
        assertThat(reply.namespace()).isEqualTo(Namespaces.SERVER);
        XmlElement error = reply.child("error", Namespaces.SERVER);
        assertThat(StanzaError.fromElement(error)).isEqualTo(StanzaError.of(StanzaError.Condition.ITEM_NOT_FOUND, "gone"));
        assertThat(reply.childText("body", Namespaces.SERVER)).isEqualTo("hi");
    }

    @Test
    void iqResultAnswersTheSender() throws XmlStreamException {
        XmlElement iq = decode("<iq from='juliet@example.com/balcony' to='example.com' id='r1' type='get'>"
                + "<query xmlns='jabber:iq:roster'/></iq>");
        XmlElement empty = Stanzas.iqResult(iq, null);
        assertThat(empty).isEqualTo(new XmlElement("iq", Namespaces.CLIENT,
                Map.of("from", "example.com", "to", "juliet@example.com/balcony", "id", "r1", "type", "result"), List.of()));
        XmlElement payload = XmlElement.builder("query", Namespaces.ROSTER).attr("ver", "v1").build();
        XmlElement full = Stanzas.iqResult(iq, payload);
        assertThat(full.child("query", Namespaces.ROSTER)).isEqualTo(payload);
        XmlElement bare = Stanzas.iqResult(decode("<iq type='get' id='x'/>"), null);
        assertThat(bare.attributes()).isEqualTo(Map.of("id", "x", "type", "result"));
    }

    @Test
    void namespaceConstants() {
        assertThat(Namespaces.STREAMS).isEqualTo("http://etherx.jabber.org/streams");
        assertThat(Namespaces.SASL).isEqualTo("urn:ietf:params:xml:ns:xmpp-sasl");
        assertThat(Namespaces.TLS).isEqualTo("urn:ietf:params:xml:ns:xmpp-tls");
        assertThat(Namespaces.BIND).isEqualTo("urn:ietf:params:xml:ns:xmpp-bind");
        assertThat(Namespaces.SESSION).isEqualTo("urn:ietf:params:xml:ns:xmpp-session");
        assertThat(Namespaces.isStanzaNamespace("jabber:server")).isTrue();
        assertThat(Namespaces.isStanzaNamespace("jabber:component:accept")).isFalse();
    }
}
