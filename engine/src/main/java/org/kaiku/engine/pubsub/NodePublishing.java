package org.kaiku.engine.pubsub;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.kaiku.protocol.ext.pubsub.PubSub;
import org.kaiku.protocol.ext.xdata.DataForm;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The item requests of a {@link NodeEntity}: publish with publish-options (XEP-0060 sections 7.1,
 * 7.1.5), retract (7.2) and retrieve items (6.5), with the error cases of each section. The
 * write and fan-out order is described on {@link NodeEntity}.
 */
final class NodePublishing {
    private static final int MAX_ITEM_ID = 256;

    private NodePublishing() {
    }

    static Effect<NodeEvent, NodeState> publish(NodeEntity n, NodeState s, XmlElement iq, String bare, XmlElement payload,
                                                XmlElement action) {
        String a = s.affiliation(bare);
        boolean may = a.equals("owner") || a.equals("publisher") || s.config().publishModel().equals("open") && !a.equals("outcast");
        if (!may) {
            return n.error(iq, StanzaError.Condition.FORBIDDEN, null);
        }
        XmlElement options = payload.child("publish-options", PubSub.NAMESPACE);
        if (options != null) {
            XmlElement x = options.child(DataForm.ELEMENT, DataForm.NAMESPACE);
            DataForm form = x == null ? null : DataForm.fromElement(x).orElse(null);
            if (form == null || !PubSub.PUBLISH_OPTIONS.equals(form.formType())) {
                return n.error(iq, StanzaError.Condition.BAD_REQUEST, "invalid-options");
            }
            if (!s.config().meets(form, n.settings().maxItemsLimit())) {
                return n.error(iq, StanzaError.Condition.CONFLICT, "precondition-not-met");
            }
        }
        List<XmlElement> items = action.elements("item", PubSub.NAMESPACE);
        if (items.size() > 1 || action.elements().size() != items.size()) {
            return n.error(iq, StanzaError.Condition.BAD_REQUEST, "invalid-payload");
        }
        if (!s.config().persistItems() && !s.config().deliverPayloads()) {
            // section 7.1.3.6: a transient notification-only node takes no item, and its
            // notification carries none (section 4.3's "transient notification")
            if (!items.isEmpty()) {
                return n.error(iq, StanzaError.Condition.BAD_REQUEST, "item-forbidden");
            }
            XmlElement signal = n.notification(s, XmlElement.builder("items", PubSub.EVENT).attr("node", n.node()).build());
            n.send(Stanzas.iqResult(iq, null));
            n.tellAll(s, g -> new PartitionEntity.Notify(g, signal));
            return n.none();
        }
        if (items.isEmpty()) {
            return n.error(iq, StanzaError.Condition.BAD_REQUEST,
                    s.config().persistItems() ? "item-required" : s.config().deliverPayloads() ? "payload-required" : "item-required");
        }
        XmlElement item = items.get(0);
        if (item.elements().size() > 1) {
            return n.error(iq, StanzaError.Condition.BAD_REQUEST, "invalid-payload");
        }
        XmlElement content = item.elements().isEmpty() ? null : item.elements().get(0);
        if (content == null && s.config().deliverPayloads()) {
            return n.error(iq, StanzaError.Condition.BAD_REQUEST, "payload-required");
        }
        if (content != null && content.toXml().getBytes(StandardCharsets.UTF_8).length > n.settings().maxPayloadBytes()) {
            return n.error(iq, StanzaError.Condition.NOT_ACCEPTABLE, "payload-too-big");
        }
        String id = item.attr("id");
        if (id != null && (id.isBlank() || id.length() > MAX_ITEM_ID)) {
            return n.error(iq, StanzaError.Condition.BAD_REQUEST, null);
        }
        String itemId = id == null ? NodeEntity.newId() : id;
        NodeState.Item published = new NodeState.Item(itemId, bare, content);
        XmlElement event = n.notification(s, XmlElement.builder("items", PubSub.EVENT).attr("node", n.node())
                .child(n.eventItem(s, published)).build());
        XmlElement answer = Stanzas.iqResult(iq, XmlElement.builder("pubsub", PubSub.NAMESPACE)
                .child(XmlElement.builder("publish", PubSub.NAMESPACE).attr("node", n.node())
                        .child(XmlElement.builder("item", PubSub.NAMESPACE).attr("id", itemId).build()).build()).build());
        Runnable after = () -> {
            n.send(answer);
            n.tellAll(s, g -> new PartitionEntity.Notify(g, event));
        };
        if (!s.config().persistItems()) {
            after.run();
            return n.none();
        }
        return n.effects().persist(new NodeEvent.Published(itemId, bare, content)).thenRun(ns -> after.run());
    }

