package org.kaiku.engine.pubsub;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.kaiku.engine.component.ComponentDirectory;
import org.kaiku.engine.module.Identity;
import org.kaiku.engine.routing.StanzaRouter;
import org.kaiku.protocol.ext.pubsub.PubSub;
import org.kaiku.protocol.ext.xdata.DataForm;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlNode;

/**
 * The Publish-Subscribe service at its own domain (XEP-0060), on every node: a request on a node
 * goes to that node's {@link NodeEntity} through Cluster Sharding (the NodeID of the request's
 * first element is the entity id; an instant node, section 8.1.2, gets a random one here); an
 * owner's approval form (section 8.6) goes to the node it names. The service itself answers
 * disco#info (identity pubsub/service and the features below, section 5.1), disco#items (the
 * nodes, from the {@link NodeDirectory}, section 5.2) and the default node configuration (8.3).
 * Nothing is written here; see the entities for what they write.
 */
public final class PubsubService implements Consumer<XmlElement> {
    /** The pubsub features this service implements (section 10), "http://jabber.org/protocol/pubsub#" + each. */
    static final List<String> FEATURES = List.of("access-authorize", "access-open", "access-whitelist", "config-node",
            "create-and-configure", "create-nodes", "delete-items", "delete-nodes", "instant-nodes", "item-ids", "manage-subscriptions",
            "member-affiliation", "modify-affiliations", "outcast-affiliation", "persistent-items", "publish", "publish-options",
            "publisher-affiliation", "purge-nodes", "retract-items", "retrieve-default", "retrieve-items", "subscribe",
            "subscription-notifications", "last-published");
    private static final int MAX_NODE_ID = 256;

    private final PubsubSettings settings;
    private final ClusterSharding sharding;
    private final NodeDirectory.Client directory;
    private final StanzaRouter replies;

    private PubsubService(PubsubSettings settings, ClusterSharding sharding, NodeDirectory.Client directory, StanzaRouter replies) {
        this.settings = settings;
        this.sharding = sharding;
        this.directory = directory;
        this.replies = replies;
    }

    /** Starts nodes, partitions and the directory on this node and routes the service's domain to them. */
    public static void start(ActorSystem<?> system, PubsubSettings settings, String serverDomain, ComponentDirectory routes,
                             StanzaRouter router) {
        if (!settings.enabled()) {
            return;
        }
        NodeDirectory.Client directory = NodeDirectory.init(system, settings.domain());
        NodeEntity.init(system, settings, serverDomain, router, directory);
        routes.serveLocally(settings.domain(), new PubsubService(settings, ClusterSharding.get(system), directory, router));
    }

    @Override
    public void accept(XmlElement stanza) {
        Jid to = Jid.tryParse(Stanzas.to(stanza)).orElse(null);
        if (to == null || Stanzas.from(stanza) == null) {
            return;
        }
        boolean request = stanza.name().equals("iq") && ("get".equals(stanza.attr("type")) || "set".equals(stanza.attr("type")));
        if (to.local() != null || to.resource() != null) {
            if (request || stanza.name().equals("message") && !Stanzas.isError(stanza)) {
                replies.route(Stanzas.errorReply(stanza, StanzaError.of(StanzaError.Condition.SERVICE_UNAVAILABLE)));
            }
            return;
        }
        if (stanza.name().equals("message")) {
            message(stanza);
            return;
        }
        if (!request) {
            return;
        }
        boolean get = "get".equals(stanza.attr("type"));
        XmlElement payload = stanza.elements().size() == 1 ? stanza.elements().get(0) : null;
        if (payload == null) {
            replies.route(Stanzas.errorReply(stanza, StanzaError.of(StanzaError.Condition.BAD_REQUEST)));
            return;
        }
        if (get && (payload.is("query", NodeEntity.DISCO_INFO) || payload.is("query", NodeEntity.DISCO_ITEMS))) {
            String node = payload.attr("node");
            if (node != null) {
                toNode(node, stanza);
            } else if (payload.is("query", NodeEntity.DISCO_INFO)) {
                replies.route(Stanzas.iqResult(stanza, discoInfo()));
            } else {
                discoItems(stanza);
            }
            return;
        }
        if (get && payload.is("ping", "urn:xmpp:ping")) {
            replies.route(Stanzas.iqResult(stanza, null));
            return;
        }
        if (payload.is("pubsub", PubSub.NAMESPACE) || payload.is("pubsub", PubSub.OWNER)) {
            pubsub(stanza, payload, get);
            return;
        }
        replies.route(Stanzas.errorReply(stanza, StanzaError.of(StanzaError.Condition.SERVICE_UNAVAILABLE)));
    }

