package org.kaiku.persistence.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Versioned schema on a real node: steps applied once and in order, edits and downgrades refused. */
@ExtendWith(CassandraNodeExtension.class)
class SchemaMigrationTest {
    private static final String KS = "schema_migration_test";

    @Test
    void stepsAreAppliedOnceInOrderAndRecorded(LocalCassandra node) {
        CassandraSettings settings = CassandraSettings.local(node, KS);
        String step0 = "CREATE TABLE IF NOT EXISTS " + KS + ".notes (id int PRIMARY KEY, text text)";
        String step1 = "ALTER TABLE " + KS + ".notes ADD author text";
        try (CqlSession s = CassandraSessions.open(settings, "notes-store", java.time.Duration.ofSeconds(10), b -> b,
                List.of(step0), session -> session)) {
            s.execute("INSERT INTO " + KS + ".notes (id, text) VALUES (1, 'first')");
        }
        // A newer build adds a step: only that one runs (ALTER ... ADD is not idempotent, so a
        // second run of it would fail the start).
        try (CqlSession s = CassandraSessions.open(settings, "notes-store", java.time.Duration.ofSeconds(10), b -> b,
                List.of(step0, step1), session -> session)) {
            s.execute("UPDATE " + KS + ".notes SET author = 'me' WHERE id = 1");
            assertThat(s.execute("SELECT text, author FROM " + KS + ".notes WHERE id = 1").one().getString("author"))
                    .isEqualTo("me");
            List<Row> history = s.execute("SELECT step, statement FROM " + KS + ".schema_migrations WHERE store = 'notes-store'").all();
            assertThat(history).extracting(r -> r.getInt("step")).containsExactly(0, 1);
            assertThat(history).extracting(r -> r.getString("statement")).containsExactly(step0, step1);
        }
        // Started again with the same steps: nothing to do, and the data is still there.
        try (CqlSession s = CassandraSessions.open(settings, "notes-store", java.time.Duration.ofSeconds(10), b -> b,
                List.of(step0, step1), session -> session)) {
            assertThat(s.execute("SELECT text FROM " + KS + ".notes WHERE id = 1").one().getString("text")).isEqualTo("first");
        }
    }

    @Test
    void anEditedStepOrAnOlderBuildIsRefusedWithTheStoreNamed(LocalCassandra node) {
        CassandraSettings settings = CassandraSettings.local(node, KS);
        String step0 = "CREATE TABLE IF NOT EXISTS " + KS + ".things (id int PRIMARY KEY)";
        String step1 = "CREATE TABLE IF NOT EXISTS " + KS + ".more_things (id int PRIMARY KEY)";
        CassandraSessions.open(settings, "things-store", java.time.Duration.ofSeconds(10), b -> b,
                List.of(step0, step1), session -> session).close();

        assertThatThrownBy(() -> CassandraSessions.open(settings, "things-store", java.time.Duration.ofSeconds(10), b -> b,
                List.of(step0.replace("id int", "id bigint"), step1), session -> session))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("step 0 of store things-store").hasMessageContaining("must not change");
        assertThatThrownBy(() -> CassandraSessions.open(settings, "things-store", java.time.Duration.ofSeconds(10), b -> b,
                List.of(step0), session -> session))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("things-store").hasMessageContaining("newer than this build");
        // Other stores in the keyspace have histories of their own.
        CassandraSessions.open(settings, "other-store", java.time.Duration.ofSeconds(10), b -> b,
                List.of(step0), session -> session).close();
    }
}
