package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.caps.CapsVersionAndHash;
import org.jivesoftware.smackx.caps.EntityCapsManager;
import org.jivesoftware.smackx.caps.packet.CapsExtension;
import org.jivesoftware.smackx.disco.AbstractNodeInformationProvider;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.DomainBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.kaiku.engine.module.ModuleRegistry;
import org.kaiku.engine.testing.XmppTestClients;
import org.kaiku.protocol.ext.caps.EntityCaps;
import org.kaiku.protocol.xml.XmlElement;

/**
 * XEP-0115 both ways with Smack, whose EntityCapsManager is what Conversations-era clients do:
 * Smack reads the server's caps from the stream features and verifies them against the server's
 * NODE#VER answer; the server asks Smack for its own string, verifies it and caches it; a client
 * whose answer does not hash to the string it announced is not believed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EntityCapsSmackTest {
    @TempDir
    static Path dataDir;
    private EngineNode node;
    private DomainBareJid server;

    @BeforeAll
    void start() throws Exception {
        node = new EngineNode(dataDir, Map.of());
        node.addUser("hana@localhost", "hana-secret");
        node.addUser("ivo@localhost", "ivo-secret");
        server = JidCreate.domainBareFrom("localhost");
    }

    @AfterAll
    void stop() throws Exception {
        node.close();
    }

    @Test
    void smackVerifiesTheServersCapsAndTheServerVerifiesSmacks() throws Exception {
        XMPPTCPConnection hana = node.smack("hana", "hana-secret", "phone");
        try {
            hana.connect().login();
            // the server's annotation from the stream features, as Smack recorded it
            EntityCapsManager.NodeVerHash serverCaps = EntityCapsManager.getNodeVerHashByJid(server);
            assertThat(serverCaps).as("caps in the stream features").isNotNull();
            assertThat(serverCaps.getNode()).isEqualTo(ModuleRegistry.CAPS_NODE);
            DiscoverInfo atNode = ServiceDiscoveryManager.getInstanceFor(hana).discoverInfo(server, serverCaps.getNodeVer());
            DiscoverInfo plain = ServiceDiscoveryManager.getInstanceFor(hana).discoverInfo(server);
            assertThat(atNode.getFeatures()).isEqualTo(plain.getFeatures());
            assertThat(EntityCapsManager.getDiscoveryInfoByNodeVer(serverCaps.getNodeVer()))
                    .as("Smack checked the server's string against its answer and cached it").isNotNull();

            // and the other way: the server asked for hana's string and verified it
            CapsVersionAndHash mine = EntityCapsManager.getInstanceFor(hana).getCapsVersionAndHash();
            String smackNode = EntityCapsManager.getInstanceFor(hana).getLocalNodeVer().split("#")[0];
            EntityCaps caps = new EntityCaps(mine.hash.toLowerCase(java.util.Locale.ROOT), smackNode, mine.version);
            XmppTestClients.await("the server knows hana's caps", () -> node.engine.caps().features(caps).isPresent());
            assertThat(node.engine.caps().features(caps).orElseThrow())
                    .containsAll(ServiceDiscoveryManager.getInstanceFor(hana).getFeatures());
        } finally {
            hana.disconnect();
        }
    }

    @Test
    void anAnswerThatDoesNotHashToTheAnnouncedStringIsNotBelieved() throws Exception {
        XMPPTCPConnection ivo = node.smack("ivo", "ivo-secret", "desk");
        // the raw presences below are nonzas to Smack: stream management would count them on
        // the server's side only and Smack would close on the mismatch
        ivo.setUseStreamManagement(false);
        try {
            ivo.connect().login();
            ServiceDiscoveryManager disco = ServiceDiscoveryManager.getInstanceFor(ivo);
            List<String> features = List.of("http://jabber.org/protocol/disco#info", "urn:example:feature");

            // a lie: the string of another feature set
            String lie = EntityCaps.hash("sha-1", "client/pc//Liar<http://jabber.org/protocol/disco#info<urn:example:other<").orElseThrow();
            disco.setNodeInformationProvider("urn:test:liar#" + lie, provider(features));
            // the truth, for the same features: the server must believe this one
            XmlElement.Builder q = XmlElement.builder("query", "http://jabber.org/protocol/disco#info")
                    .child(XmlElement.builder("identity", "http://jabber.org/protocol/disco#info")
                            .attr("category", "client").attr("type", "pc").attr("name", "Liar").build());
            features.forEach(f -> q.child(XmlElement.builder("feature", "http://jabber.org/protocol/disco#info").attr("var", f).build()));
            String truth = EntityCaps.describe("sha-1", "urn:test:honest", q.build()).ver();
            disco.setNodeInformationProvider("urn:test:honest#" + truth, provider(features));

            ivo.sendNonza(presenceWith(ivo, new CapsExtension("urn:test:liar", lie, "sha-1")));
            ivo.sendNonza(presenceWith(ivo, new CapsExtension("urn:test:unknown", "bm90IGEgaGFzaA==", "sha-1")));
            ivo.sendNonza(presenceWith(ivo, new CapsExtension("urn:test:honest", truth, "sha-1")));
            XmppTestClients.await("the honest string is cached",
                    () -> node.engine.caps().features(new EntityCaps("sha-1", "urn:test:honest", truth)).isPresent());
            assertThat(node.engine.caps().features(new EntityCaps("sha-1", "urn:test:liar", lie))).isEmpty();
            assertThat(node.engine.caps().features(new EntityCaps("sha-1", "urn:test:unknown", "bm90IGEgaGFzaA=="))).isEmpty();
            assertThat(ivo.isConnected()).isTrue();
        } finally {
            ivo.disconnect();
        }
    }

    /**
     * Available presence carrying this annotation, written as raw XML: Smack's own caps
     * interceptor would replace (or, disabled, remove) any caps element of a presence stanza.
     */
    private static org.jivesoftware.smack.packet.Nonza presenceWith(XMPPTCPConnection c, CapsExtension caps) {
        String xml = "<presence>" + caps.toXML(org.jivesoftware.smack.packet.XmlEnvironment.EMPTY) + "</presence>";
        return new org.jivesoftware.smack.packet.Nonza() {
            @Override
            public String getNamespace() {
                return "jabber:client";
            }

            @Override
            public String getElementName() {
                return "presence";
            }

            @Override
            public CharSequence toXML(org.jivesoftware.smack.packet.XmlEnvironment env) {
                return xml;
            }
        };
    }

    private static AbstractNodeInformationProvider provider(List<String> features) {
        return new AbstractNodeInformationProvider() {
            @Override
            public List<String> getNodeFeatures() {
                return features;
            }

            @Override
            public List<DiscoverInfo.Identity> getNodeIdentities() {
                return List.of(new DiscoverInfo.Identity("client", "pc", "Liar", null));
            }
        };
    }
}
