package org.kaiku.engine.pubsub;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.kaiku.engine.serialization.CborSerializable;
import org.kaiku.protocol.xml.XmlElement;

/**
 * What a node entity keeps: whether it exists, its incarnation, configuration, affiliations (bare
 * JID to owner/publisher/member/outcast; "none" is never kept), its persistent items oldest
 * first (at most max_items), and how many subscription partitions it has. Subscriptions are not
 * here but in the {@link PartitionEntity}s.
 */
public record NodeState(boolean exists, long generation, NodeConfig config, Map<String, String> affiliations, List<Item> items,
                        int partitions) implements CborSerializable {

    public NodeState {
        affiliations = affiliations == null ? Map.of() : Map.copyOf(affiliations);
        items = items == null ? List.of() : List.copyOf(items);
    }

    /** One published item: its id, the bare JID of its publisher and its payload (null for none). */
    public record Item(String id, String publisher, XmlElement payload) implements CborSerializable {
    }

    public static NodeState empty() {
        return new NodeState(false, 0, null, Map.of(), List.of(), 0);
    }

    public String affiliation(String bareJid) {
        return affiliations.getOrDefault(bareJid, "none");
    }

    public Item item(String id) {
        return items.stream().filter(i -> i.id().equals(id)).findFirst().orElse(null);
    }

    public long owners() {
        return affiliations.values().stream().filter("owner"::equals).count();
    }

    public NodeState apply(NodeEvent event) {
        if (event instanceof NodeEvent.Created c) {
            return new NodeState(true, c.generation(), c.config(), Map.of(c.owner(), "owner"), List.of(), c.partitions());
        } else if (event instanceof NodeEvent.Configured c) {
            List<Item> kept = items.size() > c.config().maxItems() ? items.subList(items.size() - c.config().maxItems(), items.size())
                    : items;
            return new NodeState(exists, generation, c.config(), affiliations, c.config().persistItems() ? kept : List.of(), partitions);
        } else if (event instanceof NodeEvent.AffiliationChanged c) {
            Map<String, String> a = new HashMap<>(affiliations);
            if ("none".equals(c.affiliation())) {
                a.remove(c.jid());
            } else {
                a.put(c.jid(), c.affiliation());
            }
            return new NodeState(exists, generation, config, a, items, partitions);
        } else if (event instanceof NodeEvent.Published p) {
            List<Item> next = new ArrayList<>(items);
            next.removeIf(i -> i.id().equals(p.itemId()));
            next.add(new Item(p.itemId(), p.publisher(), p.payload()));
            while (next.size() > config.maxItems()) {
                next.remove(0);
            }
            return new NodeState(exists, generation, config, affiliations, next, partitions);
        } else if (event instanceof NodeEvent.Retracted r) {
            List<Item> next = new ArrayList<>(items);
            next.removeIf(i -> i.id().equals(r.itemId()));
            return new NodeState(exists, generation, config, affiliations, next, partitions);
        } else if (event instanceof NodeEvent.Purged) {
            return new NodeState(exists, generation, config, affiliations, List.of(), partitions);
        } else if (event instanceof NodeEvent.Deleted) {
            return new NodeState(false, generation, null, Map.of(), List.of(), 0);
        }
        return this;
    }
}
