package org.kaiku.persistence.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.Row;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(CassandraNodeExtension.class)
class LocalCassandraTest {

    @Test
    void secondStartOrReuseOnTheSameDirectoryReusesTheRunningNode(LocalCassandra shared) throws Exception {
        LocalCassandra again = LocalCassandra.startOrReuse(shared.config()); // not closed: the node is shared

        assertThat(again.reused()).isTrue();
        assertThat(again.pid()).isEqualTo(shared.pid());
        assertThat(CassandraNodeExtension.processesFor(shared.config().dataDir())).isEqualTo(1);
        assertThat(again.contactPoint()).isEqualTo(new InetSocketAddress("127.0.0.1", shared.config().cqlPort()));
        assertThat(Files.readString(shared.config().dataDir().resolve("cassandra.yaml")))
                .contains("commitlog_sync: batch", "listen_address: 127.0.0.1", "rpc_address: 127.0.0.1",
                        "native_transport_port: " + shared.config().cqlPort());
    }

    @Test
    void writesSurviveKillMinusNineAndCloseStopsEvenAReusedNode() throws Exception {
        Path dir = CassandraNodeExtension.newDataDir();
        LocalCassandra.Config config = CassandraNodeExtension.config(dir);
        try {
            LocalCassandra first = LocalCassandra.startOrReuse(config);
            assertThat(first.reused()).isFalse();
            assertThat(Files.readString(dir.resolve("cassandra.pid"))).startsWith(first.pid() + " ");
            try (CqlSession session = session(first)) {
                session.execute("CREATE KEYSPACE durable WITH replication = {'class':'SimpleStrategy','replication_factor':1}");
                session.execute("CREATE TABLE durable.t (k int PRIMARY KEY, v text)");
                session.execute("INSERT INTO durable.t (k, v) VALUES (1, 'acknowledged')");
            }

            ProcessHandle killed = ProcessHandle.of(first.pid()).orElseThrow();
            killed.destroyForcibly(); // SIGKILL: no flush, no clean shutdown
            killed.onExit().get(30, TimeUnit.SECONDS);

            LocalCassandra second = LocalCassandra.startOrReuse(config); // stale pid file
            assertThat(second.reused()).isFalse();
            assertThat(second.pid()).isNotEqualTo(first.pid());
            try (CqlSession session = session(second)) {
                Row row = session.execute("SELECT v FROM durable.t WHERE k = 1").one();
                assertThat(row).isNotNull();
                assertThat(row.getString("v")).isEqualTo("acknowledged");
            }

            LocalCassandra reused = LocalCassandra.startOrReuse(config);
            assertThat(reused.reused()).isTrue();
            assertThat(reused.pid()).isEqualTo(second.pid());
            reused.close();

            assertThat(ProcessHandle.of(second.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(dir.resolve("cassandra.pid")).doesNotExist();
            assertThat(LocalCassandra.answers(config.cqlPort())).isFalse();
            assertThat(CassandraNodeExtension.processesFor(dir)).isZero();
            second.close(); // the node is gone already: a no-op
            first.close();
        } finally {
            ProcessHandle.allProcesses()
                    .filter(p -> NodeFiles.commandLine(p).map(c -> c.contains(dir.toString())).orElse(false))
                    .forEach(ProcessHandle::destroyForcibly);
            CassandraNodeExtension.deleteTree(dir);
        }
    }

    @Test
    void aNodeThatCannotStartFailsWithItsLogTail() {
        Path dir = CassandraNodeExtension.newDataDir();
        LocalCassandra.Config base = CassandraNodeExtension.config(dir);
        LocalCassandra.Config tooSmall = new LocalCassandra.Config(dir, base.cqlPort(), base.storagePort(),
                base.jmxPort(), null, "1K");
        try {
            assertThatThrownBy(() -> LocalCassandra.startOrReuse(tooSmall))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("exited before its CQL port " + base.cqlPort())
                    .hasMessageContaining("stdout.log")
                    .hasMessageContaining("heap");
            assertThat(CassandraNodeExtension.processesFor(dir)).isZero();
        } finally {
            CassandraNodeExtension.deleteTree(dir);
        }
    }

    @Test
    void aPortInUseIsRefusedBeforeLaunching() throws Exception {
        Path dir = CassandraNodeExtension.newDataDir();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            LocalCassandra.Config base = CassandraNodeExtension.config(dir);
            LocalCassandra.Config clash = new LocalCassandra.Config(dir, taken.getLocalPort(), base.storagePort(),
                    base.jmxPort(), null, "512M");
            assertThatThrownBy(() -> LocalCassandra.startOrReuse(clash))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("port " + taken.getLocalPort())
                    .hasMessageContaining("already in use");
            assertThat(dir.resolve("cassandra.pid")).doesNotExist();
        } finally {
            CassandraNodeExtension.deleteTree(dir);
        }
    }

    @Test
    void aMissingClasspathFileSaysHowToBuildIt() {
        Path dir = CassandraNodeExtension.newDataDir();
        LocalCassandra.Config base = CassandraNodeExtension.config(dir);
        LocalCassandra.Config missing = new LocalCassandra.Config(dir, base.cqlPort(), base.storagePort(),
                base.jmxPort(), dir.resolve("no-such.classpath"), "512M");
        try {
            assertThatThrownBy(() -> LocalCassandra.startOrReuse(missing))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no-such.classpath")
                    .hasMessageContaining("mvn -pl persistence/cassandra-node generate-resources");
        } finally {
            CassandraNodeExtension.deleteTree(dir);
        }
    }

    @Test
    void theClasspathFileIsFoundFromTheSystemProperty() {
        assertThat(LocalCassandra.locateClasspathFile())
                .isRegularFile()
                .endsWith(Path.of("cassandra-node", "target", "cassandra.classpath"));
    }

    @Test
    void badConfigValuesAreRejected() {
        Path dir = Path.of("target", "unused");
        assertThatThrownBy(() -> new LocalCassandra.Config(dir, 9042, 7000, 7199, null, "lots"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heap");
        assertThatThrownBy(() -> new LocalCassandra.Config(dir, 9042, 9042, 7199, null, "512M"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("differ");
        assertThatThrownBy(() -> new LocalCassandra.Config(dir, 0, 7000, 7199, null, "512M"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
        assertThat(LocalCassandra.initialHeap("1G")).isEqualTo("256M");
        assertThat(LocalCassandra.initialHeap("128M")).isEqualTo("128M");
    }

    private static CqlSession session(LocalCassandra node) {
        return CqlSession.builder().addContactPoint(node.contactPoint())
                .withLocalDatacenter(LocalCassandra.DATACENTER)
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
                        .build())
                .build();
    }
}
