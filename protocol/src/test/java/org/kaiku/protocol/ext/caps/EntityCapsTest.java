package org.kaiku.protocol.ext.caps;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kaiku.protocol.xml.XmlElement;

/** XEP-0115 section 5: the two worked examples, and the ill-formed answers of section 5.4. */
class EntityCapsTest {
    private static final String INFO = "http://jabber.org/protocol/disco#info";
    private static final String DATA = "jabber:x:data";

    private static XmlElement identity(String category, String type, String lang, String name) {
        XmlElement.Builder b = XmlElement.builder("identity", INFO).attr("category", category).attr("type", type);
        if (lang != null) {
            b.attr("xml:lang", lang);
        }
        return b.attr("name", name).build();
    }

    private static XmlElement feature(String var) {
        return XmlElement.builder("feature", INFO).attr("var", var).build();
    }

    private static XmlElement field(String var, String type, String... values) {
        XmlElement.Builder b = XmlElement.builder("field", DATA).attr("var", var);
        if (type != null) {
            b.attr("type", type);
        }
        for (String v : values) {
            b.child(XmlElement.builder("value", DATA).text(v).build());
        }
        return b.build();
    }

    private static XmlElement query(XmlElement... children) {
        return XmlElement.builder("query", INFO).children(List.of(children)).build();
    }

    private static final List<XmlElement> FEATURES = List.of(feature("http://jabber.org/protocol/disco#items"),
            feature("http://jabber.org/protocol/muc"), feature("http://jabber.org/protocol/caps"),
            feature("http://jabber.org/protocol/disco#info"));

    @Test
    void theSimpleExampleOfSection5_2() {
        XmlElement q = XmlElement.builder("query", INFO).child(identity("client", "pc", null, "Exodus 0.9.1")).children(FEATURES).build();
        assertThat(EntityCaps.verificationString(q)).contains("client/pc//Exodus 0.9.1<http://jabber.org/protocol/caps<"
                + "http://jabber.org/protocol/disco#info<http://jabber.org/protocol/disco#items<http://jabber.org/protocol/muc<");
        EntityCaps caps = new EntityCaps("sha-1", "http://code.google.com/p/exodus", "QgayPKawpkPSDYmwT/WM94uAlu0=");
        assertThat(caps.matches(q)).isTrue();
        assertThat(EntityCaps.describe("sha-1", "http://code.google.com/p/exodus", q)).isEqualTo(caps);
        assertThat(new EntityCaps("sha-1", "n", "AAAAPKawpkPSDYmwT/WM94uAlu0=").matches(q)).isFalse();
    }

    @Test
    void theComplexExampleOfSection5_3WithTwoLanguagesAndAnExtendedForm() {
        XmlElement form = XmlElement.builder("x", DATA).attr("type", "result")
                .child(field("FORM_TYPE", "hidden", "urn:xmpp:dataforms:softwareinfo"))
                .child(field("ip_version", "text-multi", "ipv6", "ipv4"))
                .child(field("os", null, "Mac"))
                .child(field("software_version", null, "0.11"))
                .child(field("os_version", null, "10.5.1"))
                .child(field("software", null, "Psi"))
                .build();
        XmlElement q = XmlElement.builder("query", INFO)
                .child(identity("client", "pc", "en", "Psi 0.11"))
                .child(identity("client", "pc", "el", "\u03a8 0.11"))
                .children(FEATURES).child(form).build();
        assertThat(EntityCaps.verificationString(q)).contains("client/pc/el/\u03a8 0.11<client/pc/en/Psi 0.11<"
                + "http://jabber.org/protocol/caps<http://jabber.org/protocol/disco#info<http://jabber.org/protocol/disco#items<"
                + "http://jabber.org/protocol/muc<urn:xmpp:dataforms:softwareinfo<ip_version<ipv4<ipv6<os<Mac<os_version<10.5.1<"
                + "software<Psi<software_version<0.11<");
        assertThat(new EntityCaps("sha-1", "http://psi-im.org", "q07IKJEyjvHSyhy//CH0CxmKi8w=").matches(q)).isTrue();
    }

    @Test
    void illFormedAnswersOfSection5_4AreNeverTrusted() {
        XmlElement twiceTheIdentity = query(identity("client", "pc", null, "A"), identity("client", "pc", null, "A"), feature("f"));
        XmlElement twiceTheFeature = query(identity("client", "pc", null, "A"), feature("f"), feature("f"));
        XmlElement form1 = XmlElement.builder("x", DATA).child(field("FORM_TYPE", "hidden", "urn:t")).build();
        XmlElement twoFormsOfOneType = query(identity("client", "pc", null, "A"), form1, form1);
        XmlElement twoTypeValues = query(identity("client", "pc", null, "A"),
                XmlElement.builder("x", DATA).child(field("FORM_TYPE", "hidden", "urn:a", "urn:b")).build());
        for (XmlElement bad : List.of(twiceTheIdentity, twiceTheFeature, twoFormsOfOneType, twoTypeValues)) {
            assertThat(EntityCaps.verificationString(bad)).as(bad.toXml()).isEmpty();
        }
        // a form whose FORM_TYPE is not hidden (or missing) is left out, the rest still counts
        XmlElement visibleType = query(identity("client", "pc", null, "A"), feature("f"),
                XmlElement.builder("x", DATA).child(field("FORM_TYPE", null, "urn:t")).child(field("x", null, "1")).build());
        assertThat(EntityCaps.verificationString(visibleType)).contains("client/pc//A<f<");
        assertThat(EntityCaps.verificationString(XmlElement.of("query", "urn:other"))).isEmpty();
    }

    @Test
    void theAnnotationIsReadFromAPresenceAndAnUnknownHashCannotBeChecked() {
        XmlElement presence = XmlElement.builder("presence", "jabber:client")
                .child(new EntityCaps("sha-1", "https://example.org/app", "QgayPKawpkPSDYmwT/WM94uAlu0=").toXml()).build();
        EntityCaps caps = EntityCaps.of(presence).orElseThrow();
        assertThat(caps.verifiable()).isTrue();
        assertThat(caps.discoNode()).isEqualTo("https://example.org/app#QgayPKawpkPSDYmwT/WM94uAlu0=");
        assertThat(new EntityCaps("md4", "n", "v").verifiable()).isFalse();
        assertThat(EntityCaps.hash("md4", "s")).isEmpty();
        // the legacy format (no hash) is no verification string
        XmlElement legacy = XmlElement.builder("presence", "jabber:client")
                .child(XmlElement.builder("c", EntityCaps.NAMESPACE).attr("node", "n").attr("ver", "1.0").build()).build();
        assertThat(EntityCaps.of(legacy)).isEmpty();
        assertThat(EntityCaps.of(XmlElement.of("presence", "jabber:client"))).isEmpty();
    }
}
