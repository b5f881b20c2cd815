package org.kaiku.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.junit.jupiter.api.Test;
import org.kaiku.deploy.KaikuServer;
import org.kaiku.deploy.config.ConfigLoader;
import org.kaiku.engine.testing.XmppTestClients;
import org.kaiku.persistence.cassandra.LocalCassandra;

/**
 * Given contact points (`kaiku run --cassandra HOST:PORT`), Kaiku uses that cluster and starts
 * no node of its own, and stopping Kaiku leaves that cluster running. The "external" cluster
 * here is a Cassandra node this test starts itself.
 */
class ExternalCassandraTest {

    @Test
    void usesTheGivenClusterAndLeavesItRunning() throws Exception {
        Path work = Path.of("target", "external-" + System.nanoTime()).toAbsolutePath();
        ServerProcess.Ports ports = ServerProcess.Ports.free();
        try (LocalCassandra external = LocalCassandra.startOrReuse(new LocalCassandra.Config(
                work.resolve("external-cassandra"), ports.cql(), ports.storage(), ports.jmx(), null, "512M"))) {
            String contact = "127.0.0.1:" + external.contactPoint().getPort();
            Path dataDir = work.resolve("data");
            KaikuServer server = KaikuServer.start(ConfigLoader.load(Map.of(
                    "kaiku.data-dir", dataDir.toString(),
                    "kaiku.c2s.port", 0,
                    "kaiku.c2s.tls-port", -1,
                    "kaiku.admin.port", 0,
                    "kaiku.cluster.port", 0,
                    "kaiku.relay.port", 0,
                    "kaiku.relay.socks5.port", 0,
                    "kaiku.cassandra.contact-points", List.of(contact)), null));
            try {
                assertThat(server.accounts().add("dave@localhost", "dave-secret").toCompletableFuture().get()).isTrue();
                XMPPTCPConnection dave = XmppTestClients.smack(server.c2sPort(), "dave", "dave-secret", "r",
                        XmppTestClients.trustNode(dataDir.resolve("tls/localhost.p12"), "changeit"));
                dave.connect().login();
                assertThat(dave.isAuthenticated()).isTrue();
                dave.disconnect();
            } finally {
                server.close();
            }
            // Kaiku made no node of its own and left the given one alone.
            assertThat(dataDir.resolve("cassandra")).doesNotExist();
            try (Socket s = new Socket("127.0.0.1", external.contactPoint().getPort())) {
                assertThat(s.isConnected()).isTrue();
            }
        }
    }
}
