package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.UnparsedIQ;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.impl.JidCreate;
import org.kaiku.engine.storage.XmlDocument;
import org.kaiku.protocol.xml.XmlElement;

/**
 * XEP-0215 through a real client: Smack finds {@code urn:xmpp:extdisco:2} in the server's
 * disco#info and sends the services query as a raw IQ (Smack has no XEP-0215 manager); the
 * TURN entry carries a username {@code expiry:bare-jid} whose password is the HMAC-SHA1 of it
 * under the configured shared secret, as coturn's use-auth-secret and Kaiku's relay check it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExternalServicesSmackTest {
    private static final String NS = "urn:xmpp:extdisco:2";
    @TempDir
    static Path dataDir;
    private EngineNode node;

    @BeforeAll
    void start() throws Exception {
        node = new EngineNode(dataDir, Map.of("kaiku.external-services.services", List.of(
                Map.of("type", "stun", "host", "127.0.0.1", "port", 3478, "transport", "udp"),
                Map.of("type", "turn", "host", "127.0.0.1", "port", 3478, "transport", "udp", "secret", "north"))));
        node.addUser("romeo@localhost", "romeo-secret");
    }

    @AfterAll
    void stop() throws Exception {
        node.close();
    }

    /** {@code <services xmlns='urn:xmpp:extdisco:2'/>} to the server. */
    private static final class ServicesQuery extends IQ {
        ServicesQuery() throws Exception {
            super("services", NS);
            setType(Type.get);
            setTo(JidCreate.domainBareFrom("localhost"));
        }

        @Override
        protected IQChildElementXmlStringBuilder getIQChildElementBuilder(IQChildElementXmlStringBuilder xml) {
            xml.setEmptyElement();
            return xml;
        }
    }

    @Test
    void smackGetsStunAndTurnWithTimeLimitedCredentials() throws Exception {
        XMPPTCPConnection romeo = node.smack("romeo", "romeo-secret", "orchard");
        try {
            romeo.connect().login();
            assertThat(ServiceDiscoveryManager.getInstanceFor(romeo).serverSupportsFeature(NS)).isTrue();
            IQ answer = romeo.sendIqRequestAndWaitForResponse(new ServicesQuery());
            assertThat(answer).isInstanceOf(UnparsedIQ.class);
            XmlElement services = XmlDocument.read(((UnparsedIQ) answer).getContent().toString());
            List<XmlElement> list = services.elements("service", NS);
            assertThat(list).extracting(e -> e.attr("type")).containsExactly("stun", "turn");
            XmlElement turn = list.get(1);
            String username = turn.attr("username");
            assertThat(username).endsWith(":romeo@localhost");
            long expiry = Long.parseLong(username.substring(0, username.indexOf(':')));
            assertThat(expiry).isGreaterThan(Instant.now().getEpochSecond());
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec("north".getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            assertThat(turn.attr("password"))
                    .isEqualTo(Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8))));
        } finally {
            romeo.disconnect();
        }
    }
}
