package org.kaiku.engine.pubsub;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.kaiku.protocol.ext.pubsub.PubSub;
import org.kaiku.protocol.ext.xdata.DataForm;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The owner's requests on a {@link NodeEntity} (XEP-0060 section 8, namespace pubsub#owner; the
 * caller checked the requester is an owner): configure (8.2), delete (8.4), purge (8.5), manage
 * subscriptions (8.8) and affiliations (8.9).
 */
final class NodeOwner {
    private static final Set<String> AFFILIATIONS = Set.of("owner", "publisher", "member", "none", "outcast");
    private static final Set<String> SUBSCRIPTIONS = Set.of("subscribed", "pending", "none");

    private NodeOwner() {
    }

    static Effect<NodeEvent, NodeState> handle(NodeEntity n, NodeState s, XmlElement iq, boolean set, XmlElement action) {
        return switch ((set ? "set " : "get ") + action.name()) {
            case "get configure" -> n.result(iq, owner(XmlElement.builder("configure", PubSub.OWNER).attr("node", n.node())
                    .child(s.config().form(n.settings().maxItemsLimit()).toElement()).build()));
            case "set configure" -> configure(n, s, iq, action);
            case "set delete" -> delete(n, s, iq);
            case "set purge" -> purge(n, s, iq);
            case "get subscriptions" -> subscriptions(n, s, iq);
            case "set subscriptions" -> setSubscriptions(n, s, iq, action);
            case "get affiliations" -> affiliations(n, s, iq);
            case "set affiliations" -> setAffiliations(n, s, iq, action);
            default -> n.error(iq, StanzaError.Condition.BAD_REQUEST, null);
        };
    }

    private static XmlElement owner(XmlElement child) {
        return XmlElement.builder("pubsub", PubSub.OWNER).child(child).build();
    }

    private static Effect<NodeEvent, NodeState> configure(NodeEntity n, NodeState s, XmlElement iq, XmlElement action) {
        XmlElement x = action.child(DataForm.ELEMENT, DataForm.NAMESPACE);
        DataForm form = x == null ? null : DataForm.fromElement(x).orElse(null);
        if (form == null) {
            return n.error(iq, StanzaError.Condition.BAD_REQUEST, null);
        }
        if (form.type().equals("cancel")) {
            return n.result(iq, null);
        }
        NodeConfig next;
        try {
            next = s.config().apply(form, n.settings().maxItemsLimit());
        } catch (NodeConfig.UnsupportedAccessModel e) {
            return n.error(iq, StanzaError.Condition.NOT_ACCEPTABLE, "unsupported-access-model");
        } catch (IllegalArgumentException e) {
            return n.reply(iq, StanzaError.of(StanzaError.Condition.NOT_ACCEPTABLE, e.getMessage()), null, null);
        }
        if (next.equals(s.config())) {
            return n.result(iq, null);
        }
        return n.effects().persist(new NodeEvent.Configured(next)).thenRun(ns -> {
            n.directory().listed(n.node(), next.title());
            n.send(Stanzas.iqResult(iq, null));
        });
    }

    /** Section 8.4: written, answered, then every partition tells its subscribers (notify_delete) and clears. */
    private static Effect<NodeEvent, NodeState> delete(NodeEntity n, NodeState s, XmlElement iq) {
        XmlElement event = s.config().notifyDelete()
                ? n.notification(s, XmlElement.builder("delete", PubSub.EVENT).attr("node", n.node()).build()) : null;
        return n.effects().persist(new NodeEvent.Deleted()).thenRun(ns -> {
            n.directory().unlisted(n.node());
            n.send(Stanzas.iqResult(iq, null));
            n.tellAll(s, g -> new PartitionEntity.NodeDeleted(g, event));
        });
    }

    /** Section 8.5: subscribers hear of it when notify_retract is on. */
    private static Effect<NodeEvent, NodeState> purge(NodeEntity n, NodeState s, XmlElement iq) {
        if (!s.config().persistItems()) {
            return n.unsupported(iq, "persistent-items");
        }
        XmlElement event = n.notification(s, XmlElement.builder("purge", PubSub.EVENT).attr("node", n.node()).build());
        return n.effects().persist(new NodeEvent.Purged()).thenRun(ns -> {
            n.send(Stanzas.iqResult(iq, null));
            if (s.config().notifyRetract()) {
                n.tellAll(s, g -> new PartitionEntity.Notify(g, event));
            }
        });
    }

