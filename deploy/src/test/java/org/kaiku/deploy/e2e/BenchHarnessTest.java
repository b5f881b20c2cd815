package org.kaiku.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The side-by-side harness itself, {@code deploy/bench/run}, at its tiny size against Kaiku only
 * (the test suite installs neither ejabberd nor Prosody nor Tsung; that cross-server run is the
 * manual command). The harness runs this test's classes through {@code KAIKU_BENCH_KAIKU} and
 * free ports through {@code --kaiku-ports}; the test checks that RESULTS.md comes out with the
 * Kaiku column filled, marked as a smoke run, and with no message lost, the group chat and
 * notification rows included (the latter may say "not supported yet"). No figure is asserted.
 */
class BenchHarnessTest {
    private final Path work = Path.of("target", "harness-" + System.nanoTime()).toAbsolutePath();

    @AfterEach
    void leaveNothingRunning() throws Exception {
        Path pid = work.resolve("kaiku/data/cassandra/cassandra.pid");
        if (Files.exists(pid)) {
            long p = Long.parseLong(Files.readString(pid).trim().split("\\s+")[0]);
            Optional<ProcessHandle> h = ProcessHandle.of(p);
            if (h.isPresent()) {
                h.get().destroy();
                h.get().onExit().get(60, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void tinyRunAgainstKaikuWritesResults() throws Exception {
        for (String tool : List.of("bash", "python3", "openssl", "ss")) {
            assumeThat(onPath(tool)).as(tool + " on PATH").isTrue();
        }
        String classpath = System.getProperty("java.class.path");
        assumeThat(classpath).as("class path without spaces").doesNotContain(" ");
        Files.createDirectories(work);
        ServerProcess.Ports p = ServerProcess.Ports.free();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String kaiku = String.join(" ", java, "-Xmx512m",
                "-Dkaiku.cassandra.classpath-file=" + System.getProperty("kaiku.cassandra.classpath-file"),
                "-cp", classpath, "org.kaiku.deploy.KaikuMain");
        Path results = work.resolve("RESULTS.md");
        Path log = work.resolve("harness.log");
        ProcessBuilder pb = new ProcessBuilder("bash", Path.of("bench", "run").toAbsolutePath().toString(),
                "--scale", "tiny", "--servers", "kaiku", "--no-install", "--no-tsung",
                "--work", work.toString(), "--results", results.toString(),
                "--kaiku-ports", p.c2s() + "," + p.admin() + "," + p.cluster() + "," + p.cql() + "," + p.storage() + "," + p.jmx())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("KAIKU_BENCH_KAIKU", kaiku);
        Process harness = pb.start();
        if (!harness.waitFor(600, TimeUnit.SECONDS)) {
            harness.destroy(); // the harness's trap stops the server it started
            harness.waitFor(150, TimeUnit.SECONDS);
            throw new AssertionError("harness still running after 600 s; log " + log + ":\n" + ServerProcess.tail(log));
        }
        assertThat(harness.exitValue()).as(ServerProcess.tail(log)).isZero();

        String md = Files.readString(results);
        System.out.println(md);
        assertThat(md).contains("SMOKE RUN (scale `tiny`)");
        assertThat(md).containsPattern("\\| login storm \\| logins/s \\| higher \\| [0-9.,]+ \\| - \\| - \\|");
        assertThat(md).contains("| one-to-one chat | messages lost (must be 0) | lower | 0 |");
        assertThat(md).containsPattern("\\| idle sessions \\(20\\) \\| heap per session \\(KiB, Kaiku\\) \\| lower \\| -?[0-9.,]+ \\|");
        assertThat(md).contains("| group chat (1 room, 8 occupants) | occupants joined | higher | 8 |");
        assertThat(md).contains("| group chat (1 room, 8 occupants) | deliveries lost (must be 0) | lower | 0 |");
        assertThat(md).contains("## Group chat, step by step");
        // Kaiku's PubSub may not be there yet: then the table says so rather than the run failing
        assertThat(md).containsPattern("\\| notifications \\(1 node, 30 subscribers, 10 online\\) \\| deliveries lost "
                + "\\(must be 0\\) \\| lower \\| (0|not supported yet) \\|");
        assertThat(md).contains("## Commands").contains("kaiku bench chat --port " + p.c2s());

        ObjectMapper json = new ObjectMapper();
        JsonNode chat = json.readTree(work.resolve("results/kaiku-chat.json").toFile()).get("chat");
        assertThat(chat.get("loss").asLong()).isZero();
        assertThat(chat.get("steps")).hasSize(3);
        JsonNode muc = json.readTree(work.resolve("results/kaiku-muc.json").toFile()).get("muc");
        assertThat(muc.get("loss").asLong()).isZero();
        assertThat(muc.get("steps")).hasSize(3);
        JsonNode pubsub = json.readTree(work.resolve("results/kaiku-pubsub.json").toFile()).get("pubsub");
        assertThat(pubsub.get("supported").isBoolean()).as(pubsub.toString()).isTrue();
        JsonNode idle = json.readTree(work.resolve("results/kaiku-idle-20.json").toFile()).get("memory");
        assertThat(idle.get("sessions_held").asInt()).isEqualTo(20);
        assertThat(Files.exists(work.resolve("kaiku/data/cassandra/cassandra.pid"))).as("Kaiku and its Cassandra stopped").isFalse();
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
