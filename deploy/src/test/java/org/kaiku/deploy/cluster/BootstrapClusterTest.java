package org.kaiku.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.kaiku.deploy.KaikuServer;
import org.kaiku.deploy.config.ConfigLoader;
import org.kaiku.persistence.cassandra.LocalCassandra;

/**
 * Two nodes started at the same time with {@code kaiku run --bootstrap} (Pekko Cluster Bootstrap,
 * config discovery of each other's management endpoints, two contact points required, no seed
 * nodes) form one cluster: each sees two members Up and the same leader, and each answers its
 * readiness probe. One node forms the cluster (the lowest contact point) and the other joins it;
 * neither forms a cluster of its own.
 */
class BootstrapClusterTest {

    @Test
    void twoNodesFindEachOtherThroughClusterBootstrap() throws Exception {
        Path work = Path.of("target", "bootstrap-" + System.nanoTime()).toAbsolutePath();
        int[] cp = TwoNodeClusterTest.freePorts(3);
        try (LocalCassandra cassandra = LocalCassandra.startOrReuse(new LocalCassandra.Config(work.resolve("cassandra"), cp[0], cp[1], cp[2],
                null, "512M"))) {
            List<KaikuServer> nodes = new ArrayList<>();
            try {
                formCluster(work, "127.0.0.1:" + cassandra.contactPoint().getPort(), nodes);
            } finally {
                for (int i = nodes.size() - 1; i >= 0; i--) {
                    nodes.get(i).close();
                }
            }
        }
    }

    private static void formCluster(Path work, String contact, List<KaikuServer> nodes) throws Exception {
        int[] management = TwoNodeClusterTest.freePorts(2);
        List<String> points = List.of("127.0.0.1:" + management[0], "127.0.0.1:" + management[1]);
        List<CompletableFuture<KaikuServer>> starting = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Map<String, Object> flags = new HashMap<>();
            flags.put("kaiku.data-dir", work.resolve("n" + i).toString());
            flags.put("kaiku.c2s.port", 0);
            flags.put("kaiku.c2s.tls-port", -1);
            flags.put("kaiku.admin.port", 0);
            flags.put("kaiku.cluster.port", 0);
            flags.put("kaiku.management.port", management[i]);
            flags.put("kaiku.cluster.bootstrap.discovery-method", "config");
            flags.put("kaiku.cluster.bootstrap.contact-points", points);
            flags.put("kaiku.cassandra.contact-points", List.of(contact));
            flags.put("kaiku.relay.enabled", false);
            com.typesafe.config.Config config = ConfigLoader.load(flags, null);
            starting.add(CompletableFuture.supplyAsync(() -> KaikuServer.start(config)));
        }
        for (CompletableFuture<KaikuServer> s : starting) {
            try {
                nodes.add(s.get(5, TimeUnit.MINUTES));
            } catch (Exception e) {
                starting.forEach(other -> other.thenAccept(KaikuServer::close)); // those still coming up
                throw e;
            }
        }
        for (KaikuServer node : nodes) {
            TwoNodeClusterTest.await("two members up", () -> upMembers(node) == 2);
        }
        assertThat(Cluster.get(nodes.get(0).system()).state().getLeader())
                .isEqualTo(Cluster.get(nodes.get(1).system()).state().getLeader());
        HttpClient http = HttpClient.newHttpClient();
        for (KaikuServer node : nodes) {
            assertThat(node.managementPort()).isIn(management[0], management[1]);
            HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.managementPort() + "/ready"))
                    .timeout(Duration.ofSeconds(10)).build();
            // the "sharding" check passes once the account region has registered with its coordinator
            TwoNodeClusterTest.await("ready", () -> status(http, ready) == 200);
        }
    }

    private static int status(HttpClient http, HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            throw new AssertionError(request.uri() + ": " + e, e);
        }
    }

    private static int upMembers(KaikuServer node) {
        int up = 0;
        for (org.apache.pekko.cluster.Member m : Cluster.get(node.system()).state().getMembers()) {
            if (m.status() == MemberStatus.up()) {
                up++;
            }
        }
        return up;
    }
}
