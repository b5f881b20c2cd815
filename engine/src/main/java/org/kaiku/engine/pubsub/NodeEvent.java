package org.kaiku.engine.pubsub;

import org.kaiku.engine.serialization.CborSerializable;
import org.kaiku.protocol.xml.XmlElement;

/** What a pubsub node journals (see {@link NodeEntity} for when each is written). */
public sealed interface NodeEvent extends CborSerializable {

    /**
     * The node was created by {@code owner} (XEP-0060 section 8.1). {@code generation} counts the
     * node's incarnations under this id, so its partitions can tell a re-created node's commands
     * from stale ones of a deleted one; {@code partitions} is fixed for the node's life.
     */
    record Created(long generation, String owner, NodeConfig config, int partitions) implements NodeEvent {
    }

    /** An owner submitted the configuration form (section 8.2). */
    record Configured(NodeConfig config) implements NodeEvent {
    }

    /** A bare JID's affiliation changed (section 8.9); "none" removes it. */
    record AffiliationChanged(String jid, String affiliation) implements NodeEvent {
    }

    /** An item was published (section 7.1); one with the same id is replaced. */
    record Published(String itemId, String publisher, XmlElement payload) implements NodeEvent {
    }

    /** An item was retracted (section 7.2). */
    record Retracted(String itemId) implements NodeEvent {
    }

    /** The owner purged all items (section 8.5). */
    record Purged() implements NodeEvent {
    }

    /** The owner deleted the node (section 8.4). */
    record Deleted() implements NodeEvent {
    }
}