    static Effect<NodeEvent, NodeState> retract(NodeEntity n, NodeState s, XmlElement iq, String bare, XmlElement action) {
        List<XmlElement> items = action.elements("item", PubSub.NAMESPACE);
        String id = items.isEmpty() ? null : items.get(0).attr("id");
        if (id == null) {
            return n.error(iq, StanzaError.Condition.BAD_REQUEST, "item-required");
        }
        String a = s.affiliation(bare);
        NodeState.Item item = s.item(id);
        boolean may = a.equals("owner") || a.equals("publisher") || item != null && item.publisher().equals(bare) && !a.equals("outcast");
        if (!may) {
            return n.error(iq, StanzaError.Condition.FORBIDDEN, null);
        }
        if (item == null) {
            return n.error(iq, StanzaError.Condition.ITEM_NOT_FOUND, null);
        }
        String flag = action.attr("notify");
        boolean notify = flag == null ? s.config().notifyRetract() : flag.equals("1") || flag.equals("true");
        XmlElement event = n.notification(s, XmlElement.builder("items", PubSub.EVENT).attr("node", n.node())
                .child(XmlElement.builder("retract", PubSub.EVENT).attr("id", id).build()).build());
        return n.effects().persist(new NodeEvent.Retracted(id)).thenRun(ns -> {
            n.send(Stanzas.iqResult(iq, null));
            if (notify) {
                n.tellAll(s, g -> new PartitionEntity.Notify(g, event));
            }
        });
    }

    /** Section 6.5 with the access model's checks (6.5.9); authorize asks the requester's partition. */
    static Effect<NodeEvent, NodeState> items(NodeEntity n, NodeState s, XmlElement iq, String bare, XmlElement action) {
        String a = s.affiliation(bare);
        if (a.equals("outcast")) {
            return n.error(iq, StanzaError.Condition.FORBIDDEN, null);
        }
        boolean privileged = !a.equals("none");
        String model = s.config().accessModel();
        if (privileged || model.equals("open")) {
            n.send(answerItems(n, s, iq, action));
        } else if (model.equals("whitelist")) {
            return n.reply(iq, new StanzaError(StanzaError.Type.CANCEL, StanzaError.Condition.NOT_ALLOWED, null), "closed-node", null);
        } else {
            n.subscriptionsOf(s, bare).whenComplete((subs, err) -> {
                if (err != null) {
                    n.send(Stanzas.errorReply(iq, StanzaError.of(StanzaError.Condition.INTERNAL_SERVER_ERROR)));
                } else if (subs.containsValue("subscribed")) {
                    n.send(answerItems(n, s, iq, action));
                } else {
                    n.send(PubSub.error(iq, StanzaError.Condition.NOT_AUTHORIZED,
                            subs.containsValue("pending") ? "pending-subscription" : "not-subscribed"));
                }
            });
        }
        return n.none();
    }

    private static XmlElement answerItems(NodeEntity n, NodeState s, XmlElement iq, XmlElement action) {
        if (!s.config().persistItems()) {
            return PubSub.unsupported(iq, "persistent-items");
        }
        List<NodeState.Item> chosen = new ArrayList<>();
        List<XmlElement> wanted = action.elements("item", PubSub.NAMESPACE);
        if (!wanted.isEmpty()) {
            for (XmlElement w : wanted) {
                NodeState.Item i = w.attr("id") == null ? null : s.item(w.attr("id"));
                if (i != null) {
                    chosen.add(i);
                }
            }
            if (chosen.isEmpty()) {
                return PubSub.error(iq, StanzaError.Condition.ITEM_NOT_FOUND, null);
            }
        } else {
            chosen.addAll(s.items());
            String max = action.attr("max_items");
            if (max != null) {
                int m;
                try {
                    m = Integer.parseInt(max);
                } catch (NumberFormatException e) {
                    m = -1;
                }
                if (m < 1) {
                    return PubSub.error(iq, StanzaError.Condition.BAD_REQUEST, null);
                }
                chosen = chosen.subList(Math.max(0, chosen.size() - m), chosen.size());
            }
        }
        XmlElement.Builder list = XmlElement.builder("items", PubSub.NAMESPACE).attr("node", n.node());
        for (NodeState.Item i : chosen) {
            XmlElement.Builder b = XmlElement.builder("item", PubSub.NAMESPACE).attr("id", i.id());
            if (i.payload() != null) {
                b.child(i.payload());
            }
            list.child(b.build());
        }
        return Stanzas.iqResult(iq, XmlElement.builder("pubsub", PubSub.NAMESPACE).child(list.build()).build());
    }
}
