package org.kaiku.engine.pubsub;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.kaiku.engine.routing.StanzaRouter;
import org.kaiku.engine.serialization.CborSerializable;
import org.kaiku.protocol.ext.pubsub.PubSub;
import org.kaiku.protocol.ext.xdata.DataForm;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * One slice of a pubsub node's subscriptions (XEP-0060 sections 6.1, 6.2, 8.6, 8.8), a sharded
 * event-sourced entity with id {@code k#node}: the subscriptions of the bare JIDs whose hash
 * falls in partition {@code k} of the node's {@link NodeState#partitions()} (see {@link
 * #partitionOf}), so all of one user's subscriptions to a node are in one partition. The
 * {@link NodeEntity} decides (access model, affiliations) and tells the partition; the partition
 * journals the change, answers the subscriber's iq itself, and fans each notification the node
 * gives it out to its own subscribers.
 *
 * <p>Journal: one {@link Event.Changed} per subscription change (the iq result or the ack goes
 * out after it is written), one {@link Event.Reset} when the node was deleted or re-created, a
 * snapshot every 500 events. A notification costs no write here: the partition routes one
 * message per subscribed JID from memory. Commands carry the node's generation: a command of an
 * older incarnation of the node is dropped, one of a newer incarnation resets the slice first.
 */
public final class PartitionEntity extends EventSourcedBehavior<PartitionEntity.Command, PartitionEntity.Event, PartitionEntity.State> {

    public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "pubsub-partition");

    public sealed interface Command extends CborSerializable {
        long generation();
    }

    /**
     * Subscribe {@code jid} in {@code state} ("subscribed" or "pending"; an existing "subscribed"
     * is kept). {@code iq} (or null) is answered with the subscription; {@code last} (or null),
     * the last item's notification, goes to a new subscriber; a pending request goes to {@code
     * owners} as the approval form of section 8.6. {@code ack} (or null) hears when it is written.
     */
    public record Subscribe(long generation, String node, String jid, String state, XmlElement iq, XmlElement last,
                            List<String> owners, ActorRef<Done> ack) implements Command {
    }

    /** Section 6.2: remove the subscription of {@code jid}, answering {@code iq}. */
    public record Unsubscribe(long generation, String node, String jid, XmlElement iq) implements Command {
    }

    /**
     * An owner set {@code jid}'s subscription (section 8.8.2) or answered an approval request
     * (section 8.6, {@code approval}: only a pending subscription changes); "none" removes it.
     * The subscriber is told (section 8.6's notification), {@code ack} hears when it is written.
     */
    public record SetSubscription(long generation, String node, String jid, String state, boolean approval,
                                  ActorRef<Done> ack) implements Command {
    }

    /** Every subscription of {@code bareJid} (any resource) ends: the JID became an outcast. */
    public record DropBare(long generation, String bareJid) implements Command {
    }

    /** Send {@code message} (without 'to') to every subscribed JID of this slice. */
    public record Notify(long generation, XmlElement message) implements Command {
    }

    /** The node was deleted: {@code message} (or null) to every subscriber, then the slice is cleared. */
    public record NodeDeleted(long generation, XmlElement message) implements Command {
    }

    /** The subscriptions of this slice, all of them or those of {@code bareJid} (when not null). */
    public record Query(long generation, String bareJid, ActorRef<Subscriptions> replyTo) implements Command {
    }

    /** JID to state ("subscribed" or "pending"). */
    public record Subscriptions(Map<String, String> subscriptions) implements CborSerializable {
        public Subscriptions {
            subscriptions = Map.copyOf(subscriptions);
        }
    }

    public sealed interface Event extends CborSerializable {
    }

    /** The slice now belongs to incarnation {@code generation} of its node, with no subscriptions. */
    public record Reset(long generation) implements Event {
    }

    /** {@code jid}'s subscription is now {@code state}; "none" removes it. */
    public record Changed(String jid, String state) implements Event {
    }

    /**
     * The slice: the node's generation and JID to state. The map is mutable and changed in place
     * by the event handler (a copy per event would cost O(slice) per subscribe); it never leaves
     * the entity except as a copy: snapshots go through {@link #snapshotAdapter()}, queries get
     * {@link Subscriptions}.
     */
    public record State(long generation, Map<String, String> subscriptions) implements CborSerializable {
        public State {
            subscriptions = subscriptions == null ? new HashMap<>() : new HashMap<>(subscriptions);
        }
    }

    private final String service;
    private final StanzaRouter router;

    private PartitionEntity(String entityId, String service, StanzaRouter router) {
        super(PersistenceId.of(ENTITY_KEY.name(), entityId));
        this.service = service;
        this.router = router;
    }

    public static void init(ActorSystem<?> system, String service, StanzaRouter router) {
        ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), service, router)));
    }

    public static Behavior<Command> create(String entityId, String service, StanzaRouter router) {
        return new PartitionEntity(entityId, service, router);
    }

    /** The entity id of partition {@code k} of {@code node}. */
    public static String entityId(String node, int k) {
        return k + "#" + node;
    }

    /** The partition of {@code jid}'s bare JID among {@code partitions}. */
    public static int partitionOf(String jid, int partitions) {
        String bare = Jid.tryParse(jid).map(j -> j.bare().toString()).orElse(jid);
        return Math.floorMod(bare.hashCode() * 0x9E3779B9, partitions);
    }

    @Override
    public State emptyState() {
        return new State(0, Map.of());
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(500, 2);
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(Reset.class, (s, e) -> new State(e.generation(), Map.of()))
                .onEvent(Changed.class, (s, e) -> {
                    if ("none".equals(e.state())) {
                        s.subscriptions().remove(e.jid());
                    } else {
                        s.subscriptions().put(e.jid(), e.state());
                    }
                    return s;
                })
                .build();
    }

    @Override
    public org.apache.pekko.persistence.typed.SnapshotAdapter<State> snapshotAdapter() {
        return new org.apache.pekko.persistence.typed.SnapshotAdapter<>() {
            @Override
            public Object toJournal(State state) {
                return new State(state.generation(), state.subscriptions());
            }

            @Override
            public State fromJournal(Object from) {
                return (State) from;
            }
        };
    }

    @Override
    public CommandHandler<Command, Event, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onAnyCommand((s, cmd) -> {
                    if (cmd.generation() < s.generation()) {
                        if (cmd instanceof Query q) {
                            q.replyTo().tell(new Subscriptions(Map.of()));
                        }
                        return Effect().none();
                    }
                    List<Event> events = new ArrayList<>();
                    State now = s;
                    if (cmd.generation() > s.generation()) {
                        events.add(new Reset(cmd.generation()));
                        now = new State(cmd.generation(), Map.of());
                    }
                    return handle(now, cmd, events);
                });
    }

    private Effect<Event, State> handle(State s, Command cmd, List<Event> events) {
        if (cmd instanceof Subscribe c) {
            String current = s.subscriptions().get(c.jid());
            String next = "subscribed".equals(current) ? current : c.state();
            if (!next.equals(current)) {
                events.add(new Changed(c.jid(), next));
            }
            return persist(events).thenRun(ns -> {
                if (c.iq() != null) {
                    router.route(Stanzas.iqResult(c.iq(), XmlElement.builder("pubsub", PubSub.NAMESPACE)
                            .child(subscription(PubSub.NAMESPACE, c.node(), c.jid(), next)).build()));
                }
                if ("subscribed".equals(next) && !"subscribed".equals(current) && c.last() != null) {
                    router.route(c.last().withAttr("to", c.jid()));
                }
                if ("pending".equals(next) && !next.equals(current)) {
                    for (String owner : c.owners()) {
                        router.route(approvalRequest(c.node(), c.jid(), owner));
                    }
                }
                if (c.ack() != null) {
                    c.ack().tell(Done.getInstance());
                }
            });
        } else if (cmd instanceof Unsubscribe c) {
            if (!s.subscriptions().containsKey(c.jid())) {
                router.route(PubSub.error(c.iq(), new StanzaError(StanzaError.Type.CANCEL, StanzaError.Condition.UNEXPECTED_REQUEST,
                        null), "not-subscribed", null));
                return persist(events);
            }
            events.add(new Changed(c.jid(), "none"));
            return persist(events).thenRun(ns -> router.route(Stanzas.iqResult(c.iq(), null)));
        } else if (cmd instanceof SetSubscription c) {
            String current = s.subscriptions().getOrDefault(c.jid(), "none");
            boolean change = !current.equals(c.state()) && (!c.approval() || "pending".equals(current));
            if (change) {
                events.add(new Changed(c.jid(), c.state()));
            }
            return persist(events).thenRun(ns -> {
                if (change) {
                    router.route(event(XmlElement.builder("event", PubSub.EVENT)
                            .child(subscription(PubSub.EVENT, c.node(), c.jid(), c.state())).build()).withAttr("to", c.jid()));
                }
                if (c.ack() != null) {
                    c.ack().tell(Done.getInstance());
                }
            });
        } else if (cmd instanceof DropBare c) {
            for (String jid : s.subscriptions().keySet()) {
                if (Jid.tryParse(jid).map(j -> j.bare().toString().equals(c.bareJid())).orElse(false)) {
                    events.add(new Changed(jid, "none"));
                }
            }
            return persist(events);
        } else if (cmd instanceof Notify c) {
            fanOut(s, c.message());
            return persist(events);
        } else if (cmd instanceof NodeDeleted c) {
            if (c.message() != null) {
                fanOut(s, c.message());
            }
            if (!s.subscriptions().isEmpty()) {
                events.add(new Reset(s.generation()));
            }
            return persist(events);
        } else if (cmd instanceof Query c) {
            Map<String, String> out = new HashMap<>();
            s.subscriptions().forEach((jid, state) -> {
                if (c.bareJid() == null || Jid.tryParse(jid).map(j -> j.bare().toString().equals(c.bareJid())).orElse(false)) {
                    out.put(jid, state);
                }
            });
            c.replyTo().tell(new Subscriptions(out));
            return persist(events);
        }
        return persist(events);
    }

    private void fanOut(State s, XmlElement message) {
        s.subscriptions().forEach((jid, state) -> {
            if ("subscribed".equals(state)) {
                router.route(message.withAttr("to", jid));
            }
        });
    }

    private org.apache.pekko.persistence.typed.javadsl.EffectBuilder<Event, State> persist(List<Event> events) {
        return events.isEmpty() ? Effect().none() : Effect().persist(events);
    }

    static XmlElement subscription(String ns, String node, String jid, String state) {
        return XmlElement.builder("subscription", ns).attr("node", node).attr("jid", jid).attr("subscription", state).build();
    }

    private XmlElement event(XmlElement event) {
        return XmlElement.builder("message", "jabber:client").attr("from", service)
                .attr("id", NodeEntity.newId()).child(event).build();
    }

    /** Section 8.6: the approval form for a pending subscription, to one owner. */
    private XmlElement approvalRequest(String node, String jid, String owner) {
        DataForm form = new DataForm("form", "PubSub subscriber request",
                List.of("To approve this subscription request, submit the form with pubsub#allow set to true."), List.of(
                DataForm.Field.of(DataForm.FORM_TYPE, "hidden", PubSub.SUBSCRIBE_AUTHORIZATION),
                new DataForm.Field("pubsub#node", "text-single", "Node ID", false, List.of(node), List.of(), null),
                new DataForm.Field("pubsub#subscriber_jid", "jid-single", "Subscriber Address", false, List.of(jid), List.of(), null),
                new DataForm.Field("pubsub#allow", "boolean", "Allow this JID to subscribe to this pubsub node?", false,
                        List.of("false"), List.of(), null)));
        return XmlElement.builder("message", "jabber:client").attr("from", service).attr("to", owner)
                .attr("id", NodeEntity.newId()).child(form.toElement()).build();
    }
}
