package org.kaiku.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad values on the command line or in the --config file stop {@code kaiku} before anything
 * starts: one line naming the configuration key, exit code 2, no stack trace.
 */
@Timeout(60)
class RunArgumentsTest {

    @TempDir
    Path dir;

    @Test
    void nonNumericPortNamesItsKeyAndExitsWithUsageCode() {
        CliRun run = run("--c2s-port", "abc");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("kaiku: kaiku.c2s.port: 'abc' is not a port number");
        assertThat(run.err()).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void portOutOfRangeNamesItsKey() {
        CliRun admin = run("--admin-port", "70000");
        assertThat(admin.exitCode()).isEqualTo(2);
        assertThat(admin.err()).startsWith("kaiku: kaiku.admin.port: 70000 is not a port number (0 to 65535)");

        CliRun tls = run("--c2s-tls-port", "-2");
        assertThat(tls.exitCode()).isEqualTo(2);
        assertThat(tls.err()).startsWith("kaiku: kaiku.c2s.tls-port: -2 is not a port number (-1 to 65535)");

        CliRun cluster = run("--cluster-port", "65536");
        assertThat(cluster.exitCode()).isEqualTo(2);
        assertThat(cluster.err()).startsWith("kaiku: kaiku.cluster.port:");
    }

    @Test
    void malformedCassandraContactPointNamesItsKey() {
        CliRun run = run("--cassandra", "10.0.0.1:9042,nohost");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("kaiku: kaiku.cassandra.contact-points: 'nohost' is not HOST:PORT");
    }

    @Test
    void malformedSeedNodeNamesItsKey() {
        CliRun run = run("--seed-nodes", "10.0.0.1:2552,10.0.0.2");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("kaiku: kaiku.cluster.seed-nodes: '10.0.0.2' is not HOST:PORT");
    }

    @Test
    void seedNodesWithoutASharedCassandraAreRefused() {
        // each node would otherwise start its own embedded Cassandra and see other accounts
        CliRun run = CliRun.of("run", "--seed-nodes", "127.0.0.1:2552", "--data-dir", dir.resolve("data").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("kaiku: kaiku.cluster.seed-nodes: the nodes of a cluster share one Cassandra");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void missingConfigFileIsAUsageError() {
        Path missing = dir.resolve("nope.conf");
        CliRun run = run("--config", missing.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("kaiku: --config: " + missing + ": no such file");
    }

    @Test
    void badValueInConfigFileNamesItsKey() throws IOException {
        Path conf = write("bad-admin.conf", "kaiku.admin.port = \"abc\"\n");
        CliRun run = run("--config", conf.toString(), "--data-dir", dir.resolve("data").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("kaiku: kaiku.admin.port: 'abc' is not a port number");
        assertThat(run.err()).doesNotContain("\tat ");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void badEngineValueInConfigFileNamesItsKey() throws IOException {
        Path conf = write("bad-limit.conf", "kaiku.limits.max-depth = 0\n");
        CliRun run = run("--config", conf.toString(), "--data-dir", dir.resolve("data").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("kaiku: kaiku.limits.max-depth: must be positive");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void badArchiveSettingsNameTheirKeysBeforeAnythingStarts() throws IOException {
        Path retention = write("bad-retention.conf", "kaiku.mam.retention = \"a while\"\n");
        CliRun run = run("--config", retention.toString(), "--data-dir", dir.resolve("data").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("kaiku: kaiku.mam.retention: 'a while' is neither \"forever\" nor a duration");
        Path pages = write("bad-pages.conf", "kaiku.mam.max-page-size = 0\n");
        run = run("--config", pages.toString(), "--data-dir", dir.resolve("data").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("kaiku: kaiku.mam.max-page-size: must be positive");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void invalidDomainFlagNamesItsKey() {
        CliRun run = run("--domain", "not a domain", "--data-dir", dir.resolve("data").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("kaiku: kaiku.domain:");
    }

    @Test
    void unparsableConfigFileIsAUsageError() throws IOException {
        Path conf = write("broken.conf", "kaiku { c2s.port = \n");
        CliRun run = run("--config", conf.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("kaiku: --config: ").contains("broken.conf");
    }

    @Test
    void verboseAddsTheStackTrace() throws IOException {
        Path conf = write("bad-cluster.conf", "kaiku.cluster.port = 99999\n");
        CliRun run = run("--verbose", "--config", conf.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("kaiku: kaiku.cluster.port: 99999 is not a port number (0 to 65535)");
        assertThat(run.err()).contains("StartupException").contains("\tat ");
    }

    @Test
    void portInUseIsARuntimeErrorNamingTheKeyAndNothingStarts() throws IOException {
        // --cassandra points at a closed port: were the check missing, the run would fail later
        // with another message rather than start an embedded Cassandra node.
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Path data = dir.resolve("data");
            CliRun c2s = run("--c2s-port", String.valueOf(port), "--admin-port", "0", "--cluster-port", "0",
                    "--c2s-tls-port", "-1", "--cassandra", "127.0.0.1:1", "--data-dir", data.toString());
            assertThat(c2s.exitCode()).isEqualTo(1);
            assertThat(c2s.err()).isEqualTo("kaiku: kaiku.c2s.port: port " + port + " is in use" + System.lineSeparator());
            assertThat(c2s.out()).isEmpty();

            CliRun admin = run("--c2s-port", "0", "--admin-port", String.valueOf(port), "--cluster-port", "0",
                    "--c2s-tls-port", "-1", "--cassandra", "127.0.0.1:1", "--data-dir", data.toString());
            assertThat(admin.exitCode()).isEqualTo(1);
            assertThat(admin.err()).startsWith("kaiku: kaiku.admin.port: port " + port + " is in use");
            assertThat(data).doesNotExist();
        }
    }

    @Test
    void samePortForTwoListenersIsAUsageError() {
        CliRun run = run("--c2s-port", "16000", "--admin-port", "16000", "--cassandra", "127.0.0.1:1",
                "--data-dir", dir.resolve("data").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("kaiku: kaiku.admin.port: port 16000 is also kaiku.c2s.port");
    }

    @Test
    void unknownOptionAndMissingCommandAreUsageErrors() {
        CliRun unknown = run("--bogus");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("kaiku: Unknown option: '--bogus'");

        CliRun none = CliRun.of();
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("Missing command");

        CliRun userWithoutArgs = CliRun.of("user", "add", "alice@localhost");
        assertThat(userWithoutArgs.exitCode()).isEqualTo(2);
        assertThat(userWithoutArgs.err()).contains("PASSWORD");
    }

    @Test
    void clusterBootstrapFlagsAreChecked() {
        CliRun malformed = run("--bootstrap", "127.0.0.1:7626,nohost");
        assertThat(malformed.exitCode()).isEqualTo(2);
        assertThat(malformed.err()).startsWith("kaiku: kaiku.cluster.bootstrap.contact-points: 'nohost' is not HOST:PORT");

        CliRun anyPort = run("--bootstrap", "127.0.0.1:7626,127.0.0.1:7627", "--management-port", "0");
        assertThat(anyPort.exitCode()).isEqualTo(2);
        assertThat(anyPort.err()).startsWith("kaiku: kaiku.management.port: Cluster Bootstrap needs a fixed management port");

        CliRun both = run("--bootstrap", "127.0.0.1:7626", "--management-port", "7626", "--seed-nodes", "127.0.0.1:2552");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).startsWith("kaiku: kaiku.cluster.bootstrap.discovery-method: use either Cluster Bootstrap or kaiku.cluster.seed-nodes");

        CliRun badPort = run("--management-port", "65536");
        assertThat(badPort.exitCode()).isEqualTo(2);
        assertThat(badPort.err()).startsWith("kaiku: kaiku.management.port:");

        CliRun badMethod = run("--config", writeUnchecked("m.conf", "kaiku.cluster.bootstrap.discovery-method = dns"));
        assertThat(badMethod.exitCode()).isEqualTo(2);
        assertThat(badMethod.err()).startsWith("kaiku: kaiku.cluster.bootstrap.discovery-method: 'dns' is none of");
    }

    private String writeUnchecked(String name, String content) {
        try {
            return write(name, content).toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void helpExitsZeroAndListsTheFlags() {
        CliRun help = run("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--c2s-port").contains("--cassandra").contains("--config")
                .contains("--cluster-host").contains("--seed-nodes").contains("--bootstrap").contains("--management-port");
    }

    /**
     * {@code kaiku run ARGS}, plus an unreachable external Cassandra and a temporary data dir
     * unless ARGS set them: should a check regress and let the run go on, it fails on its own
     * instead of starting an embedded Cassandra node in the working directory.
     */
    private CliRun run(String... args) {
        List<String> all = new ArrayList<>(List.of("run"));
        all.addAll(List.of(args));
        if (!all.contains("--cassandra")) {
            all.addAll(List.of("--cassandra", "127.0.0.1:1"));
        }
        if (!all.contains("--data-dir")) {
            all.addAll(List.of("--data-dir", dir.resolve("safety-data").toString()));
        }
        return CliRun.of(all.toArray(String[]::new));
    }

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }
}
