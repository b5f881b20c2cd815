package org.kaiku.deploy.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.kaiku.engine.user.UserEntity;

/**
 * What this node knows of its cluster, for {@code GET /status} and {@code kaiku status}: each
 * member with its state (joining, up, leaving, down...), roles and reachability as seen from here,
 * the leader, and the account shards and entities each node hosts (Cluster Sharding's statistics,
 * asked of every region with a timeout; a region that does not answer in time is left out and
 * {@code sharding_complete} is false).
 *
 * <pre>
 * {"self":"pekko://kaiku@127.0.0.1:2552","leader":"pekko://kaiku@127.0.0.1:2552",
 *  "members":[{"address":"...","status":"Up","roles":["dc-default"],"reachable":true,"self":true,
 *              "account_shards":3,"account_entities":5}, ...],
 *  "sharding_complete":true}
 * </pre>
 */
public final class ClusterView {
    private final ActorSystem<?> system;
    private final Duration timeout;

    public ClusterView(ActorSystem<?> system, Duration timeout) {
        this.system = system;
        this.timeout = timeout;
    }

    /** The members and, per member, the account shards and entities it hosts; blocks up to the timeout. */
    public ObjectNode toJson() {
        Cluster cluster = Cluster.get(system);
        ClusterEvent.CurrentClusterState state = cluster.state();
        Address self = cluster.selfMember().address();
        Map<Address, ShardRegion.ShardRegionStats> regions = new TreeMap<>(Member.addressOrdering());
        boolean complete;
        try {
            ShardRegion.ClusterShardingStats stats = AskPattern.<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery,
                            ShardRegion.ClusterShardingStats>ask(ClusterSharding.get(system).shardState(),
                            reply -> new GetClusterShardingStats(UserEntity.ENTITY_KEY, timeout, reply),
                            timeout.plusSeconds(1), system.scheduler())
                    .toCompletableFuture().get(timeout.toMillis() + 2000, TimeUnit.MILLISECONDS);
            regions.putAll(stats.getRegions());
            complete = stats.getRegions().size() >= countUp(state);
        } catch (Exception e) {
            complete = false;
        }
        ObjectNode json = AdminServer.JSON.createObjectNode().put("self", self.toString());
        Address leader = state.getLeader();
        json.put("leader", leader == null ? null : leader.toString());
        ArrayNode members = json.putArray("members");
        for (Member m : state.getMembers()) {
            ObjectNode node = members.addObject()
                    .put("address", m.address().toString())
                    .put("status", m.status().toString())
                    .put("reachable", !state.getUnreachable().contains(m))
                    .put("self", m.address().equals(self));
            ArrayNode roles = node.putArray("roles");
            m.getRoles().stream().sorted().forEach(roles::add);
            ShardRegion.ShardRegionStats region = regions.get(m.address());
            if (region != null) {
                node.put("account_shards", region.getStats().size())
                        .put("account_entities", region.getStats().values().stream().mapToInt(v -> ((Number) v).intValue()).sum());
            }
        }
        json.put("sharding_complete", complete);
        return json;
    }

    private static long countUp(ClusterEvent.CurrentClusterState state) {
        return StreamSupport.stream(state.getMembers().spliterator(), false)
                .filter(m -> m.status() == org.apache.pekko.cluster.MemberStatus.up()).count();
    }
}
