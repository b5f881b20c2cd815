package org.kaiku.persistence.cassandra;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.ProgrammaticDriverConfigLoaderBuilder;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * How Kaiku's own stores open their driver session: the settings' contact points and local data
 * centre, LOCAL_QUORUM by default, the keyspace and the store's tables created when missing
 * (idempotent DDL), and the session closed again if any of that fails.
 */
final class CassandraSessions {
    private static final Duration SCHEMA_TIMEOUT = Duration.ofSeconds(60);

    private CassandraSessions() {
    }

    /**
     * @param name       the driver session name (shows in its logs and metrics)
     * @param timeout    request timeout of the store's queries
     * @param moreConfig store-specific driver options (identity when none)
     * @param ddl        the store's CREATE ... IF NOT EXISTS statements, keyspace-qualified
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
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, timeout))
                .build();
        CqlSession session = CqlSession.builder().withConfigLoader(config).build();
        try {
            execute(session, "CREATE KEYSPACE IF NOT EXISTS " + settings.keyspace()
                    + " WITH replication = " + settings.replication());
            for (String cql : ddl) {
                execute(session, cql);
            }
            return make.apply(session);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    private static void execute(CqlSession session, String cql) {
        session.execute(SimpleStatement.newInstance(cql).setTimeout(SCHEMA_TIMEOUT));
    }
}
