package org.kaiku.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kaiku.deploy.KaikuMain;
import org.kaiku.deploy.config.DeploySettings;
import org.kaiku.engine.config.EngineSettings;
import picocli.CommandLine;

/** Flags beat the --config file, which beats application.conf, which beats reference.conf. */
class ConfigLayeringTest {

    @TempDir
    Path dir;

    @Test
    void flagBeatsFileBeatsDefaults() throws IOException {
        Path conf = write("kaiku.conf", """
                kaiku {
                  domain = "example.org"
                  c2s.port = 6000
                  admin.port = 6001
                }
                """);
        Config config = resolve("run", "--config", conf.toString(), "--c2s-port", "7000");

        assertThat(config.getInt("kaiku.c2s.port")).as("flag over file").isEqualTo(7000);
        assertThat(config.getInt("kaiku.admin.port")).as("file over application.conf").isEqualTo(6001);
        assertThat(config.getString("kaiku.domain")).as("file over engine reference.conf").isEqualTo("example.org");
        assertThat(config.getInt("kaiku.cluster.port")).as("application.conf default").isEqualTo(2552);
        assertThat(config.getInt("kaiku.c2s.tls-port")).as("engine reference.conf default").isEqualTo(5223);

        EngineSettings engine = EngineSettings.fromConfig(config);
        assertThat(engine.c2sPort()).isEqualTo(7000);
        assertThat(engine.domain()).isEqualTo("example.org");
        assertThat(DeploySettings.fromConfig(config).adminPort()).isEqualTo(6001);
    }

    @Test
    void defaultsWithoutFlagsOrFile() {
        Config config = resolve("run");
        assertThat(config.getInt("kaiku.c2s.port")).isEqualTo(5222);
        assertThat(config.getInt("kaiku.admin.port")).isEqualTo(5290);
        assertThat(config.getString("kaiku.domain")).isEqualTo("localhost");
        // deploy overrides persistence's external default: Kaiku runs its own Cassandra node
        assertThat(config.getStringList("kaiku.cassandra.contact-points")).isEmpty();

        DeploySettings settings = DeploySettings.fromConfig(config);
        Path expectedData = Path.of("data").toAbsolutePath().normalize();
        assertThat(settings.dataDir()).isEqualTo(expectedData);
        assertThat(config.getString("kaiku.data-dir")).isEqualTo(expectedData.toString());
        assertThat(settings.embeddedCassandra()).isTrue();
        assertThat(settings.cassandraDir()).isEqualTo(expectedData.resolve("cassandra"));
        assertThat(settings.localCqlPort()).isEqualTo(9142);
    }

    @Test
    void flagsFeedSubstitutionsInTheFile() throws IOException {
        Path conf = write("subst.conf", "kaiku.admin.port = ${kaiku.cluster.port}\n");
        Config config = resolve("run", "--config", conf.toString(), "--cluster-port", "4000");
        assertThat(config.getInt("kaiku.admin.port")).isEqualTo(4000);
    }

    @Test
    void relativeDataDirBecomesAbsoluteEverywhere() throws IOException {
        Path conf = write("data.conf", "kaiku.tls.keystore = ${kaiku.data-dir}\"/tls/own.p12\"\n");
        Config config = resolve("run", "--data-dir", "some/rel/../dir", "--config", conf.toString());
        Path expected = Path.of("some/dir").toAbsolutePath().normalize();
        assertThat(config.getString("kaiku.data-dir")).isEqualTo(expected.toString());
        assertThat(config.getString("kaiku.tls.keystore")).isEqualTo(expected + "/tls/own.p12");
        assertThat(EngineSettings.fromConfig(config).dataDir()).isEqualTo(expected);
    }

    @Test
    void cassandraFlagSetsExternalContactPoints() throws IOException {
        Path conf = write("cass.conf", "kaiku.cassandra.contact-points = [\"file-host:9042\"]\n");
        Config config = resolve("run", "--config", conf.toString(), "--cassandra", "h1:9042,h2:9043");
        assertThat(config.getStringList("kaiku.cassandra.contact-points")).containsExactly("h1:9042", "h2:9043");
        assertThat(DeploySettings.fromConfig(config).embeddedCassandra()).isFalse();

        Config fromFile = resolve("run", "--config", conf.toString());
        assertThat(fromFile.getStringList("kaiku.cassandra.contact-points")).containsExactly("file-host:9042");
    }