    private static Effect<NodeEvent, NodeState> subscriptions(NodeEntity n, NodeState s, XmlElement iq) {
        n.allSubscriptions(s).whenComplete((all, err) -> {
            if (err != null) {
                n.send(Stanzas.errorReply(iq, StanzaError.of(StanzaError.Condition.INTERNAL_SERVER_ERROR)));
                return;
            }
            XmlElement.Builder list = XmlElement.builder("subscriptions", PubSub.OWNER).attr("node", n.node());
            for (Map.Entry<String, String> e : all) {
                list.child(XmlElement.builder("subscription", PubSub.OWNER).attr("jid", e.getKey())
                        .attr("subscription", e.getValue()).build());
            }
            n.send(Stanzas.iqResult(iq, owner(list.build())));
        });
        return n.none();
    }

    /** Section 8.8.2: each change goes to the subscriber's partition; the owner hears once all are written. */
    private static Effect<NodeEvent, NodeState> setSubscriptions(NodeEntity n, NodeState s, XmlElement iq, XmlElement action) {
        Map<String, String> changes = new LinkedHashMap<>();
        for (XmlElement e : action.elements("subscription", PubSub.OWNER)) {
            Jid jid = Jid.tryParse(e.attr("jid")).orElse(null);
            String state = e.attr("subscription");
            if (jid == null || state == null || !SUBSCRIPTIONS.contains(state)) {
                return n.error(iq, StanzaError.Condition.NOT_ACCEPTABLE, null);
            }
            changes.put(jid.toString(), state);
        }
        List<CompletableFuture<Done>> acks = new ArrayList<>();
        changes.forEach((jid, state) -> acks.add(n.partition(s, jid).<Done>ask(r -> new PartitionEntity.SetSubscription(
                s.generation(), n.node(), jid, state, false, r), java.time.Duration.ofSeconds(10)).toCompletableFuture()));
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).whenComplete((v, err) -> n.send(err != null
                ? Stanzas.errorReply(iq, StanzaError.of(StanzaError.Condition.INTERNAL_SERVER_ERROR)) : Stanzas.iqResult(iq, null)));
        return n.none();
    }

    private static Effect<NodeEvent, NodeState> affiliations(NodeEntity n, NodeState s, XmlElement iq) {
        XmlElement.Builder list = XmlElement.builder("affiliations", PubSub.OWNER).attr("node", n.node());
        s.affiliations().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> list.child(
                XmlElement.builder("affiliation", PubSub.OWNER).attr("jid", e.getKey()).attr("affiliation", e.getValue()).build()));
        return n.result(iq, owner(list.build()));
    }

    /**
     * Section 8.9.2: all changes or none; a change that would leave the node without an owner is
     * not-acceptable. An outcast's subscriptions end (section 4.1).
     */
    private static Effect<NodeEvent, NodeState> setAffiliations(NodeEntity n, NodeState s, XmlElement iq, XmlElement action) {
        Map<String, String> next = new HashMap<>(s.affiliations());
        List<NodeEvent> events = new ArrayList<>();
        List<String> outcasts = new ArrayList<>();
        for (XmlElement e : action.elements("affiliation", PubSub.OWNER)) {
            Jid jid = Jid.tryParse(e.attr("jid")).orElse(null);
            String a = e.attr("affiliation");
            if (jid == null || a == null || !AFFILIATIONS.contains(a)) {
                return n.error(iq, StanzaError.Condition.NOT_ACCEPTABLE, null);
            }
            String bare = jid.bare().toString();
            if (!a.equals(next.getOrDefault(bare, "none"))) {
                events.add(new NodeEvent.AffiliationChanged(bare, a));
                if (a.equals("none")) {
                    next.remove(bare);
                } else {
                    next.put(bare, a);
                }
                if (a.equals("outcast")) {
                    outcasts.add(bare);
                }
            }
        }
        if (!next.containsValue("owner")) {
            return n.reply(iq, StanzaError.of(StanzaError.Condition.NOT_ACCEPTABLE, "a node keeps at least one owner"), null, null);
        }
        if (events.isEmpty()) {
            return n.result(iq, null);
        }
        return n.effects().persist(events).thenRun(ns -> {
            n.send(Stanzas.iqResult(iq, null));
            for (String bare : outcasts) {
                n.partition(s, bare).tell(new PartitionEntity.DropBare(s.generation(), bare));
            }
        });
    }
}
