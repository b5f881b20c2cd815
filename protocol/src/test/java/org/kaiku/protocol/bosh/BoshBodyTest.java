package org.kaiku.protocol.bosh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kaiku.protocol.stream.StreamError.Condition;
import org.kaiku.protocol.stream.XmlStreamException;
import org.kaiku.protocol.xml.DecoderLimits;

/** XEP-0124/0206 request bodies in, response bodies out. */
class BoshBodyTest {
    private static BoshBody parse(String xml) throws XmlStreamException {
        return BoshBody.parse(xml.getBytes(StandardCharsets.UTF_8), DecoderLimits.DEFAULT);
    }

    @Test
    void readsAttributesWhateverTheXboshPrefixAndThePayloads() throws Exception {
        BoshBody b = parse("<?xml version='1.0' encoding='utf-8'?>\n<body xmlns='http://jabber.org/protocol/httpbind' xmlns:x='urn:xmpp:xbosh'"
                + " rid='1573741824' sid='abc' to='example.com' xml:lang='en' x:restart='true' x:version='1.0'>"
                + "<message xmlns='jabber:client' to='a@b'><body>hi</body></message><presence/></body>");
        assertThat(b.rid()).hasValue(1573741824L);
        assertThat(b.sid()).isEqualTo("abc");
        assertThat(b.attr("xml:lang")).isEqualTo("en");
        assertThat(b.xbosh("restart")).isEqualTo("true");
        assertThat(b.xbosh("version")).isEqualTo("1.0");
        assertThat(b.payloads()).hasSize(2);
        assertThat(b.payloads().get(0).namespace()).isEqualTo("jabber:client");
        // an unqualified stanza inherits the body's namespace: read as jabber:client
        assertThat(b.payloads().get(1).namespace()).isEqualTo("jabber:client");
        assertThat(b.terminate()).isFalse();
    }

    @Test
    void ridMustBeAnIntegerBelowTwoToThe53() throws Exception {
        assertThat(parse("<body xmlns='http://jabber.org/protocol/httpbind' rid='9007199254740991'/>").rid()).hasValue(9007199254740991L);
        assertThat(parse("<body xmlns='http://jabber.org/protocol/httpbind' rid='9007199254740992'/>").rid()).isEmpty();
        assertThat(parse("<body xmlns='http://jabber.org/protocol/httpbind' rid='-1'/>").rid()).isEmpty();
        assertThat(parse("<body xmlns='http://jabber.org/protocol/httpbind'/>").rid()).isEmpty();
    }

    @Test
    void refusesWhatIsNotOneBody() {
        for (String bad : List.of("<body xmlns='urn:example'/>", "<body xmlns='http://jabber.org/protocol/httpbind'/><x/>", "hello",
                "<body xmlns='http://jabber.org/protocol/httpbind'><!-- c --></body>", "<body xmlns='http://jabber.org/protocol/httpbind'>")) {
            assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOf(XmlStreamException.class);
        }
        assertThatThrownBy(() -> parse("<body xmlns='urn:example'/>"))
                .isInstanceOfSatisfying(XmlStreamException.class, e -> assertThat(e.condition()).isEqualTo(Condition.BAD_FORMAT));
    }

    @Test
    void writesResponses() {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("sid", "s'1");
        attrs.put("type", "terminate");
        assertThat(BoshBody.response(attrs, List.of())).isEqualTo("<body xmlns='http://jabber.org/protocol/httpbind' xmlns:xmpp='urn:xmpp:xbosh'"
                + " xmlns:stream='http://etherx.jabber.org/streams' sid='s&apos;1' type='terminate'/>");
        assertThat(BoshBody.response(Map.of(), List.of("<presence xmlns=\"jabber:client\"/>")))
                .endsWith("><presence xmlns=\"jabber:client\"/></body>");
    }
}
