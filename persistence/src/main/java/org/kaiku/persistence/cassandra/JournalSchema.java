package org.kaiku.persistence.cassandra;

import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.cassandra.KeyspaceAndTableStatements;
import org.apache.pekko.persistence.cassandra.PluginSettings;

/**
 * Creates the journal's and snapshot store's keyspace and tables before any account entity
 * starts, with the schema timeout of Kaiku's own stores, instead of leaving it to
 * pekko-persistence-cassandra's lazy creation at first use. That creation runs once, on the
 * driver's default 2 s request timeout; on a loaded first start it timed out, and the plugin did
 * not try again: every entity recovery then failed with "table metadata does not exist" and no
 * one could log in until a restart. The statements are the plugin's own
 * ({@link KeyspaceAndTableStatements}, so they follow its version and settings) and idempotent
 * ({@code IF NOT EXISTS}); they are not recorded in the schema history, since their text belongs
 * to the plugin and may change with it. {@link CassandraSettings#pekkoOverrides} turns the
 * plugin's own creation off.
 */
public final class JournalSchema {
    private JournalSchema() {
    }

    /** The plugin's keyspace and table statements, journal then snapshots, keyspaces first. */
    static List<String> statements(ActorSystem<?> system) {
        KeyspaceAndTableStatements s = new KeyspaceAndTableStatements(system, PluginSettings.DefaultConfigPath(),
                PluginSettings.apply(system.classicSystem()));
        List<String> all = new ArrayList<>();
        all.add(s.createJournalKeyspaceStatement());
        all.addAll(s.getCreateJournalTablesStatements());
        all.add(s.createSnapshotKeyspaceStatement());
        all.addAll(s.getCreateSnapshotTablesStatements());
        return all;
    }

    /** Runs the statements against the cluster of {@code settings}; throws when one fails. */
    public static void ensure(ActorSystem<?> system, CassandraSettings settings) {
        List<String> ddl = statements(system);
        CassandraSessions.withSession(settings, "journal-schema", session -> {
            for (String cql : ddl) {
                CassandraSessions.execute(session, cql);
            }
            return null;
        });
    }
}
