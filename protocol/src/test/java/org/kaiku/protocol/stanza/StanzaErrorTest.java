package org.kaiku.protocol.stanza;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kaiku.protocol.stanza.StanzaError.Condition;
import org.kaiku.protocol.stanza.StanzaError.Type;
import org.kaiku.protocol.xml.XmlElement;

class StanzaErrorTest {

    @Test
    void allTwentyTwoConditionsOfRfc6120Section833() {
        assertThat(Arrays.stream(Condition.values()).map(Condition::elementName)).containsExactly(
                "bad-request", "conflict", "feature-not-implemented", "forbidden", "gone",
                "internal-server-error", "item-not-found", "jid-malformed", "not-acceptable", "not-allowed",
                "not-authorized", "policy-violation", "recipient-unavailable", "redirect",
                "registration-required", "remote-server-not-found", "remote-server-timeout",
                "resource-constraint", "service-unavailable", "subscription-required",
                "undefined-condition", "unexpected-request");
    }

    @ParameterizedTest
    @EnumSource(Condition.class)
    void elementNamesRoundTrip(Condition c) {
        assertThat(Condition.fromElementName(c.elementName())).isSameAs(c);
        assertThat(StanzaError.of(c).type()).isSameAs(c.defaultType());
        StanzaError parsed = StanzaError.fromElement(StanzaError.of(c, "why").toElement());
        assertThat(parsed).isEqualTo(StanzaError.of(c, "why"));
    }

    @Test
    void defaultTypesFollowTheRfcExamples() {
        assertThat(StanzaError.of(Condition.SERVICE_UNAVAILABLE).type()).isEqualTo(Type.CANCEL);
        assertThat(StanzaError.of(Condition.BAD_REQUEST).type()).isEqualTo(Type.MODIFY);
        assertThat(StanzaError.of(Condition.FORBIDDEN).type()).isEqualTo(Type.AUTH);
        assertThat(StanzaError.of(Condition.RESOURCE_CONSTRAINT).type()).isEqualTo(Type.WAIT);
        assertThat(StanzaError.of(Condition.NOT_AUTHORIZED).type()).isEqualTo(Type.AUTH);
    }

    @Test
    void toElementWritesTheRfcShape() {
        assertThat(StanzaError.of(Condition.SERVICE_UNAVAILABLE).toElement().toXml()).isEqualTo(
                "<error xmlns=\"jabber:client\" type=\"cancel\">"
                        + "<service-unavailable xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/></error>");
        XmlElement withText = new StanzaError(Type.MODIFY, Condition.BAD_REQUEST, "a < b").toElement("jabber:server");
        assertThat(withText.toXml()).isEqualTo(
                "<error xmlns=\"jabber:server\" type=\"modify\">"
                        + "<bad-request xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>"
                        + "<text xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\" xml:lang=\"en\">a &lt; b</text></error>");
    }

    @Test
    void unknownConditionsAndTypesAreReadLeniently() {
        XmlElement odd = XmlElement.builder("error", Namespaces.CLIENT).attr("type", "bogus")
                .child(XmlElement.of("made-up", Namespaces.STANZAS))
                .child(XmlElement.of("app-specific", "urn:example:app")).build();
        assertThat(StanzaError.fromElement(odd))
                .isEqualTo(new StanzaError(Type.CANCEL, Condition.UNDEFINED_CONDITION, null));
        assertThat(Type.fromValue("wait")).isEqualTo(Type.WAIT);
        assertThat(Type.fromValue("WAIT")).isNull();
        assertThat(Condition.fromElementName("nope")).isNull();
        assertThatThrownBy(() -> new StanzaError(null, Condition.GONE, null)).isInstanceOf(NullPointerException.class);
    }
}
