package org.kaiku.persistence.cassandra;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.ProgrammaticDriverConfigLoaderBuilder;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * How Kaiku's own stores open their driver session: the settings' contact points and local data
 * centre, LOCAL_QUORUM by default, the keyspace created when missing, and the store's schema
 * brought up to date; the session is closed again if any of that fails.
 *
 * <p>Schema versions: a store's DDL list is its migration history, one step per statement, step
 * 0 first. Each applied step is recorded in {@code <keyspace>.schema_migrations} (store, step,
 * the statement's text, when), so a start applies only the steps a keyspace has not seen, in
 * order, and records each. The statements stay idempotent ({@code IF NOT EXISTS}), so two nodes
 * starting at once both succeed; the record is written with a lightweight transaction so they
 * agree on it. A start refuses, naming the store and step, when an applied step's text differs
 * from this build's (an applied step must never be edited: append a new one) or when the keyspace
 * has steps this build does not know (it was upgraded by a newer Kaiku). The history is read at
 * SERIAL, so a step recorded by a node in another data centre is seen.
 */
final class CassandraSessions {
    private static final Duration SCHEMA_TIMEOUT = Duration.ofSeconds(60);
    static final String MIGRATIONS_TABLE = "schema_migrations";

    private CassandraSessions() {
    }

    /**
     * @param name       the driver session name (shows in its logs and metrics); also the store's
     *                   name in the schema history
     * @param timeout    request timeout of the store's queries
     * @param moreConfig store-specific driver options (identity when none)
     * @param ddl        the store's schema steps, oldest first, keyspace-qualified and idempotent
     * @param make       builds the store once the schema exists (prepares its statements)
     */
    static <T> T open(CassandraSettings settings, String name, Duration timeout,
                      UnaryOperator<ProgrammaticDriverConfigLoaderBuilder> moreConfig,
                      List<String> ddl, Function<CqlSession, T> make) {
        DriverConfigLoader config = moreConfig.apply(DriverConfigLoader.programmaticBuilder()
                        .withStringList(DefaultDriverOption.CONTACT_POINTS, settings.contactPointStrings())
                        .withString(DefaultDriverOption.LOAD_BALANCING_LOCAL_DATACENTER, settings.localDatacenter())
                        .withString(DefaultDriverOption.REQUEST_CONSISTENCY, ConsistencyLevel.LOCAL_QUORUM.name())
                        .withString(DefaultDriverOption.SESSION_NAME, name)
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, timeout)
                        .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.parse("PT0.5S"))
                        .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(2)))
                .build();
        CqlSession session = CqlSession.builder().withConfigLoader(config).build();
        try {
            execute(session, "CREATE KEYSPACE IF NOT EXISTS " + settings.keyspace()
                    + " WITH replication = " + settings.replication());
            migrate(session, settings.keyspace(), name, ddl);
            return make.apply(session);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    /** Applies the steps of {@code ddl} this keyspace has not recorded for {@code store}. */
    static void migrate(CqlSession session, String keyspace, String store, List<String> ddl) {
        String table = keyspace + "." + MIGRATIONS_TABLE;
        execute(session, "CREATE TABLE IF NOT EXISTS " + table
                + " (store text, step int, statement text, applied_at timestamp, PRIMARY KEY ((store), step))");
        Map<Integer, String> applied = new TreeMap<>();
        for (Row row : session.execute(SimpleStatement.newInstance(
                        "SELECT step, statement FROM " + table + " WHERE store = ?", store)
                .setConsistencyLevel(ConsistencyLevel.SERIAL).setTimeout(SCHEMA_TIMEOUT))) {
            applied.put(row.getInt("step"), row.getString("statement"));
        }
        for (Map.Entry<Integer, String> done : applied.entrySet()) {
            int step = done.getKey();
            if (step >= ddl.size()) {
                throw new IllegalStateException("schema of store " + store + " in keyspace " + keyspace + " is at step "
                        + (applied.size() - 1) + ", newer than this build (" + (ddl.size() - 1)
                        + "): start a Kaiku at least as new as the one that upgraded it");
            }
            if (!done.getValue().equals(ddl.get(step))) {
                throw new IllegalStateException("schema step " + step + " of store " + store + " was applied as ["
                        + done.getValue() + "] but this build has [" + ddl.get(step)
                        + "]: an applied step must not change; add a new step instead");
            }
        }
        for (int step = 0; step < ddl.size(); step++) {
            if (applied.containsKey(step)) {
                continue;
            }
            execute(session, ddl.get(step));
            session.execute(SimpleStatement.newInstance("INSERT INTO " + table
                            + " (store, step, statement, applied_at) VALUES (?, ?, ?, ?) IF NOT EXISTS",
                            store, step, ddl.get(step), Instant.now())
                    .setSerialConsistencyLevel(ConsistencyLevel.SERIAL).setTimeout(SCHEMA_TIMEOUT));
        }
    }

    /**
     * A short-lived session for schema work outside the stores (no keyspace created, nothing
     * recorded): {@code work} runs with it and the session is closed after.
     */
    static <T> T withSession(CassandraSettings settings, String name, Function<CqlSession, T> work) {
        DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
                .withStringList(DefaultDriverOption.CONTACT_POINTS, settings.contactPointStrings())
                .withString(DefaultDriverOption.LOAD_BALANCING_LOCAL_DATACENTER, settings.localDatacenter())
                .withString(DefaultDriverOption.SESSION_NAME, name)
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, SCHEMA_TIMEOUT)
                .build();
        try (CqlSession session = CqlSession.builder().withConfigLoader(config).build()) {
            return work.apply(session);
        }
    }

    static void execute(CqlSession session, String cql) {
        session.execute(SimpleStatement.newInstance(cql).setTimeout(SCHEMA_TIMEOUT));
    }
}
