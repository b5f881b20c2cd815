package org.kaiku.protocol.ext.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.xml.XmlElement;

/** XEP-0060 error replies carry the stanza condition and the pubsub#errors element of section 7-8's examples. */
class PubSubTest {
    private static final XmlElement IQ = XmlElement.builder("iq", "jabber:client").attr("from", "a@localhost/r")
            .attr("to", "pubsub.localhost").attr("id", "x1").attr("type", "set").build();

    @Test
    void errorCarriesTheApplicationCondition() {
        XmlElement reply = PubSub.error(IQ, StanzaError.Condition.CONFLICT, "precondition-not-met");
        assertThat(reply.attr("type")).isEqualTo("error");
        assertThat(reply.attr("to")).isEqualTo("a@localhost/r");
        XmlElement error = reply.child("error", "jabber:client");
        assertThat(error.attr("type")).isEqualTo("cancel");
        assertThat(error.child("conflict", "urn:ietf:params:xml:ns:xmpp-stanzas")).isNotNull();
        assertThat(error.child("precondition-not-met", PubSub.ERRORS)).isNotNull();
    }

    @Test
    void unsupportedNamesTheFeature() {
        XmlElement error = PubSub.unsupported(IQ, "persistent-items").child("error", "jabber:client");
        assertThat(error.child("feature-not-implemented", "urn:ietf:params:xml:ns:xmpp-stanzas")).isNotNull();
        assertThat(error.child("unsupported", PubSub.ERRORS).attr("feature")).isEqualTo("persistent-items");
    }

    @Test
    void withoutApplicationConditionOnlyTheStanzaError() {
        XmlElement error = PubSub.error(IQ, StanzaError.Condition.ITEM_NOT_FOUND, null).child("error", "jabber:client");
        assertThat(error.elements()).hasSize(1);
        assertThat(error.toXml()).contains("item-not-found").doesNotContain(PubSub.ERRORS);
    }
}