    @Test
    void clusterFlagsSetHostPortAndSeedNodes() {
        Config config = resolve("run", "--cluster-host", "10.0.0.5", "--cluster-port", "2553",
                "--seed-nodes", "10.0.0.4:2552,10.0.0.5:2553", "--cassandra", "10.0.0.9:9042");
        DeploySettings settings = DeploySettings.fromConfig(config);
        assertThat(settings.clusterHost()).isEqualTo("10.0.0.5");
        assertThat(settings.clusterPort()).isEqualTo(2553);
        assertThat(settings.seedNodes()).containsExactly("10.0.0.4:2552", "10.0.0.5:2553");
        assertThat(settings.seedAddresses()).containsExactly("pekko://kaiku@10.0.0.4:2552", "pekko://kaiku@10.0.0.5:2553");
        assertThat(settings.joinsSeeds()).isTrue();

        DeploySettings alone = DeploySettings.fromConfig(resolve("run"));
        assertThat(alone.seedNodes()).isEmpty();
        assertThat(alone.joinsSeeds()).isFalse();
    }

    @Test
    void managementAndBootstrapFlagsBecomePekkoSettings() {
        Config config = resolve("run", "--management-host", "127.0.0.2", "--management-port", "7700",
                "--bootstrap", "127.0.0.2:7700,127.0.0.3:7700", "--cassandra", "10.0.0.9:9042");
        org.kaiku.deploy.management.ManagementSettings m = org.kaiku.deploy.management.ManagementSettings.fromConfig(config);
        assertThat(m.bootstrap()).isTrue();
        assertThat(m.discoveryMethod()).isEqualTo("config");
        Config pekko = m.pekkoOverrides().withFallback(config).resolve();
        assertThat(pekko.getString("pekko.management.http.hostname")).isEqualTo("127.0.0.2");
        assertThat(pekko.getInt("pekko.management.http.port")).isEqualTo(7700);
        assertThat(pekko.getBoolean("pekko.management.http.route-providers-read-only")).isTrue();
        assertThat(pekko.getString("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method")).isEqualTo("config");
        assertThat(pekko.getBoolean("pekko.management.cluster.bootstrap.contact-point.filter-on-fallback-port")).isFalse();
        List<? extends Config> endpoints = pekko.getConfigList("pekko.discovery.config.services.kaiku.endpoints");
        assertThat(endpoints).extracting(e -> e.getString("host") + ":" + e.getInt("port"))
                .containsExactly("127.0.0.2:7700", "127.0.0.3:7700");
        assertThat(pekko.getConfig("pekko.management.health-checks.readiness-checks").root().keySet())
                .contains("cluster-membership", "sharding", "kaiku-cassandra", "kaiku-xmpp-listener");
        assertThat(pekko.getStringList("pekko.cluster.sharding.healthcheck.names")).containsExactly("user");

        org.kaiku.deploy.management.ManagementSettings plain = org.kaiku.deploy.management.ManagementSettings.fromConfig(
                ConfigFactory.parseMap(Map.of("kaiku.management.port", 7626)).withFallback(resolve("run")));
        assertThat(plain.bootstrap()).isFalse();
        assertThat(plain.enabled()).isTrue();
        assertThat(plain.host()).isEqualTo("127.0.0.1");
        assertThat(plain.port()).isEqualTo(7626);
        assertThat(plain.pekkoOverrides().hasPath("pekko.management.cluster.bootstrap")).isFalse();
    }

    @Test
    void accountsArePassivatedByIdleTimeAndAnActiveLimitAndNeverRemembered() {
        Config config = resolve("run");
        assertThat(config.getString("pekko.cluster.sharding.passivation.strategy")).isEqualTo("kaiku-accounts");
        Config strategy = config.getConfig("pekko.cluster.sharding.passivation.kaiku-accounts");
        assertThat(strategy.getDuration("idle-entity.timeout")).isEqualTo(Duration.ofSeconds(120));
        assertThat(strategy.getInt("active-entity-limit")).isEqualTo(100000);
        assertThat(strategy.getString("replacement.policy")).isEqualTo("least-recently-used");
        assertThat(config.getBoolean("pekko.cluster.sharding.remember-entities")).isFalse();
        assertThat(config.getString("pekko.cluster.split-brain-resolver.active-strategy")).isEqualTo("keep-majority");
        // the SM keepalive check follows the strategy actually in force
        assertThat(EngineSettings.fromConfig(config).streamManagement().entityKeepalive())
                .isLessThan(strategy.getDuration("idle-entity.timeout"));
        assertThatThrownBy(() -> EngineSettings.fromConfig(
                        ConfigFactory.parseMap(Map.of("kaiku.c2s.stream-management.entity-keepalive", "120s")).withFallback(config)))
                .hasMessageContaining("kaiku-accounts.idle-entity.timeout");
    }

    private static Config resolve(String... args) {
        StringWriter sink = new StringWriter();
        CommandLine cl = KaikuMain.commandLine(new PrintWriter(sink), new PrintWriter(sink), args);
        CommandLine.ParseResult parsed = cl.parseArgs(args);
        RunCommand run = (RunCommand) parsed.subcommand().commandSpec().userObject();
        return run.resolveConfig();
    }

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }
}
