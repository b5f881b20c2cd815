package org.kaiku.engine.pubsub;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongFunction;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
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
 * One leaf node of the Publish-Subscribe service (XEP-0060), a sharded event-sourced entity whose
 * id is the NodeID. It decides every request on the node: create (section 8.1, instant and with
 * a configuration form), configure (8.2), delete (8.4), purge (8.5), publish with publish-options
 * (7.1, 7.1.5), retract (7.2), retrieve items (6.5), subscribe and unsubscribe (6.1, 6.2), the
 * owner's management of subscriptions (8.8) and affiliations (8.9), the subscription approval of
 * the authorize access model (8.6), and disco#info / disco#items on the node (5.3-5.5). Requests
 * on protocol it does not implement get the XEP's feature-not-implemented with {@code <unsupported/>}.
 *
 * <p>Subscriptions are not kept here: they live in {@code partitions} {@link PartitionEntity}s
 * ({@code k#node}, k = hash(bare JID) mod partitions, the count fixed when the node is created),
 * each a sharded entity of its own, so Cluster Sharding spreads the slices of a large node over
 * the cluster's nodes and cores. The node tells the partition of a subscriber what to record, and
 * tells every partition what to fan out.
 *
 * <p>What is written where, and when a client hears back:
 * <ul>
 *   <li>Node journal ({@link NodeEvent}): creation, configuration, affiliation changes, each
 *       published item of a node with persist_items, retraction, purge, deletion. The iq result
 *       goes out after Cassandra acknowledged the event. A publish costs one journal write (the
 *       payload is in the event), and a snapshot every 100 events (the items, at most
 *       max_items of them).</li>
 *   <li>Fan-out: after the write, the publisher's iq result is routed first, then one {@link
 *       PartitionEntity.Notify} per partition carrying the one event message. The publisher has
 *       its answer before any subscriber is notified; each partition then routes one message per
 *       subscribed JID from memory, with no write. Cost of a publish to S subscribers over P
 *       partitions: 1 write, P inter-entity messages, S routed messages, spread over the
 *       partitions' hosts. A crash after the write and before the partitions delivered loses
 *       those notifications (the item itself is kept and retrievable): notifications are
 *       at-most-once, like every headline.</li>
 *   <li>Partition journal: one event per subscription change (see {@link PartitionEntity}).</li>
 * </ul>
 */
public final class NodeEntity extends EventSourcedBehavior<NodeEntity.Command, NodeEvent, NodeState> {

    public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "pubsub-node");
    static final String DISCO_INFO = "http://jabber.org/protocol/disco#info";
    static final String DISCO_ITEMS = "http://jabber.org/protocol/disco#items";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration ASK = Duration.ofSeconds(10);

    public sealed interface Command extends CborSerializable {
    }

    /** A stanza for this node, 'from' stamped by the sender's server. */
    public record Inbound(XmlElement stanza) implements Command {
    }

    /**
     * Subscribes {@code jid} as an owner would (section 8.8.2), without asking anyone: for load
     * tools and tests that need many subscribers. {@code replyTo} hears once it is written; nothing
     * is answered if the node does not exist.
     */
    public record AddSubscriber(String jid, ActorRef<Done> replyTo) implements Command {
    }

    private final String node;
    private final PubsubSettings settings;
    private final String serverDomain;
    private final StanzaRouter router;
    private final ClusterSharding sharding;
    private final NodeDirectory.Client directory;

    private NodeEntity(String node, PubsubSettings settings, String serverDomain, StanzaRouter router, ClusterSharding sharding,
                       NodeDirectory.Client directory) {
        super(PersistenceId.of(ENTITY_KEY.name(), node));
        this.node = node;
        this.settings = settings;
        this.serverDomain = serverDomain;
        this.router = router;
        this.sharding = sharding;
        this.directory = directory;
    }

    /** Starts sharding of nodes and their partitions on this node (every node of the cluster must call it). */
    public static void init(ActorSystem<?> system, PubsubSettings settings, String serverDomain, StanzaRouter router,
                            NodeDirectory.Client directory) {
        ClusterSharding sharding = ClusterSharding.get(system);
        PartitionEntity.init(system, settings.domain(), router);
        sharding.init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), settings, serverDomain, router, sharding, directory)));
    }

    public static Behavior<Command> create(String node, PubsubSettings settings, String serverDomain, StanzaRouter router,
                                           ClusterSharding sharding, NodeDirectory.Client directory) {
        return new NodeEntity(node, settings, serverDomain, router, sharding, directory);
    }

    static String newId() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    @Override
    public NodeState emptyState() {
        return NodeState.empty();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(100, 2);
    }

    @Override
    public EventHandler<NodeState, NodeEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(NodeState::apply);
    }

    @Override
    public CommandHandler<Command, NodeEvent, NodeState> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Inbound.class, (s, c) -> onStanza(s, c.stanza()))
                .onCommand(AddSubscriber.class, (s, c) -> {
                    if (s.exists()) {
                        partition(s, c.jid()).tell(new PartitionEntity.Subscribe(s.generation(), node, c.jid(), "subscribed", null, null,
                                List.of(), c.replyTo()));
                    }
                    return Effect().none();
                })
                .build();
    }

    // ---------------------------------------------------------------- dispatch

    private Effect<NodeEvent, NodeState> onStanza(NodeState s, XmlElement stanza) {
        Jid from = Jid.tryParse(Stanzas.from(stanza)).orElse(null);
        if (from == null) {
            return Effect().none();
        }
        if (stanza.name().equals("message")) {
            return approval(s, stanza, from);
        }
        String type = stanza.attr("type");
        if (!stanza.name().equals("iq") || !"get".equals(type) && !"set".equals(type)) {
            return Effect().none();
        }
        boolean set = "set".equals(type);
        XmlElement payload = stanza.elements().size() == 1 ? stanza.elements().get(0) : null;
        if (payload == null) {
            return error(stanza, StanzaError.Condition.BAD_REQUEST, null);
        }
        if (!set && payload.is("query", DISCO_INFO)) {
            return s.exists() ? result(stanza, discoInfo(s)) : error(stanza, StanzaError.Condition.ITEM_NOT_FOUND, null);
        }
        if (!set && payload.is("query", DISCO_ITEMS)) {
            return s.exists() ? result(stanza, discoItems(s, from)) : error(stanza, StanzaError.Condition.ITEM_NOT_FOUND, null);
        }
        XmlElement action = payload.elements().isEmpty() ? null : payload.elements().get(0);
        if (action == null || !payload.name().equals("pubsub")) {
            return error(stanza, StanzaError.Condition.BAD_REQUEST, null);
        }
        String bare = from.bare().toString();
        if (payload.namespace().equals(PubSub.NAMESPACE)) {
            if (set && action.name().equals("create")) {
                return create(s, stanza, from, payload);
            }
            if (!s.exists()) {
                return error(stanza, StanzaError.Condition.ITEM_NOT_FOUND, null);
            }
            return switch ((set ? "set " : "get ") + action.name()) {
                case "set publish" -> NodePublishing.publish(this, s, stanza, bare, payload, action);
                case "set retract" -> NodePublishing.retract(this, s, stanza, bare, action);
                case "set subscribe" -> subscribe(s, stanza, from, action);
                case "set unsubscribe" -> unsubscribe(s, stanza, from, action);
                case "get items" -> NodePublishing.items(this, s, stanza, bare, action);
                case "get subscriptions" -> ownSubscriptions(s, stanza, bare);
                case "get affiliations" -> ownAffiliation(s, stanza, bare);
                case "get options", "set options" -> unsupported(stanza, "subscription-options");
                default -> error(stanza, StanzaError.Condition.BAD_REQUEST, null);
            };
        }
        if (payload.namespace().equals(PubSub.OWNER)) {
            if (!s.exists()) {
                return error(stanza, StanzaError.Condition.ITEM_NOT_FOUND, null);
            }
            if (!"owner".equals(s.affiliation(bare))) {
                return error(stanza, StanzaError.Condition.FORBIDDEN, null);
            }
            return NodeOwner.handle(this, s, stanza, set, action);
        }
        return error(stanza, StanzaError.Condition.FEATURE_NOT_IMPLEMENTED, null);
    }

    // ---------------------------------------------------------------- create, subscribe

    /** Section 8.1: any user of this server may create a node; with a configure form it applies first. */
    private Effect<NodeEvent, NodeState> create(NodeState s, XmlElement iq, Jid from, XmlElement payload) {
        if (!from.domain().equals(serverDomain) || from.local() == null) {
            return error(iq, StanzaError.Condition.FORBIDDEN, null);
        }
        if (s.exists()) {
            return error(iq, StanzaError.Condition.CONFLICT, null);
        }
        NodeConfig config = NodeConfig.defaults(settings);
        XmlElement configure = payload.child("configure", PubSub.NAMESPACE);
        XmlElement x = configure == null ? null : configure.child(DataForm.ELEMENT, DataForm.NAMESPACE);
        if (x != null) {
            DataForm form = DataForm.fromElement(x).orElse(null);
            if (form == null) {
                return error(iq, StanzaError.Condition.BAD_REQUEST, null);
            }
            try {
                if (form.type().equals("submit")) {
                    config = config.apply(form, settings.maxItemsLimit());
                }
            } catch (NodeConfig.UnsupportedAccessModel e) {
                return error(iq, StanzaError.Condition.NOT_ACCEPTABLE, "unsupported-access-model");
            } catch (IllegalArgumentException e) {
                return reply(iq, StanzaError.of(StanzaError.Condition.NOT_ACCEPTABLE, e.getMessage()), null, null);
            }
        }
        NodeConfig c = config;
        return Effect().persist(new NodeEvent.Created(s.generation() + 1, from.bare().toString(), c, settings.partitions()))
                .thenRun(ns -> {
                    directory.listed(node, c.title());
                    send(Stanzas.iqResult(iq, XmlElement.builder("pubsub", PubSub.NAMESPACE)
                            .child(XmlElement.builder("create", PubSub.NAMESPACE).attr("node", node).build()).build()));
                });
    }

    /** Section 6.1: the access model decides; the subscriber's partition records it and answers. */
    private Effect<NodeEvent, NodeState> subscribe(NodeState s, XmlElement iq, Jid from, XmlElement action) {
        String jid = action.attr("jid");
        if (jid == null) {
            return error(iq, StanzaError.Condition.BAD_REQUEST, "jid-required");
        }
        Jid subscriber = Jid.tryParse(jid).orElse(null);
        if (subscriber == null || !subscriber.bare().equals(from.bare())) {
            return error(iq, StanzaError.Condition.BAD_REQUEST, "invalid-jid");
        }
        String bare = from.bare().toString();
        String affiliation = s.affiliation(bare);
        if (affiliation.equals("outcast")) {
            return error(iq, StanzaError.Condition.FORBIDDEN, null);
        }
        boolean privileged = !affiliation.equals("none");
        String state = "subscribed";
        switch (s.config().accessModel()) {
            case "whitelist" -> {
                if (!privileged) {
                    return reply(iq, new StanzaError(StanzaError.Type.CANCEL, StanzaError.Condition.NOT_ALLOWED, null), "closed-node", null);
                }
            }
            case "authorize" -> state = privileged ? "subscribed" : "pending";
            default -> {
            }
        }
        XmlElement last = null;
        if ("on_sub".equals(s.config().sendLastPublishedItem()) && !s.items().isEmpty()) {
            NodeState.Item item = s.items().get(s.items().size() - 1);
            last = notification(s, XmlElement.builder("items", PubSub.EVENT).attr("node", node).child(eventItem(s, item)).build());
        }
        List<String> owners = s.affiliations().entrySet().stream().filter(e -> e.getValue().equals("owner")).map(Map.Entry::getKey)
                .sorted().toList();
        partition(s, subscriber.toString()).tell(new PartitionEntity.Subscribe(s.generation(), node, subscriber.toString(), state, iq,
                last, owners, null));
        return Effect().none();
    }

    /** Section 6.2: only for oneself; the partition answers (not-subscribed when there is none). */
    private Effect<NodeEvent, NodeState> unsubscribe(NodeState s, XmlElement iq, Jid from, XmlElement action) {
        Jid subscriber = Jid.tryParse(action.attr("jid")).orElse(null);
        if (subscriber == null) {
            return error(iq, StanzaError.Condition.BAD_REQUEST, "jid-required");
        }
        if (!subscriber.bare().equals(from.bare())) {
            return error(iq, StanzaError.Condition.FORBIDDEN, null);
        }
        if (action.attr("subid") != null) {
            // one subscription per JID: no subscription ids are issued, so none is valid (section 6.2.3.5)
            return error(iq, StanzaError.Condition.NOT_ACCEPTABLE, "invalid-subid");
        }
        partition(s, subscriber.toString()).tell(new PartitionEntity.Unsubscribe(s.generation(), node, subscriber.toString(), iq));
        return Effect().none();
    }

    /** Section 5.6, for this node: the requester's own subscriptions, from its partition. */
    private Effect<NodeEvent, NodeState> ownSubscriptions(NodeState s, XmlElement iq, String bare) {
        subscriptionsOf(s, bare).whenComplete((subs, err) -> {
            if (err != null) {
                send(Stanzas.errorReply(iq, StanzaError.of(StanzaError.Condition.INTERNAL_SERVER_ERROR)));
                return;
            }
            XmlElement.Builder list = XmlElement.builder("subscriptions", PubSub.NAMESPACE).attr("node", node);
            subs.forEach((jid, state) -> list.child(PartitionEntity.subscription(PubSub.NAMESPACE, node, jid, state)));
            send(Stanzas.iqResult(iq, XmlElement.builder("pubsub", PubSub.NAMESPACE).child(list.build()).build()));
        });
        return Effect().none();
    }

    /** Section 5.7, for this node: the requester's own affiliation. */
    private Effect<NodeEvent, NodeState> ownAffiliation(NodeState s, XmlElement iq, String bare) {
        XmlElement.Builder list = XmlElement.builder("affiliations", PubSub.NAMESPACE);
        String a = s.affiliation(bare);
        if (!a.equals("none")) {
            list.child(XmlElement.builder("affiliation", PubSub.NAMESPACE).attr("node", node).attr("affiliation", a).build());
        }
        return result(iq, XmlElement.builder("pubsub", PubSub.NAMESPACE).child(list.build()).build());
    }

    /** Section 8.6: an owner's answer to an approval request, a submitted form in a message. */
    private Effect<NodeEvent, NodeState> approval(NodeState s, XmlElement message, Jid from) {
        XmlElement x = message.child(DataForm.ELEMENT, DataForm.NAMESPACE);
        DataForm form = x == null ? null : DataForm.fromElement(x).orElse(null);
        if (form == null || !PubSub.SUBSCRIBE_AUTHORIZATION.equals(form.formType()) || !form.type().equals("submit")) {
            return Effect().none(); // a cancelled form leaves the subscription pending
        }
        if (!s.exists() || !"owner".equals(s.affiliation(from.bare().toString()))) {
            if (!Stanzas.isError(message)) {
                send(Stanzas.errorReply(message, StanzaError.of(s.exists() ? StanzaError.Condition.FORBIDDEN
                        : StanzaError.Condition.ITEM_NOT_FOUND)));
            }
            return Effect().none();
        }
        String jid = form.field("pubsub#subscriber_jid").map(DataForm.Field::value).orElse(null);
        String allow = form.field("pubsub#allow").map(DataForm.Field::value).orElse("");
        if (jid == null || Jid.tryParse(jid).isEmpty()) {
            send(Stanzas.errorReply(message, StanzaError.of(StanzaError.Condition.BAD_REQUEST)));
            return Effect().none();
        }
        boolean yes = allow.equals("1") || allow.equals("true");
        partition(s, jid).tell(new PartitionEntity.SetSubscription(s.generation(), node, jid, yes ? "subscribed" : "none", true, null));
        return Effect().none();
    }

    // ---------------------------------------------------------------- disco

    private XmlElement discoInfo(NodeState s) {
        DataForm meta = new DataForm("result", List.of(
                DataForm.Field.of(DataForm.FORM_TYPE, "hidden", PubSub.META_DATA),
                DataForm.Field.of("pubsub#title", "text-single", s.config().title()),
                DataForm.Field.of("pubsub#access_model", "list-single", s.config().accessModel()),
                DataForm.Field.of("pubsub#publish_model", "list-single", s.config().publishModel()),
                new DataForm.Field("pubsub#owner", "jid-multi", s.affiliations().entrySet().stream()
                        .filter(e -> e.getValue().equals("owner")).map(Map.Entry::getKey).sorted().toList(), null)));
        return XmlElement.builder("query", DISCO_INFO).attr("node", node)
                .child(XmlElement.builder("identity", DISCO_INFO).attr("category", "pubsub").attr("type", "leaf").build())
                .child(XmlElement.builder("feature", DISCO_INFO).attr("var", PubSub.NAMESPACE).build())
                .child(meta.toElement()).build();
    }

    /** Section 5.5: the item ids, to those who may retrieve items without asking a partition. */
    private XmlElement discoItems(NodeState s, Jid from) {
        XmlElement.Builder q = XmlElement.builder("query", DISCO_ITEMS).attr("node", node);
        String a = s.affiliation(from.bare().toString());
        if (s.config().accessModel().equals("open") ? !a.equals("outcast") : !a.equals("none") && !a.equals("outcast")) {
            for (NodeState.Item i : s.items()) {
                q.child(XmlElement.builder("item", DISCO_ITEMS).attr("jid", settings.domain()).attr("name", i.id()).build());
            }
        }
        return q.build();
    }

    // ---------------------------------------------------------------- shared with NodePublishing and NodeOwner

    String node() {
        return node;
    }

    PubsubSettings settings() {
        return settings;
    }

    NodeDirectory.Client directory() {
        return directory;
    }

    EntityRef<PartitionEntity.Command> partition(NodeState s, String jid) {
        return sharding.entityRefFor(PartitionEntity.ENTITY_KEY,
                PartitionEntity.entityId(node, PartitionEntity.partitionOf(jid, s.partitions())));
    }

    /** The same command to every partition of the node. */
    void tellAll(NodeState s, LongFunction<PartitionEntity.Command> command) {
        PartitionEntity.Command c = command.apply(s.generation());
        for (int k = 0; k < s.partitions(); k++) {
            sharding.entityRefFor(PartitionEntity.ENTITY_KEY, PartitionEntity.entityId(node, k)).tell(c);
        }
    }

    /** The subscriptions of {@code bare} (any resource) to this node. */
    CompletionStage<Map<String, String>> subscriptionsOf(NodeState s, String bare) {
        long g = s.generation();
        return partition(s, bare).<PartitionEntity.Subscriptions>ask(r -> new PartitionEntity.Query(g, bare, r), ASK)
                .thenApply(PartitionEntity.Subscriptions::subscriptions);
    }

    /** Every subscription to this node, gathered from all partitions. */
    CompletionStage<List<Map.Entry<String, String>>> allSubscriptions(NodeState s) {
        List<CompletableFuture<PartitionEntity.Subscriptions>> asks = new ArrayList<>();
        long g = s.generation();
        for (int k = 0; k < s.partitions(); k++) {
            asks.add(sharding.entityRefFor(PartitionEntity.ENTITY_KEY, PartitionEntity.entityId(node, k))
                    .<PartitionEntity.Subscriptions>ask(r -> new PartitionEntity.Query(g, null, r), ASK).toCompletableFuture());
        }
        return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<Map.Entry<String, String>> all = new ArrayList<>();
            asks.forEach(a -> all.addAll(a.join().subscriptions().entrySet()));
            all.sort(Map.Entry.comparingByKey());
            return all;
        });
    }

    /** An event message from the service (section 7.1.2.1) carrying {@code child} in its event element, without 'to'. */
    XmlElement notification(NodeState s, XmlElement child) {
        return XmlElement.builder("message", "jabber:client").attr("from", settings.domain())
                .attr("type", s.config().notificationType()).attr("id", newId())
                .child(XmlElement.builder("event", PubSub.EVENT).child(child).build()).build();
    }

    /** An item as a notification carries it: with its payload when deliver_payloads is on. */
    XmlElement eventItem(NodeState s, NodeState.Item item) {
        XmlElement.Builder b = XmlElement.builder("item", PubSub.EVENT).attr("id", item.id());
        if (s.config().deliverPayloads() && item.payload() != null) {
            b.child(item.payload());
        }
        return b.build();
    }

    void send(XmlElement stanza) {
        router.route(stanza);
    }

    Effect<NodeEvent, NodeState> result(XmlElement iq, XmlElement payload) {
        send(Stanzas.iqResult(iq, payload));
        return Effect().none();
    }

    Effect<NodeEvent, NodeState> error(XmlElement iq, StanzaError.Condition condition, String app) {
        send(PubSub.error(iq, condition, app));
        return Effect().none();
    }

    Effect<NodeEvent, NodeState> reply(XmlElement iq, StanzaError error, String app, String feature) {
        send(PubSub.error(iq, error, app, feature));
        return Effect().none();
    }

    Effect<NodeEvent, NodeState> unsupported(XmlElement iq, String feature) {
        send(PubSub.unsupported(iq, feature));
        return Effect().none();
    }

    Effect<NodeEvent, NodeState> none() {
        return Effect().none();
    }

    org.apache.pekko.persistence.typed.javadsl.EffectFactories<NodeEvent, NodeState> effects() {
        return Effect();
    }
}
