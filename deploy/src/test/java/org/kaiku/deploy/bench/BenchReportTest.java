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

    @Test
    void groupChatAndNotificationRowsSayWhatEachServerCouldDo() throws Exception {
        assumeThat(Path.of("/usr/bin/python3")).as("python3").exists();
        Path results = Files.createDirectories(work.resolve("results"));
        String step = "{\"step\": 1, \"offered_msg_per_s\": 2.0, \"occupants\": 1000, \"offered_deliveries_per_s\": 2000.0,"
                + " \"delivered_per_s\": %s, \"latency_ms\": {\"p50\": 4, \"p99\": 40}, \"loss\": 0,"
                + " \"server_cpu_us_per_delivery\": 12.5}";
        Files.writeString(results.resolve("kaiku-muc.json"), "{\"users\": 1000, \"muc\": {\"join\": {\"joined\": 1000,"
                + " \"join_ms\": {\"p99\": 300}}, \"steps\": [" + step.formatted("2000.0") + "], \"knee\": "
                + step.formatted("2000.0") + ", \"loss\": 0}}");
        Files.writeString(results.resolve("ejabberd-muc.json"), "{\"users\": 1000, \"muc\": {\"join\": {\"joined\": 1000,"
                + " \"join_ms\": {\"p99\": 150}}, \"steps\": [" + step.formatted("1000.0") + "], \"knee\": "
                + step.formatted("1000.0") + ", \"loss\": 0}}");
        Files.writeString(results.resolve("prosody-muc.json"), "{\"users\": 1000, \"muc\": {\"join\": {\"joined\": 0},"
                + " \"stopped\": \"the first join (which creates the room) was refused\", \"knee\": null, \"loss\": 0,"
                + " \"errors\": {\"join refused: forbidden\": 1}}}");
        Files.writeString(results.resolve("kaiku-pubsub.json"), "{\"users\": 10000, \"pubsub\": {\"subscribers\": 100000,"
                + " \"supported\": false, \"stopped\": \"not supported: creating a node at pubsub.localhost was answered"
                + " remote-server-not-found\", \"create_answer\": \"<iq type='error'/>\"}}");
        Files.writeString(results.resolve("ejabberd-pubsub.json"), "{\"users\": 10000, \"pubsub\": {\"subscribers\": 100000,"
                + " \"supported\": true, \"publish\": {\"deliveries_per_s\": 50000.0, \"loss\": 0,"
                + " \"to_last_delivery_ms\": {\"p50\": 200, \"max\": 400}}}}");
        Files.writeString(work.resolve("meta.txt"), "scale=full\ncommand=deploy/bench/run\n");
        Path out = work.resolve("RESULTS.md");

        Process report = new ProcessBuilder("python3", Path.of("bench", "report.py").toAbsolutePath().toString(),
                "markdown", work.toString(), out.toString()).redirectErrorStream(true).start();
        String printed = new String(report.getInputStream().readAllBytes());
        assertThat(report.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(report.exitValue()).as(printed).isZero();

        String md = Files.readString(out);
        assertThat(md).contains("| group chat (1 room, 1,000 occupants) | deliveries/s at the knee | higher | 2,000 | 1,000 | stopped | 2.00 | - |");
        assertThat(md).contains("| group chat (1 room, 1,000 occupants) | occupants joined | higher | 1,000 | 1,000 | 0 | 1.00 | - |");
        assertThat(md).contains("| notifications (1 node, 100,000 subscribers, 10,000 online) | deliveries/s | higher "
                + "| not supported yet | 50,000 | - | - | - |");
        assertThat(md).contains("| notifications (1 node, 100,000 subscribers, 10,000 online) | publish to last delivery p50 (ms) "
                + "| lower | not supported yet | 200 | - | - | - |");
        assertThat(md).contains("- `prosody-muc`: the first join (which creates the room) was refused; errors: join refused: forbidden: 1");
        assertThat(md).contains("- `kaiku-pubsub`: not supported: creating a node at pubsub.localhost was answered remote-server-not-found");
        assertThat(md).contains("## Group chat, step by step").contains("| Kaiku | 2 | 1,000 | 2,000 | 2,000 | 4 | 40 | 0 | 12.5 |");
    }
}
