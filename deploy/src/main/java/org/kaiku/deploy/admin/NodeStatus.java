package org.kaiku.deploy.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.kaiku.engine.storage.StorageHealth;

/**
 * The answer of {@code GET /status} ({@code kaiku status}): how long the node has run, how many
 * client connections it holds, and what it knows of its storage ({@link StorageHealth}): up or
 * down, since when, the last error, how it retries; and the archive writes waiting for a retry
 * or given up.
 *
 * <pre>
 * {"started_at":"...","uptime_seconds":12,"connections":2,
 *  "storage":{"state":"down","down_since":"...","down_seconds":4,"last_error":"...","last_error_at":"...",
 *             "failed_probes":4,"failed_writes":31,"retry_every_ms":1000},
 *  "archive":{"pending_retries":20,"lost":0},
 *  "cluster":{...}}
 * </pre>
 * The {@code connections} are this node's client sessions (each stays on the node that accepted
 * it); {@code cluster} is {@link ClusterView}: members, their state and roles, and the account
 * shards and entities on each.
 */
public final class NodeStatus {
    private final Instant startedAt;
    private final Clock clock;
    private final IntSupplier connections;
    private final StorageHealth health;
    private final LongSupplier archivePending;
    private final LongSupplier archiveLost;
    private final Supplier<ObjectNode> cluster;

    public NodeStatus(Instant startedAt, Clock clock, IntSupplier connections, StorageHealth health,
                      LongSupplier archivePending, LongSupplier archiveLost) {
        this(startedAt, clock, connections, health, archivePending, archiveLost, null);
    }

    /** As above, with the node's view of its cluster ({@link ClusterView}; null: none). */
    public NodeStatus(Instant startedAt, Clock clock, IntSupplier connections, StorageHealth health,
                      LongSupplier archivePending, LongSupplier archiveLost, Supplier<ObjectNode> cluster) {
        this.cluster = cluster;
        this.startedAt = startedAt;
        this.clock = clock;
        this.connections = connections;
        this.health = health;
        this.archivePending = archivePending;
        this.archiveLost = archiveLost;
    }

    /** Nothing but uptime (an admin endpoint without an engine, in tests). */
    public static NodeStatus minimal() {
        return new NodeStatus(Instant.now(), Clock.systemUTC(), () -> 0, StorageHealth.untracked(), () -> 0, () -> 0);
    }

    public ObjectNode toJson() {
        Instant now = clock.instant();
        ObjectNode node = AdminServer.JSON.createObjectNode()
                .put("started_at", startedAt.toString())
                .put("uptime_seconds", Duration.between(startedAt, now).toSeconds())
                .put("connections", connections.getAsInt());
        StorageHealth.Snapshot s = health.snapshot();
        ObjectNode storage = node.putObject("storage").put("state", s.up() ? "up" : "down");
        if (s.downSince() != null) {
            storage.put("down_since", s.downSince().toString())
                    .put("down_seconds", Duration.between(s.downSince(), now).toSeconds());
        }
        if (s.lastError() != null) {
            storage.put("last_error", s.lastError()).put("last_error_at", String.valueOf(s.lastErrorAt()));
        }
        storage.put("failed_probes", s.failedProbes()).put("failed_writes", s.failedWrites())
                .put("retry_every_ms", s.retryEvery().toMillis());
        node.putObject("archive").put("pending_retries", archivePending.getAsLong()).put("lost", archiveLost.getAsLong());
        if (cluster != null) {
            node.set("cluster", cluster.get());
        }
        return node;
    }
}