    private void pubsub(XmlElement iq, XmlElement payload, boolean get) {
        XmlElement action = payload.elements().isEmpty() ? null : payload.elements().get(0);
        if (action == null) {
            replies.route(Stanzas.errorReply(iq, StanzaError.of(StanzaError.Condition.BAD_REQUEST)));
            return;
        }
        boolean owner = payload.namespace().equals(PubSub.OWNER);
        if (owner && get && action.name().equals("default")) {
            // section 8.3: the configuration a new node gets
            replies.route(Stanzas.iqResult(iq, XmlElement.builder("pubsub", PubSub.OWNER).child(XmlElement.builder("default", PubSub.OWNER)
                    .child(NodeConfig.defaults(settings).form(settings.maxItemsLimit()).toElement()).build()).build()));
            return;
        }
        String node = action.attr("node");
        if (node == null && !owner && !get && action.name().equals("create")) {
            // section 8.1.2: an instant node, named here
            node = NodeEntity.newId();
            List<XmlNode> children = new ArrayList<>(payload.children());
            children.set(children.indexOf(action), action.withAttr("node", node));
            iq = iq.withChildren(List.of(payload.withChildren(children)));
        }
        if (node == null) {
            if (!owner && get && action.name().equals("subscriptions")) {
                replies.route(PubSub.unsupported(iq, "retrieve-subscriptions"));
            } else if (!owner && get && action.name().equals("affiliations")) {
                replies.route(PubSub.unsupported(iq, "retrieve-affiliations"));
            } else {
                replies.route(PubSub.error(iq, StanzaError.Condition.BAD_REQUEST, "nodeid-required"));
            }
            return;
        }
        if (node.isEmpty() || node.length() > MAX_NODE_ID) {
            replies.route(Stanzas.errorReply(iq, StanzaError.of(StanzaError.Condition.NOT_ACCEPTABLE, "NodeIDs are 1.." + MAX_NODE_ID
                    + " characters")));
            return;
        }
        toNode(node, iq);
    }

    /** Section 8.6: an owner's answer to an approval request names its node in the form. */
    private void message(XmlElement m) {
        XmlElement x = m.child(DataForm.ELEMENT, DataForm.NAMESPACE);
        DataForm form = x == null ? null : DataForm.fromElement(x).orElse(null);
        String node = form == null || !PubSub.SUBSCRIBE_AUTHORIZATION.equals(form.formType()) ? null
                : form.field("pubsub#node").map(DataForm.Field::value).orElse(null);
        if (node != null && !node.isEmpty() && node.length() <= MAX_NODE_ID) {
            toNode(node, m);
        } else if (!Stanzas.isError(m) && (form == null || !form.type().equals("cancel"))) {
            replies.route(Stanzas.errorReply(m, StanzaError.of(StanzaError.Condition.SERVICE_UNAVAILABLE)));
        }
    }

    private void toNode(String node, XmlElement stanza) {
        sharding.entityRefFor(NodeEntity.ENTITY_KEY, node).tell(new NodeEntity.Inbound(stanza));
    }

    private XmlElement discoInfo() {
        XmlElement.Builder q = XmlElement.builder("query", NodeEntity.DISCO_INFO)
                .child(new Identity("pubsub", "service", "Publish-Subscribe").toElement(NodeEntity.DISCO_INFO));
        List<String> features = new ArrayList<>(List.of(NodeEntity.DISCO_INFO, NodeEntity.DISCO_ITEMS, PubSub.NAMESPACE, "urn:xmpp:ping"));
        FEATURES.forEach(f -> features.add(PubSub.NAMESPACE + "#" + f));
        for (String f : features) {
            q.child(XmlElement.builder("feature", NodeEntity.DISCO_INFO).attr("var", f).build());
        }
        return q.build();
    }

    private void discoItems(XmlElement iq) {
        directory.list(Duration.ofSeconds(10)).whenComplete((nodes, err) -> {
            if (err != null) {
                replies.route(Stanzas.errorReply(iq, StanzaError.of(StanzaError.Condition.INTERNAL_SERVER_ERROR)));
                return;
            }
            XmlElement.Builder q = XmlElement.builder("query", NodeEntity.DISCO_ITEMS);
            new TreeMap<>(nodes.nodes()).forEach((node, title) -> q.child(XmlElement.builder("item", NodeEntity.DISCO_ITEMS)
                    .attr("jid", settings.domain()).attr("node", node).attr("name", title.isEmpty() ? null : title).build()));
            replies.route(Stanzas.iqResult(iq, q.build()));
        });
    }

    public PubsubSettings settings() {
        return settings;
    }
}
