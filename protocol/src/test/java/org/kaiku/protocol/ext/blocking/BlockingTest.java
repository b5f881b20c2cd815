package org.kaiku.protocol.ext.blocking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.kaiku.protocol.xml.StanzaFixtures.decodeByteByByte;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.StanzaRequestException;
import org.kaiku.protocol.stream.XmlStreamException;
import org.kaiku.protocol.xml.XmlElement;

/** XEP-0191: requests as the XEP writes them, JID matching in the order of section 6, the blocked error. */
class BlockingTest {

    private static XmlElement payload(String iq) throws XmlStreamException {
        return decodeByteByByte(iq).elements().get(0);
    }

    @Test
    void blockAndUnblockAsInSection3() throws Exception {
        Blocking.Change block = Blocking.readChange(payload("<iq type='set' id='block1'><block xmlns='urn:xmpp:blocking'>"
                + "<item jid='romeo@montague.net'/><item jid='iago@shakespeare.lit'/><item jid='Romeo@Montague.net'/></block></iq>"));
        assertThat(block.block()).isTrue();
        // prepared, so the same JID written twice is one item
        assertThat(block.jids()).containsExactly("romeo@montague.net", "iago@shakespeare.lit");
        Blocking.Change unblockAll = Blocking.readChange(payload("<iq type='set' id='u2'><unblock xmlns='urn:xmpp:blocking'/></iq>"));
        assertThat(unblockAll.block()).isFalse();
        assertThat(unblockAll.jids()).isEmpty();
        assertThat(unblockAll.toElement()).isEqualTo(XmlElement.of("unblock", Blocking.NAMESPACE));
    }

    @Test
    void malformedRequestsGetTheirErrors() {
        assertThatThrownBy(() -> Blocking.readChange(payload("<iq type='set' id='b'><block xmlns='urn:xmpp:blocking'/></iq>")))
                .isInstanceOfSatisfying(StanzaRequestException.class,
                        e -> assertThat(e.condition()).isEqualTo(StanzaError.Condition.BAD_REQUEST));
        assertThatThrownBy(() -> Blocking.readChange(payload("<iq type='set' id='b'><block xmlns='urn:xmpp:blocking'>"
                + "<item jid='@@bad@@'/></block></iq>")))
                .isInstanceOfSatisfying(StanzaRequestException.class,
                        e -> assertThat(e.condition()).isEqualTo(StanzaError.Condition.JID_MALFORMED));
        assertThatThrownBy(() -> Blocking.readChange(payload("<iq type='set' id='b'><block xmlns='urn:xmpp:blocking'>"
                + "<item/></block></iq>")))
                .isInstanceOfSatisfying(StanzaRequestException.class,
                        e -> assertThat(e.condition()).isEqualTo(StanzaError.Condition.JID_MALFORMED));
        assertThatThrownBy(() -> Blocking.readChange(payload("<iq type='set' id='b'><blocklist xmlns='urn:xmpp:blocking'/></iq>")))
                .isInstanceOf(StanzaRequestException.class);
    }

    @ParameterizedTest(name = "{0} blocks {1}: {2}")
    @CsvSource({
        "romeo@montague.net/orchard, romeo@montague.net/orchard, true",
        "romeo@montague.net/orchard, romeo@montague.net/garden, false",
        "romeo@montague.net/orchard, romeo@montague.net, false",
        "romeo@montague.net, romeo@montague.net/orchard, true",
        "romeo@montague.net, romeo@montague.net, true",
        "romeo@montague.net, benvolio@montague.net, false",
        "montague.net/bot, montague.net/bot, true",
        "montague.net/bot, romeo@montague.net/bot, true",
        "montague.net/bot, montague.net/other, false",
        "montague.net, romeo@montague.net/orchard, true",
        "montague.net, montague.net, true",
        "montague.net, capulet.com, false",
        "montague.net, romeo@capulet.com, false",
    })
    void matchingFollowsSection6(String item, String sender, boolean blocked) {
        assertThat(Blocking.blocks(Set.of(item), sender)).isEqualTo(blocked);
    }

    @Test
    void nothingBlocksAMissingOrBrokenAddress() {
        assertThat(Blocking.blocks(Set.of("montague.net"), null)).isFalse();
        assertThat(Blocking.blocks(Set.of("montague.net"), "@@")).isFalse();
        assertThat(Blocking.blocks(List.of(), "romeo@montague.net")).isFalse();
    }

    /** Section 3.3, "Error: JID is blocked". */
    @Test
    void theBlockedErrorIsNotAcceptableWithTheBlockedCondition() throws Exception {
        XmlElement sent = decodeByteByByte("<message from='juliet@capulet.com/balcony' to='romeo@montague.net'>"
                + "<body>Can you hear me now?</body></message>");
        XmlElement error = Blocking.blockedError(sent);
        assertThat(error.attr("type")).isEqualTo("error");
        assertThat(error.attr("from")).isEqualTo("romeo@montague.net");
        assertThat(error.attr("to")).isEqualTo("juliet@capulet.com/balcony");
        assertThat(error.childText("body", Namespaces.CLIENT)).isEqualTo("Can you hear me now?");
        XmlElement e = error.child("error", Namespaces.CLIENT);
        assertThat(e.attr("type")).isEqualTo("cancel");
        assertThat(e.child("not-acceptable", Namespaces.STANZAS)).isNotNull();
        assertThat(e.child("blocked", Blocking.ERRORS)).isNotNull();
    }

    @Test
    void blocklistAnswer() {
        assertThat(Blocking.blocklist(List.of())).isEqualTo(XmlElement.of("blocklist", Blocking.NAMESPACE));
        assertThat(Blocking.blocklist(List.of("romeo@montague.net")).elements("item", Blocking.NAMESPACE))
                .extracting(i -> i.attr("jid")).containsExactly("romeo@montague.net");
    }
}
