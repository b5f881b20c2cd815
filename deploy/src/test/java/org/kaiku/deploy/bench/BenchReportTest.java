package org.kaiku.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/bench/report.py}, on a scratch directory laid out as {@code deploy/bench/run}
 * leaves it when one server crashed during a scenario and a point could not run: the table keeps
 * the figures that were measured, says "failed" or "not run" where a scenario broke, and lists why
 * under the table, so that one server's crash never hides the other servers' figures.
 */
class BenchReportTest {
    @TempDir
    Path work;

    @Test
    void failedAndSkippedScenariosAreShownWithTheirCause() throws Exception {
        assumeThat(Path.of("/usr/bin/python3")).as("python3").exists();
        Path results = Files.createDirectories(work.resolve("results"));
        Files.writeString(results.resolve("kaiku-login.json"),
                "{\"login\": {\"logins_per_s\": 123.4, \"login_ms\": {\"p50\": 10, \"p99\": 20},"
                        + " \"server_cpu_ms_per_session\": 3.5, \"failed\": 0}}");
        Files.writeString(results.resolve("ejabberd-login.json"),
                "{\"login\": {\"logins_per_s\": 100.0, \"login_ms\": {\"p50\": 5, \"p99\": 9},"
                        + " \"server_cpu_ms_per_session\": 2.0, \"failed\": 0}}");
        Files.writeString(results.resolve("ejabberd-chat.failed"),
                "kaiku bench exited with 1; the server process had exited\n");
        Files.writeString(results.resolve("ejabberd-idle-50000.failed"),
                "not run: 50000 sessions need about 51000 open files per process, and this machine's hard limit is 20000\n");
        Files.writeString(work.resolve("meta.txt"), "scale=full\ncommand=deploy/bench/run\n");
        Path out = work.resolve("RESULTS.md");

        Process report = new ProcessBuilder("python3", Path.of("bench", "report.py").toAbsolutePath().toString(),
                "markdown", work.toString(), out.toString()).redirectErrorStream(true).start();
        String printed = new String(report.getInputStream().readAllBytes());
        assertThat(report.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(report.exitValue()).as(printed).isZero();

        String md = Files.readString(out);
        assertThat(md).contains("| login storm | logins/s | higher | 123.4 | 100.0 | - | 1.23 | - |");
        assertThat(md).contains("| one-to-one chat | delivered msg/s at the knee | higher | - | failed | - | - | - |");
        assertThat(md).contains("| idle sessions (50,000) | sessions held | higher | - | not run | - | - | - |");
        assertThat(md).contains("- `ejabberd-chat`: kaiku bench exited with 1; the server process had exited");
        assertThat(md).contains("- `ejabberd-idle-50000`: not run: 50000 sessions need about 51000 open files");
    }
}
