package org.kaiku.protocol.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kaiku.protocol.xml.StanzaFixtures.decodeByteByByte;

import org.junit.jupiter.api.Test;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.xml.XmlElement;

/** XEP-0114: the handshake digest of section 3 and the namespace of stanzas crossing streams. */
class ComponentProtocolTest {

    @Test
    void handshakeIsHexSha1OfIdAndSecret() {
        // the stream id of XEP-0114's example with the secret 'secret', computed independently:
        // printf '3BF96D32secret' | sha1sum
        String digest = ComponentProtocol.digest("3BF96D32", "secret");
        assertThat(digest).isEqualTo("b09ea9b3b7f586be8a08d0a3dd7466f110aeb136");
        assertThat(ComponentProtocol.verify("3BF96D32", "secret", digest)).isTrue();
        assertThat(ComponentProtocol.verify("3BF96D32", "secret", digest.toUpperCase())).isTrue();
        assertThat(ComponentProtocol.verify("3BF96D32", "secret", " " + digest + "\n")).isTrue();
        assertThat(ComponentProtocol.verify("3BF96D32", "wrong", digest)).isFalse();
        assertThat(ComponentProtocol.verify("other", "secret", digest)).isFalse();
        assertThat(ComponentProtocol.verify("3BF96D32", "secret", null)).isFalse();
        assertThat(ComponentProtocol.verify("3BF96D32", "secret", "")).isFalse();
    }

    @Test
    void stanzasMoveBetweenStreamNamespacesAndPayloadsKeepTheirs() throws Exception {
        XmlElement in = decodeByteByByte("<message xmlns='jabber:component:accept' to='a@localhost' from='bot.localhost'>"
                + "<body>hi</body><x xmlns='urn:example'><y/></x></message>");
        XmlElement client = ComponentProtocol.moveNamespace(in, ComponentProtocol.NAMESPACE, Namespaces.CLIENT);
        assertThat(client.namespace()).isEqualTo(Namespaces.CLIENT);
        assertThat(client.child("body", Namespaces.CLIENT).text()).isEqualTo("hi");
        assertThat(client.child("x", "urn:example").child("y", "urn:example")).isNotNull();
        assertThat(ComponentProtocol.moveNamespace(client, Namespaces.CLIENT, ComponentProtocol.NAMESPACE)).isEqualTo(in);
        XmlElement payloadOnly = XmlElement.of("x", "urn:example");
        assertThat(ComponentProtocol.moveNamespace(payloadOnly, Namespaces.CLIENT, ComponentProtocol.NAMESPACE)).isSameAs(payloadOnly);
    }
}
