package org.kaiku.persistence.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pekko Persistence on the real node through {@link CassandraSettings#pekkoOverrides}, its tables
 * made by {@link JournalSchema}: events and snapshots written by one ActorSystem are recovered by
 * the next.
 */
@ExtendWith(CassandraNodeExtension.class)
class PekkoPersistenceRoundTripTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    sealed interface Command {
    }

    record Append(String text, ActorRef<String> replyTo) implements Command {
    }

    record Get(ActorRef<String> replyTo) implements Command {
    }

    /** Appends texts; the state is their comma-joined list. Events and state are Strings. */
    static final class Log extends EventSourcedBehavior<Command, String, String> {
        private final ActorRef<Long> snapshots;

        Log(PersistenceId id, ActorRef<Long> snapshots) {
            super(id);
            this.snapshots = snapshots;
        }

        @Override
        public SignalHandler<String> signalHandler() {
            return newSignalHandlerBuilder()
                    .onSignal(SnapshotCompleted.class, (state, done) -> snapshots.tell(done.metadata().sequenceNr()))
                    .build();
        }

        @Override
        public String emptyState() {
            return "";
        }

        @Override
        public CommandHandler<Command, String, String> commandHandler() {
            return newCommandHandlerBuilder().forAnyState()
                    .onCommand(Append.class, (state, append) -> Effect().persist(append.text())
                            .thenRun(newState -> append.replyTo().tell(newState)))
                    .onCommand(Get.class, (state, get) -> Effect().none().thenRun(s -> get.replyTo().tell(s)))
                    .build();
        }

        @Override
        public EventHandler<String, String> eventHandler() {
            return newEventHandlerBuilder().forAnyState()
                    .onEvent(String.class, (state, text) -> state.isEmpty() ? text : state + "," + text)
                    .build();
        }

        @Override
        public RetentionCriteria retentionCriteria() {
            return RetentionCriteria.snapshotEvery(3, 2);
        }
    }

    @Test
    void eventsAndSnapshotsSurviveARestartOfTheActorSystem(LocalCassandra node) throws Exception {
        CassandraSettings settings = CassandraSettings.local(node, "pekko_test");
        PersistenceId id = PersistenceId.of("Log", UUID.randomUUID().toString());

        ActorSystem<Void> first = system(settings, "first");
        try {
            // as KaikuServer does before any entity starts; twice, as every start runs it
            JournalSchema.ensure(first, settings);
            JournalSchema.ensure(first, settings);
            TestProbe<String> probe = TestProbe.create(first);
            TestProbe<Long> snapshots = TestProbe.create(first);
            ActorRef<Command> log = spawn(first, id, snapshots.ref());
            for (String text : List.of("a", "b", "c", "d", "e")) {
                log.tell(new Append(text, probe.ref()));
                probe.expectMessageClass(String.class, PATIENCE);
            }
            log.tell(new Get(probe.ref()));
            assertThat(probe.receiveMessage(PATIENCE)).isEqualTo("a,b,c,d,e");
            assertThat(snapshots.receiveMessage(PATIENCE)).isEqualTo(3L);
        } finally {
            terminate(first);
        }

        ActorSystem<Void> second = system(settings, "second");
        try {
            TestProbe<String> probe = TestProbe.create(second);
            TestProbe<Long> snapshots = TestProbe.create(second);
            ActorRef<Command> recovered = spawn(second, id, snapshots.ref());
            recovered.tell(new Get(probe.ref()));
            assertThat(probe.receiveMessage(PATIENCE)).isEqualTo("a,b,c,d,e");
            recovered.tell(new Append("f", probe.ref()));
            assertThat(probe.receiveMessage(PATIENCE)).isEqualTo("a,b,c,d,e,f");
            assertThat(snapshots.receiveMessage(PATIENCE)).isEqualTo(6L);
        } finally {
            terminate(second);
        }

        try (CqlSession session = CqlSession.builder().addContactPoint(node.contactPoint())
                .withLocalDatacenter(LocalCassandra.DATACENTER).build()) {
            List<String> tables = session.execute(
                    "SELECT table_name FROM system_schema.tables WHERE keyspace_name = 'pekko_test'")
                    .all().stream().map(row -> row.getString("table_name")).toList();
            assertThat(tables).contains("messages", "snapshots", "all_persistence_ids");
            Row events = session.execute("SELECT count(*) FROM pekko_test.messages WHERE persistence_id = ? AND partition_nr = 0",
                    id.id()).one();
            assertThat(events.getLong(0)).isEqualTo(6);
            Row snapshots = session.execute("SELECT max(sequence_nr) FROM pekko_test.snapshots WHERE persistence_id = ?",
                    id.id()).one();
            assertThat(snapshots.getLong(0)).isEqualTo(6);
        }
    }

    private static ActorSystem<Void> system(CassandraSettings settings, String name) {
        Config config = ConfigFactory.parseString("""
                        pekko.actor.provider = local
                        pekko.loglevel = WARNING
                        pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
                        """)
                .withFallback(CassandraSettings.pekkoOverrides(settings))
                .withFallback(ConfigFactory.load());
        return ActorSystem.create(Behaviors.empty(), name, config);
    }

    private static ActorRef<Command> spawn(ActorSystem<Void> system, PersistenceId id, ActorRef<Long> snapshots) {
        Behavior<Command> behavior = new Log(id, snapshots);
        return system.systemActorOf(behavior, "log", Props.empty());
    }

    private static void terminate(ActorSystem<Void> system) throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
