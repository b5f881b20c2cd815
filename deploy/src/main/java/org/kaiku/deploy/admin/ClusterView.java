package org.kaiku.deploy.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.kaiku.engine.user.SessionRegistry;
import org.kaiku.engine.user.UserEntity;

/**
 * What this node knows of its cluster, for {@code GET /status} and {@code kaiku status}: each
 * member with its state (joining, up, leaving, down...), roles and reachability as seen from here,
 * the leader; per member the shards and entities of every sharded entity type (Cluster
 * Sharding's {@code GetClusterShardingStats}, asked of every region of each type started here,
 * with a timeout; a region that does not answer in time is left out and {@code sharding_complete}
 * is false), and the accounts with a client session bound there (the {@link SessionRegistry}
 * sets in Distributed Data: this node's replica, so another node's count lags by the gossip
 * interval, about 2 s).
 *
 * <pre>
 * {"self":"pekko://kaiku@127.0.0.1:2552","leader":"pekko://kaiku@127.0.0.1:2552",
 *  "members":[{"address":"...","status":"Up","roles":["dc-default"],"reachable":true,"self":true,
 *              "account_shards":3,"account_entities":5,"accounts_online":4,
 *              "sharding":{"user":{"shards":3,"entities":5},"muc-room":{"shards":1,"entities":1}}}, ...],
 *  "sharding_complete":true}
 * </pre>
 * {@code account_shards}/{@code account_entities} repeat {@code sharding.user}.
 */
public final class ClusterView {
    private final ActorSystem<?> system;
    private final Duration timeout;

    public ClusterView(ActorSystem<?> system, Duration timeout) {
        this.system = system;
        this.timeout = timeout;
    }

    /** The members and, per member, its shards, entities and online accounts; blocks up to the timeout. */
    public ObjectNode toJson() {
        Cluster cluster = Cluster.get(system);
        ClusterEvent.CurrentClusterState state = cluster.state();
        Address self = cluster.selfMember().address();
        long up = countUp(state);
        Map<String, CompletableFuture<ShardRegion.ClusterShardingStats>> asked = new TreeMap<>();
        for (String type : new TreeSet<>(org.apache.pekko.cluster.sharding.ClusterSharding.get(Adapter.toClassic(system)).getShardTypeNames())) {
            asked.put(type, AskPattern.<ClusterShardingQuery, ShardRegion.ClusterShardingStats>ask(ClusterSharding.get(system).shardState(),
                            reply -> new GetClusterShardingStats(EntityTypeKey.create(Object.class, type), timeout, reply),
                            timeout.plusSeconds(1), system.scheduler())
                    .toCompletableFuture());
        }
        Map<Member, CompletableFuture<Set<String>>> online = new HashMap<>();
        for (Member m : state.getMembers()) {
            online.put(m, SessionRegistry.accountsOn(system, m.uniqueAddress().longUid(), timeout).toCompletableFuture());
        }
        boolean complete = asked.containsKey(UserEntity.ENTITY_KEY.name());
        Map<String, Map<Address, ShardRegion.ShardRegionStats>> regions = new TreeMap<>();
        for (Map.Entry<String, CompletableFuture<ShardRegion.ClusterShardingStats>> e : asked.entrySet()) {
            try {
                Map<Address, ShardRegion.ShardRegionStats> byNode = e.getValue().get(timeout.toMillis() + 2000, TimeUnit.MILLISECONDS).getRegions();
                regions.put(e.getKey(), byNode);
                complete &= byNode.size() >= up;
            } catch (Exception failed) {
                complete = false;
            }
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
            ObjectNode sharding = AdminServer.JSON.createObjectNode();
            for (Map.Entry<String, Map<Address, ShardRegion.ShardRegionStats>> e : regions.entrySet()) {
                ShardRegion.ShardRegionStats region = e.getValue().get(m.address());
                if (region != null) {
                    int entities = region.getStats().values().stream().mapToInt(v -> ((Number) v).intValue()).sum();
                    sharding.putObject(e.getKey()).put("shards", region.getStats().size()).put("entities", entities);
                    if (e.getKey().equals(UserEntity.ENTITY_KEY.name())) {
                        node.put("account_shards", region.getStats().size()).put("account_entities", entities);
                    }
                }
            }
            try {
                node.put("accounts_online", online.get(m).get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS).size());
            } catch (Exception e) {
                // left out: the replicator did not answer
            }
            node.set("sharding", sharding);
        }
        json.put("sharding_complete", complete);
        return json;
    }

    private static long countUp(ClusterEvent.CurrentClusterState state) {
        return StreamSupport.stream(state.getMembers().spliterator(), false)
                .filter(m -> m.status() == org.apache.pekko.cluster.MemberStatus.up()).count();
    }
}
