package org.kaiku.protocol.ext.sm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.kaiku.protocol.stanza.StanzaError;

/** XEP-0198 elements as the XEP's examples show them, and the unsignedInt sequence numbers. */
class StreamManagementTest {

    @Test
    void hIsAnUnsignedInt() {
        assertThat(StreamManagement.parseH("0")).hasValue(0);
        assertThat(StreamManagement.parseH("4294967295")).hasValue(4294967295L);
        assertThat(StreamManagement.parseH("+7")).hasValue(7);
        assertThat(StreamManagement.parseH("4294967296")).isEmpty();
        assertThat(StreamManagement.parseH("-1")).isEmpty();
        assertThat(StreamManagement.parseH("1e3")).isEmpty();
        assertThat(StreamManagement.parseH("")).isEmpty();
        assertThat(StreamManagement.parseH(null)).isEmpty();
        assertThat(StreamManagement.parseH("99999999999999999999999")).isEmpty();
    }

    @Test
    void sequenceNumbersWrapAtTwoToThe32() {
        assertThat(StreamManagement.next(4294967295L)).isZero();
        assertThat(StreamManagement.distance(4294967290L, 3)).isEqualTo(9);
        assertThat(StreamManagement.distance(5, 5)).isZero();
    }

    @Test
    void elementsMatchTheXepExamples() {
        assertThat(StreamManagement.enabled("some-long-sm-id", 0, null).toXml())
                .isEqualTo("<enabled xmlns=\"urn:xmpp:sm:3\" id=\"some-long-sm-id\" resume=\"true\"/>");
        assertThat(StreamManagement.enabled(null, 300, "ignored").toXml()).isEqualTo("<enabled xmlns=\"urn:xmpp:sm:3\"/>");
        assertThat(StreamManagement.enabled("x", 300, "[2001:41D0:1:A49b::1]:9222").attr("location"))
                .isEqualTo("[2001:41D0:1:A49b::1]:9222");
        assertThat(StreamManagement.failed(StanzaError.Condition.UNEXPECTED_REQUEST, -1).toXml())
                .isEqualTo("<failed xmlns=\"urn:xmpp:sm:3\"><unexpected-request xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/></failed>");
        assertThat(StreamManagement.handledCountTooHigh(10, 8).toXml())
                .isEqualTo("<handled-count-too-high xmlns=\"urn:xmpp:sm:3\" h=\"10\" send-count=\"8\"/>");
        assertThat(StreamManagement.resumed("id", 3).toXml()).isEqualTo("<resumed xmlns=\"urn:xmpp:sm:3\" previd=\"id\" h=\"3\"/>");
        assertThat(StreamManagement.isTrue("1")).isTrue();
        assertThat(StreamManagement.isTrue("false")).isFalse();
    }
}
