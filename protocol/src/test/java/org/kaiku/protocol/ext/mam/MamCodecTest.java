package org.kaiku.protocol.ext.mam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kaiku.protocol.ext.delay.Delay;
import org.kaiku.protocol.ext.forward.Forwarded;
import org.kaiku.protocol.ext.rsm.ResultSet;
import org.kaiku.protocol.ext.sid.StanzaId;
import org.kaiku.protocol.ext.xdata.DataForm;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stream.StreamHeader;
import org.kaiku.protocol.stream.XmlStreamException;
import org.kaiku.protocol.xml.StreamEvent;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlStreamDecoder;

/**
 * XEP-0313/0441 with XEP-0059, XEP-0004, XEP-0297 and XEP-0359: the XEPs' examples (fixtures/
 * mam-stanzas.xml) read byte by byte from a stream, written back and read again to the same record.
 */
class MamCodecTest {

    private static List<XmlElement> fixtures() throws IOException, XmlStreamException {
        String xml;
        try (InputStream in = MamCodecTest.class.getResourceAsStream("/fixtures/mam-stanzas.xml")) {
            xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        return decodeByteByByte(xml);
    }

    private static List<XmlElement> decodeByteByByte(String stanzas) throws XmlStreamException {
        byte[] input = (StreamHeader.open(null, "example.com", null, Namespaces.CLIENT) + stanzas).getBytes(StandardCharsets.UTF_8);
        XmlStreamDecoder decoder = new XmlStreamDecoder();
        List<XmlElement> out = new ArrayList<>();
        for (byte b : input) {
            for (StreamEvent e : decoder.feed(new byte[] {b})) {
                if (e instanceof StreamEvent.StreamElement s) {
                    out.add(s.element());
                }
            }
        }
        return out;
    }

    private static XmlElement again(XmlElement e) throws XmlStreamException {
        return decodeByteByByte(e.toXml()).get(0);
    }

    @Test
    void queryWithFormSetAndFlipPage() throws Exception {
        XmlElement iq = fixtures().get(0);
        MamQuery q = MamQuery.fromElement(iq.child("query", Mam.NAMESPACE));
        assertThat(q.queryId()).isEqualTo("f27");
        assertThat(q.with()).isEqualTo(Jid.parse("juliet@capulet.lit"));
        assertThat(q.start()).isEqualTo(Instant.parse("2010-06-07T00:00:00Z"));
        assertThat(q.end()).isEqualTo(Instant.parse("2010-07-07T11:23:54Z"));
        assertThat(q.afterId()).isEqualTo("28482-98726-73623");
        assertThat(q.beforeId()).isEqualTo("09af3-cc343-b409f");
        assertThat(q.ids()).containsExactly("a1", "b2");
        assertThat(q.set()).isEqualTo(ResultSet.request(10, null, ""));
        assertThat(q.flipPage()).isTrue();

        assertThat(MamQuery.fromElement(again(q.toElement()))).isEqualTo(q);
    }

    @Test
    void emptyQueryHasNoFilters() throws Exception {
        MamQuery q = MamQuery.fromElement(XmlElement.of("query", Mam.NAMESPACE));
        assertThat(q).isEqualTo(new MamQuery(null, null, null, null, null, null, null, List.of(), null, false));
        assertThat(MamQuery.fromElement(again(q.toElement()))).isEqualTo(q);
    }

    @Test
    void badQueriesGetTheErrorsTheXepNames() throws Exception {
        assertThatThrownBy(() -> MamQuery.fromElement(queryWith("<field var='{urn:x}fulltext'><value>x</value></field>")))
                .isInstanceOfSatisfying(MamQuery.Invalid.class,
                        e -> assertThat(e.condition()).isEqualTo(StanzaError.Condition.FEATURE_NOT_IMPLEMENTED));
        assertThatThrownBy(() -> MamQuery.fromElement(queryWith("<field var='start'><value>yesterday</value></field>")))
                .isInstanceOfSatisfying(MamQuery.Invalid.class,
                        e -> assertThat(e.condition()).isEqualTo(StanzaError.Condition.BAD_REQUEST));
        assertThatThrownBy(() -> MamQuery.fromElement(queryWith("<field var='with'><value>@@</value></field>")))
                .isInstanceOfSatisfying(MamQuery.Invalid.class,
                        e -> assertThat(e.condition()).isEqualTo(StanzaError.Condition.BAD_REQUEST));
        assertThatThrownBy(() -> MamQuery.fromElement(decodeByteByByte(
                "<query xmlns='urn:xmpp:mam:2'><x xmlns='jabber:x:data' type='submit'>"
                        + "<field var='FORM_TYPE' type='hidden'><value>urn:xmpp:mam:1</value></field></x></query>").get(0)))
                .isInstanceOf(MamQuery.Invalid.class);
        assertThatThrownBy(() -> MamQuery.fromElement(decodeByteByByte(
                "<query xmlns='urn:xmpp:mam:2'><set xmlns='http://jabber.org/protocol/rsm'><max>-1</max></set></query>").get(0)))
                .isInstanceOfSatisfying(MamQuery.Invalid.class,
                        e -> assertThat(e.condition()).isEqualTo(StanzaError.Condition.BAD_REQUEST));
    }

    private static XmlElement queryWith(String field) throws XmlStreamException {
        return decodeByteByByte("<query xmlns='urn:xmpp:mam:2'><x xmlns='jabber:x:data' type='submit'>"
                + "<field var='FORM_TYPE' type='hidden'><value>urn:xmpp:mam:2</value></field>" + field + "</x></query>").get(0);
    }

    @Test
    void resultMessageKeepsTheForwardedStanzaAndItsNamespace() throws Exception {
        XmlElement message = fixtures().get(1);
        MamResult r = MamResult.fromElement(message.child("result", Mam.NAMESPACE)).orElseThrow();
        assertThat(r.queryId()).isEqualTo("f27");
        assertThat(r.id()).isEqualTo("28482-98726-73623");
        assertThat(r.forwarded().delay()).isEqualTo(new Delay(null, Instant.parse("2010-07-10T23:08:25Z"), null));
        assertThat(r.forwarded().stanza().namespace()).isEqualTo(Namespaces.CLIENT);
        assertThat(r.forwarded().stanza().attr("from")).isEqualTo("romeo@montague.lit/orchard");

        XmlElement written = r.toMessage("m1", "juliet@capulet.lit", "juliet@capulet.lit/chamber");
        assertThat(written.toXml()).contains("<forwarded xmlns=\"urn:xmpp:forward:0\">");
        MamResult back = MamResult.fromElement(again(written).child("result", Mam.NAMESPACE)).orElseThrow();
        assertThat(back.id()).isEqualTo(r.id());
        assertThat(back.forwarded().stanza().childText("body", Namespaces.CLIENT))
                .isEqualTo(r.forwarded().stanza().childText("body", Namespaces.CLIENT));
        assertThat(Forwarded.fromElement(XmlElement.of("forwarded", Forwarded.NAMESPACE))).isEmpty();
    }

    @Test
    void finWithRsmAnswer() throws Exception {
        MamFin fin = MamFin.fromElement(fixtures().get(2).child("fin", Mam.NAMESPACE)).orElseThrow();
        assertThat(fin).isEqualTo(new MamFin(true, ResultSet.answer("23452-4534-1", 0, "390-2342-22", 16)));
        assertThat(MamFin.fromElement(again(fin.toElement()))).contains(fin);
        MamFin partial = new MamFin(false, ResultSet.answer(null, null, null, null));
        assertThat(partial.toElement().toXml()).doesNotContain("complete");
        assertThat(MamFin.fromElement(again(partial.toElement()))).contains(partial);
    }

    @Test
    void prefsAndTheirMatchingRules() throws Exception {
        MamPrefs p = MamPrefs.fromElement(fixtures().get(3).child("prefs", Mam.NAMESPACE));
        assertThat(p).isEqualTo(new MamPrefs(MamPrefs.Default.ROSTER, List.of(Jid.parse("romeo@montague.lit")),
                List.of(Jid.parse("montague@montague.lit"))));
        assertThat(MamPrefs.fromElement(again(p.toElement()))).isEqualTo(p);

        assertThat(p.archives(Jid.parse("romeo@montague.lit/orchard"), false)).as("bare entry matches any resource").isTrue();
        assertThat(p.archives(Jid.parse("montague@montague.lit/x"), true)).as("never wins").isFalse();
        assertThat(p.archives(Jid.parse("nurse@capulet.lit"), true)).isTrue();
        assertThat(p.archives(Jid.parse("nurse@capulet.lit"), false)).isFalse();
        MamPrefs full = new MamPrefs(MamPrefs.Default.ALWAYS, List.of(), List.of(Jid.parse("a@b/c")));
        assertThat(full.archives(Jid.parse("a@b/c"), false)).isFalse();
        assertThat(full.archives(Jid.parse("a@b/d"), false)).as("full entry matches only itself").isTrue();
        assertThatThrownBy(() -> MamPrefs.fromElement(decodeByteByByte("<prefs xmlns='urn:xmpp:mam:2' default='sometimes'/>").get(0)))
                .isInstanceOf(MamQuery.Invalid.class);
        assertThat(MamPrefs.fromElement(decodeByteByByte("<prefs xmlns='urn:xmpp:mam:2' default='never'/>").get(0)))
                .isEqualTo(new MamPrefs(MamPrefs.Default.NEVER, List.of(), List.of()));
    }

    @Test
    void stanzaIdsOfOurOwnByAreStrippedOthersKept() throws Exception {
        XmlElement message = fixtures().get(4);
        assertThat(StanzaId.all(message)).hasSize(2);
        XmlElement stripped = StanzaId.stripSpoofed(message, "juliet@capulet.lit");
        assertThat(StanzaId.all(stripped)).containsExactly(new StanzaId("5f3dbc5e-e1d3-4077-a492-693f3769c7ad", "room@muc.example.com"));
        assertThat(stripped.child("origin-id", StanzaId.NAMESPACE)).isNotNull();
        assertThat(StanzaId.stripSpoofed(stripped, "juliet@capulet.lit")).isSameAs(stripped);

        XmlElement ours = new StanzaId("our-id", "juliet@capulet.lit").addTo(message);
        assertThat(StanzaId.all(again(ours))).containsExactlyInAnyOrder(
                new StanzaId("5f3dbc5e-e1d3-4077-a492-693f3769c7ad", "room@muc.example.com"),
                new StanzaId("our-id", "juliet@capulet.lit"));
    }

    @Test
    void theServersQueryFormListsTheXepFieldsWithOpenIds() throws Exception {
        DataForm form = DataForm.fromElement(again(Mam.queryForm().toElement())).orElseThrow();
        assertThat(form.type()).isEqualTo("form");
        assertThat(form.formType()).isEqualTo(Mam.NAMESPACE);
        assertThat(form.fields()).extracting(DataForm.Field::var)
                .containsExactly("FORM_TYPE", "with", "start", "end", "before-id", "after-id", "ids");
        DataForm.Field ids = form.field("ids").orElseThrow();
        assertThat(ids.type()).isEqualTo("list-multi");
        assertThat(ids.validate().child("open", DataForm.VALIDATE_NAMESPACE)).isNotNull();
    }
}
