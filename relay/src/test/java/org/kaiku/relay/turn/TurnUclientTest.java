package org.kaiku.relay.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.kaiku.relay.RelayNode;

/**
 * Kaiku's TURN server driven by a client nobody here wrote: coturn's {@code turnutils_uclient}
 * (Debian package coturn) on loopback, in client-to-client mode ({@code -y}: two allocations,
 * each the other's peer), once over channels (CreatePermission implied by ChannelBind, ChannelData
 * both ways) and once with Send/Data indications ({@code -s}), with a static user and with the
 * time-limited shared-secret scheme ({@code -W}). Every message sent must come back: its
 * "Total lost packets 0" and equal send/receive counts are asserted; its rate figures are printed,
 * not asserted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TurnUclientTest {
    private RelayNode relay;

    @BeforeAll
    void start() {
        relay = RelayNode.start(ConfigFactory.parseString("""
                pekko.loglevel = WARNING
                kaiku.relay { host = "127.0.0.1", port = 0, relay-host = "127.0.0.1", realm = "kaiku.test"
                  users { alice = "wonderland" }, shared-secret = "north", allow-loopback-peers = true }
                """).withFallback(ConfigFactory.load()), Clock.systemUTC());
    }

    @AfterAll
    void stop() throws Exception {
        relay.close();
    }

    @Test
    void channelsRelayEveryMessage() throws Exception {
        Result r = uclient("-u", "alice", "-w", "wonderland", "-y", "-c", "-n", "40", "-l", "120", "-m", "2");
        r.assertNoLoss();
    }

    @Test
    void sendAndDataIndicationsRelayEveryMessage() throws Exception {
        Result r = uclient("-u", "alice", "-w", "wonderland", "-y", "-c", "-s", "-n", "40", "-l", "120", "-m", "2");
        r.assertNoLoss();
    }

    @Test
    void overTcpChannelsRelayEveryMessage() throws Exception {
        Result r = uclient("-t", "-u", "alice", "-w", "wonderland", "-y", "-c", "-n", "40", "-l", "120", "-m", "2");
        r.assertNoLoss();
    }

    @Test
    void overTcpSendAndDataIndicationsRelayEveryMessage() throws Exception {
        Result r = uclient("-t", "-u", "alice", "-w", "wonderland", "-y", "-c", "-s", "-n", "40", "-l", "121", "-m", "2");
        r.assertNoLoss();
    }

    @Test
    void timeLimitedSharedSecretCredentialsAreAccepted() throws Exception {
        Result r = uclient("-u", "bob", "-W", "north", "-y", "-c", "-n", "20", "-m", "1");
        r.assertNoLoss();
    }

    @Test
    void wrongPasswordGetsNoRelay() throws Exception {
        requireTool();
        // coturn's client retries a refused allocation for a while: it is stopped after 20 s
        Run r = run(Duration.ofSeconds(20), "-u", "alice", "-w", "wrong", "-y", "-c", "-n", "5", "-m", "1");
        assertThat(r.out()).doesNotContain("Total lost packets 0");
        assertThat(r.out()).doesNotContain("tot_recv_msgs=5").contains("Cannot complete Allocation");
    }

    record Run(String out, boolean exited, int exit) {
    }

    /** Runs the client with output to a file; one still running after {@code limit} is killed. */
    private Run run(Duration limit, String... args) throws Exception {
        Path log = Files.createTempFile("uclient", ".log");
        try {
            Process p = new ProcessBuilder(command(args)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean exited = p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String out = Files.readString(log, StandardCharsets.ISO_8859_1);
            System.out.println(String.join(" ", command(args)) + "\n" + out);
            return new Run(out, exited, exited ? p.exitValue() : -1);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    record Result(String out) {
        void assertNoLoss() {
            assertThat(out).contains("Total lost packets 0 (0.000000%)");
            Matcher m = Pattern.compile("start_mclient: tot_send_msgs=(\\d+), tot_recv_msgs=(\\d+)").matcher(out);
            assertThat(m.find()).as(out).isTrue();
            assertThat(Integer.parseInt(m.group(1))).isPositive().isEqualTo(Integer.parseInt(m.group(2)));
        }
    }

    private Result uclient(String... args) throws Exception {
        requireTool();
        Run r = run(Duration.ofSeconds(120), args);
        assertThat(r.exited()).as(r.out()).isTrue();
        assertThat(r.exit()).as(r.out()).isZero();
        return new Result(r.out());
    }

    private List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of("turnutils_uclient", "-p", String.valueOf(relay.stunAddress().getPort())));
        cmd.addAll(List.of(args));
        cmd.add("127.0.0.1");
        return cmd;
    }

    private static void requireTool() {
        boolean present = onPath("turnutils_uclient");
        if ("true".equals(System.getenv("CI"))) {
            assertThat(present).as("turnutils_uclient (coturn) on PATH under CI").isTrue();
        } else {
            assumeThat(present).as("turnutils_uclient on PATH (apt-get install coturn)").isTrue();
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
