package org.kaiku.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.kaiku.deploy.admin.AdminServer;
import org.kaiku.deploy.admin.NodeStatus;
import org.kaiku.engine.auth.AccountService;
import org.kaiku.engine.auth.InMemoryCredentialStore;
import org.kaiku.engine.storage.StorageHealth;

/**
 * {@code kaiku status} against a real admin endpoint whose storage health the test sets: up is
 * exit 0, down is exit 3 with since-when and the last error, no server is exit 1 with its cause.
 */
@Timeout(60)
class StatusCommandTest {
    @TempDir
    Path dataDir;

    @Test
    void reportsStorageUpThenDownWithItsCauseAndExitCode() {
        StorageHealth health = new StorageHealth(Clock.systemUTC(), Duration.ofSeconds(1));
        // a stopped clock: the uptime printed does not depend on how fast a loaded machine runs the test
        Instant now = Instant.now();
        NodeStatus status = new NodeStatus(now.minusSeconds(65), Clock.fixed(now, java.time.ZoneOffset.UTC), () -> 2, health, () -> 7, () -> 0);
        try (AdminServer server = AdminServer.start(0, dataDir, new AccountService("localhost", new InMemoryCredentialStore(), 4096),
                Duration.ofSeconds(5), status)) {
            String[] args = {"status", "--admin-port", String.valueOf(server.port()), "--data-dir", dataDir.toString()};
            CliRun up = CliRun.of(args);
            assertThat(up.exitCode()).isZero();
            assertThat(up.out()).contains("uptime:      1m 5s").contains("connections: 2").contains("storage:     up")
                    .contains("archive:     7 writes waiting for a retry, 0 lost");

            health.probeFailed(new IllegalStateException("No node was available to execute the query"));
            CliRun down = CliRun.of(args);
            assertThat(down.exitCode()).isEqualTo(StatusCommand.STORAGE_DOWN);
            assertThat(down.out()).contains("storage:     DOWN since ")
                    .contains("last error: IllegalStateException: No node was available to execute the query")
                    .contains("retrying:  every 1000 ms (1 failed probes)");

            health.probeSucceeded();
            assertThat(CliRun.of(args).exitCode()).isZero();
        }
    }

    @Test
    void listsTheClusterMembersWithStateRolesAndAccounts() {
        com.fasterxml.jackson.databind.node.ObjectNode cluster = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                .put("self", "pekko://kaiku@127.0.0.1:2552").put("leader", "pekko://kaiku@127.0.0.1:2552");
        cluster.putArray("members").addObject().put("address", "pekko://kaiku@127.0.0.1:2552").put("status", "Up")
                .put("reachable", true).put("self", true).put("account_shards", 3).put("account_entities", 5)
                .putArray("roles").add("dc-default");
        cluster.withArray("members").addObject().put("address", "pekko://kaiku@127.0.0.1:2553").put("status", "Up")
                .put("reachable", false).put("self", false).putArray("roles").add("dc-default");
        cluster.put("sharding_complete", false);
        NodeStatus status = new NodeStatus(Instant.now(), Clock.systemUTC(), () -> 4, StorageHealth.untracked(), () -> 0, () -> 0,
                () -> cluster);
        try (AdminServer server = AdminServer.start(0, dataDir, new AccountService("localhost", new InMemoryCredentialStore(), 4096),
                Duration.ofSeconds(5), status)) {
            CliRun run = CliRun.of("status", "--admin-port", String.valueOf(server.port()), "--data-dir", dataDir.toString());
            assertThat(run.exitCode()).isZero();
            assertThat(run.out())
                    .contains("cluster:     2 members, leader pekko://kaiku@127.0.0.1:2552 (shard counts incomplete: a node did not answer)")
                    .contains("  pekko://kaiku@127.0.0.1:2552  Up  roles dc-default  shards 3 accounts 5  (this node: 4 client connections)")
                    .contains("  pekko://kaiku@127.0.0.1:2553  Up UNREACHABLE  roles dc-default" + System.lineSeparator());
        }
    }

    @Test
    void noServerIsExitOneWithTheCause() throws IOException {
        CliRun noToken = CliRun.of("status", "--admin-port", String.valueOf(freePort()), "--data-dir", dataDir.toString());
        assertThat(noToken.exitCode()).isEqualTo(CommandFailure.RUNTIME);
        assertThat(noToken.err()).contains("is a Kaiku server running with --data-dir");
    }

    @Test
    void helpNamesTheExitCodes() {
        CliRun help = CliRun.of("status", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Exit codes:").contains("3   the server runs but its storage (Cassandra) is down");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
