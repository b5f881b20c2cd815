package org.kaiku.engine.muc;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.kaiku.engine.serialization.CborSerializable;

/**
 * The list of public rooms of one MUC service, for its disco#items (XEP-0045 section 6.3), known
 * cluster-wide: one sharded entity per service domain. Persistent public rooms are journaled (one
 * event when a room is listed, renamed or unlisted, none when a room re-announces itself
 * unchanged), so the list survives restarts. Temporary public rooms are kept in memory only,
 * since they do not survive a restart either: each such room announces itself again whenever
 * someone joins, so after this entity moved or restarted a live temporary room reappears on its
 * next join. A room made hidden, or destroyed, unlists itself.
 */
public final class RoomDirectory extends EventSourcedBehavior<RoomDirectory.Command, RoomDirectory.Event, RoomDirectory.State> {

    public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "muc-directory");

    public sealed interface Command extends CborSerializable {
    }

    /** The room is public: list it under {@code name}. */
    public record Listed(String room, String name, boolean persistent) implements Command {
    }

    public record Unlisted(String room) implements Command {
    }

    public record ListRooms(ActorRef<Rooms> replyTo) implements Command {
    }

    /** The public rooms, room JID to name, sorted by JID. */
    public record Rooms(Map<String, String> rooms) implements CborSerializable {
    }

    public sealed interface Event extends CborSerializable {
    }

    public record RoomListed(String room, String name) implements Event {
    }

    public record RoomUnlisted(String room) implements Event {
    }

    /** The journaled part: the persistent public rooms. */
    public record State(Map<String, String> rooms) implements CborSerializable {
        public State {
            rooms = rooms == null ? Map.of() : Map.copyOf(rooms);
        }
    }

    /** How rooms and the service reach the directory of their service. */
    public static final class Client {
        private final org.apache.pekko.actor.typed.RecipientRef<Command> ref;
        private final org.apache.pekko.actor.typed.Scheduler scheduler;

        /** A client of {@code ref}: the sharded directory, or a probe in tests. */
        public Client(org.apache.pekko.actor.typed.RecipientRef<Command> ref, org.apache.pekko.actor.typed.Scheduler scheduler) {
            this.ref = ref;
            this.scheduler = scheduler;
        }

        void listed(String room, String name, boolean persistent) {
            ref.tell(new Listed(room, name == null ? "" : name, persistent));
        }

        void unlisted(String room) {
            ref.tell(new Unlisted(room));
        }

        CompletionStage<Rooms> list(Duration timeout) {
            return org.apache.pekko.actor.typed.javadsl.AskPattern.ask(ref, ListRooms::new, timeout, scheduler);
        }
    }

    private final Map<String, String> temporary = new HashMap<>();

    private RoomDirectory(String service) {
        super(PersistenceId.of(ENTITY_KEY.name(), service));
    }

    /** Starts sharding of directories here; the client for {@code service}'s. */
    public static Client init(ActorSystem<?> system, String service) {
        ClusterSharding sharding = ClusterSharding.get(system);
        sharding.init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId())));
        return new Client(sharding.entityRefFor(ENTITY_KEY, service), system.scheduler());
    }

    public static Behavior<Command> create(String service) {
        return new RoomDirectory(service);
    }

    @Override
    public State emptyState() {
        return new State(Map.of());
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(200, 2);
    }

    @Override
    public CommandHandler<Command, Event, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Listed.class, (state, c) -> {
                    if (!c.persistent()) {
                        temporary.put(c.room(), c.name());
                        return state.rooms().containsKey(c.room()) ? Effect().persist(new RoomUnlisted(c.room())) : Effect().none();
                    }
                    temporary.remove(c.room());
                    return c.name().equals(state.rooms().get(c.room())) ? Effect().none()
                            : Effect().persist(new RoomListed(c.room(), c.name()));
                })
                .onCommand(Unlisted.class, (state, c) -> {
                    temporary.remove(c.room());
                    return state.rooms().containsKey(c.room()) ? Effect().persist(new RoomUnlisted(c.room())) : Effect().none();
                })
                .onCommand(ListRooms.class, (state, c) -> {
                    Map<String, String> all = new TreeMap<>(state.rooms());
                    all.putAll(temporary);
                    c.replyTo().tell(new Rooms(all));
                    return Effect().none();
                })
                .build();
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(RoomListed.class, (state, e) -> {
                    Map<String, String> m = new HashMap<>(state.rooms());
                    m.put(e.room(), e.name());
                    return new State(m);
                })
                .onEvent(RoomUnlisted.class, (state, e) -> {
                    Map<String, String> m = new HashMap<>(state.rooms());
                    m.remove(e.room());
                    return new State(m);
                })
                .build();
    }
}
