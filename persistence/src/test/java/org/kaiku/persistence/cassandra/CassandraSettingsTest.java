package org.kaiku.persistence.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CassandraSettingsTest {

    private static Config with(String overrides) {
        return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
    }

    @Test
    void referenceConfHoldsTheDefaults() {
        CassandraSettings settings = CassandraSettings.fromConfig(ConfigFactory.defaultReference());

        assertThat(settings.contactPoints()).containsExactly(InetSocketAddress.createUnresolved("127.0.0.1", 9042));
        assertThat(settings.localDatacenter()).isEqualTo("datacenter1");
        assertThat(settings.keyspace()).isEqualTo("kaiku");
        assertThat(settings.replication()).isEqualTo("{'class':'SimpleStrategy','replication_factor':1}");
    }

    @Test
    void readsEveryKey() {
        CassandraSettings settings = CassandraSettings.fromConfig(with("""
                kaiku.cassandra {
                  contact-points = ["cassandra-0.cassandra:9042", "[::1]:9142"]
                  local-datacenter = "eu-west"
                  keyspace = "chat_prod"
                  replication = "{ 'class' : 'org.apache.cassandra.locator.NetworkTopologyStrategy', 'eu-west': 3, 'us_east':'2' }"
                }
                """));

        assertThat(settings.contactPointStrings()).containsExactly("cassandra-0.cassandra:9042", "::1:9142");
        assertThat(settings.localDatacenter()).isEqualTo("eu-west");
        assertThat(settings.keyspace()).isEqualTo("chat_prod");
        assertThat(settings.replication()).isEqualTo("{'class':'NetworkTopologyStrategy','eu-west':3,'us_east':2}");
        assertThat(settings.replicationStrategy().factors()).isEqualTo(Map.of("eu-west", 3, "us_east", 2));
    }

    @Test
    void badValuesNameTheirKey() {
        assertBad("kaiku.cassandra.contact-points = [\"localhost\"]", "kaiku.cassandra.contact-points", "host:port");
        assertBad("kaiku.cassandra.contact-points = [\"localhost:ninety\"]", "kaiku.cassandra.contact-points", "port");
        assertBad("kaiku.cassandra.contact-points = [\"localhost:70000\"]", "kaiku.cassandra.contact-points", "range");
        assertBad("kaiku.cassandra.contact-points = []", "kaiku.cassandra.contact-points", "at least one");
        assertBad("kaiku.cassandra.local-datacenter = \" \"", "kaiku.cassandra.local-datacenter", "empty");
        assertBad("kaiku.cassandra.keyspace = \"Kaiku\"", "kaiku.cassandra.keyspace", "lower-case");
        assertBad("kaiku.cassandra.keyspace = \"kaiku; DROP KEYSPACE system\"", "kaiku.cassandra.keyspace", "CQL name");
        assertBad("kaiku.cassandra.replication = \"SimpleStrategy\"", "kaiku.cassandra.replication", "map literal");
        assertBad("kaiku.cassandra.replication = \"{'class':'LocalStrategy'}\"", "kaiku.cassandra.replication", "class");
        assertBad("kaiku.cassandra.replication = \"{'class':'SimpleStrategy'}\"", "kaiku.cassandra.replication",
                "replication_factor");
        assertBad("kaiku.cassandra.replication = \"{'class':'SimpleStrategy','replication_factor':0}\"",
                "kaiku.cassandra.replication", "1..99");
        assertBad("kaiku.cassandra.replication = \"{'class':'NetworkTopologyStrategy'}\"",
                "kaiku.cassandra.replication", "data centre");
        assertBad("kaiku.cassandra.replication = \"{'class':'SimpleStrategy','replication_factor':1} AND durable_writes=false\"",
                "kaiku.cassandra.replication", "map literal");
    }

    @Test
    void aMissingOrMistypedKeyFailsWithItsPath() {
        assertThatThrownBy(() -> CassandraSettings.fromConfig(with("kaiku.cassandra.contact-points = 42")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("contact-points");
    }

    @Test
    void pekkoOverridesSelectTheCassandraPluginsOnOurKeyspace() {
        CassandraSettings settings = new CassandraSettings(
                List.of(InetSocketAddress.createUnresolved("10.0.0.5", 9042)), "dc1", "chat",
                "{'class':'NetworkTopologyStrategy','dc2':2,'dc1':3}");

        Config pekko = CassandraSettings.pekkoOverrides(settings).withFallback(ConfigFactory.defaultReference()).resolve();

        assertThat(pekko.getString("pekko.persistence.journal.plugin")).isEqualTo("pekko.persistence.cassandra.journal");
        assertThat(pekko.getString("pekko.persistence.snapshot-store.plugin")).isEqualTo("pekko.persistence.cassandra.snapshot");
        assertThat(pekko.getStringList("datastax-java-driver.basic.contact-points")).containsExactly("10.0.0.5:9042");
        assertThat(pekko.getString("datastax-java-driver.basic.load-balancing-policy.local-datacenter")).isEqualTo("dc1");
        for (String store : List.of("journal", "snapshot")) {
            Config c = pekko.getConfig("pekko.persistence.cassandra." + store);
            assertThat(c.getString("keyspace")).isEqualTo("chat");
            // JournalSchema makes them at start (the plugin's lazy attempt gave up on a slow first start)
            assertThat(c.getBoolean("keyspace-autocreate")).isFalse();
            assertThat(c.getBoolean("tables-autocreate")).isFalse();
            assertThat(c.getString("replication-strategy")).isEqualTo("NetworkTopologyStrategy");
            assertThat(c.getStringList("data-center-replication-factors")).containsExactly("dc1:3", "dc2:2");
        }
        assertThat(pekko.getLong("pekko.persistence.cassandra.journal.target-partition-size"))
                .isEqualTo(CassandraSettings.JOURNAL_TARGET_PARTITION_SIZE);
        // no tag bookkeeping and no deleted-to read per recovery (LOGIN-PROFILE.md)
        assertThat(pekko.getBoolean("pekko.persistence.cassandra.events-by-tag.enabled")).isFalse();
        assertThat(pekko.getBoolean("pekko.persistence.cassandra.journal.support-deletes")).isFalse();
        // untouched plugin defaults still come through
        assertThat(pekko.getString("pekko.persistence.cassandra.journal.table")).isEqualTo("messages");
    }

    @Test
    void simpleStrategyFeedsTheReplicationFactor() {
        CassandraSettings settings = new CassandraSettings(
                List.of(InetSocketAddress.createUnresolved("127.0.0.1", 9042)), "datacenter1", "kaiku",
                "{'class':'SimpleStrategy','replication_factor':3}");

        Config pekko = CassandraSettings.pekkoOverrides(settings);

        assertThat(pekko.getInt("pekko.persistence.cassandra.journal.replication-factor")).isEqualTo(3);
        assertThat(pekko.getStringList("pekko.persistence.cassandra.journal.data-center-replication-factors")).isEmpty();
    }

    private static void assertBad(String overrides, String key, String reason) {
        assertThatThrownBy(() -> CassandraSettings.fromConfig(with(overrides)))
                .as(overrides)
                .isInstanceOf(ConfigException.BadValue.class)
                .hasMessageContaining(key)
                .hasMessageContaining(reason);
    }
}
