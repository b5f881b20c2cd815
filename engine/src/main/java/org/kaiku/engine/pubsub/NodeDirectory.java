package org.kaiku.engine.pubsub;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.kaiku.engine.serialization.CborSerializable;

/**
 * The nodes of the pubsub service, for its disco#items (XEP-0060 section 5.2): one sharded entity
 * per service domain, one journal event when a node is created, renamed or deleted (none when a
 * node re-announces itself unchanged).
 */
public final class NodeDirectory extends EventSourcedBehavior<NodeDirectory.Command, NodeDirectory.Event, NodeDirectory.State> {

    public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "pubsub-directory");

    public sealed interface Command extends CborSerializable {
    }

    public record Listed(String node, String title) implements Command {
    }

    public record Unlisted(String node) implements Command {
    }

    public record ListNodes(ActorRef<Nodes> replyTo) implements Command {
    }

    /** Node to title, sorted by node. */
    public record Nodes(Map<String, String> nodes) implements CborSerializable {
        public Nodes {
            nodes = nodes == null ? Map.of() : Map.copyOf(nodes);
        }
    }

    public sealed interface Event extends CborSerializable {
    }

    public record NodeListed(String node, String title) implements Event {
    }

    public record NodeUnlisted(String node) implements Event {
    }

    public record State(Map<String, String> nodes) implements CborSerializable {
        public State {
            nodes = nodes == null ? Map.of() : Map.copyOf(nodes);
        }
    }

    /** How nodes and the service reach the directory. */
    public static final class Client {
        private final RecipientRef<Command> ref;
        private final Scheduler scheduler;

        public Client(RecipientRef<Command> ref, Scheduler scheduler) {
            this.ref = ref;
            this.scheduler = scheduler;
        }

        void listed(String node, String title) {
            ref.tell(new Listed(node, title == null ? "" : title));
        }

        void unlisted(String node) {
            ref.tell(new Unlisted(node));
        }

        CompletionStage<Nodes> list(Duration timeout) {
            return AskPattern.ask(ref, ListNodes::new, timeout, scheduler);
        }
    }

    private NodeDirectory(String service) {
        super(PersistenceId.of(ENTITY_KEY.name(), service));
    }

    public static Client init(ActorSystem<?> system, String service) {
        ClusterSharding sharding = ClusterSharding.get(system);
        sharding.init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId())));
        return new Client(sharding.entityRefFor(ENTITY_KEY, service), system.scheduler());
    }

    public static Behavior<Command> create(String service) {
        return new NodeDirectory(service);
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
                .onCommand(Listed.class, (state, c) -> c.title().equals(state.nodes().get(c.node())) ? Effect().none()
                        : Effect().persist(new NodeListed(c.node(), c.title())))
                .onCommand(Unlisted.class, (state, c) -> state.nodes().containsKey(c.node())
                        ? Effect().persist(new NodeUnlisted(c.node())) : Effect().none())
                .onCommand(ListNodes.class, (state, c) -> {
                    c.replyTo().tell(new Nodes(new TreeMap<>(state.nodes())));
                    return Effect().none();
                })
                .build();
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(NodeListed.class, (state, e) -> {
                    Map<String, String> m = new HashMap<>(state.nodes());
                    m.put(e.node(), e.title());
                    return new State(m);
                })
                .onEvent(NodeUnlisted.class, (state, e) -> {
                    Map<String, String> m = new HashMap<>(state.nodes());
                    m.remove(e.node());
                    return new State(m);
                })
                .build();
    }
}
