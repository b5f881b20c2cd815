package org.kaiku.engine.user;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.ddata.ORSet;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.ORSetKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.kaiku.engine.routing.Router;
import org.kaiku.protocol.jid.Jid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which accounts have a client session bound on which node, so that the accounts of a node that
 * crashed are logged out (RFC 6121 section 4.5.2: their contacts receive unavailable presence)
 * even when nothing else is addressed to them.
 *
 * <p>Why it is needed: an account entity watches its bound sessions and logs out a resource whose
 * session died. When the entity itself lived on the crashed node it is gone too, and since
 * account entities are not remembered (see UserEntity) nothing restarts it until a stanza is
 * addressed to the account; until then its contacts would still see it online. So each node keeps
 * its bound accounts in a Distributed Data set of its own (an ORSet keyed by the node's unique
 * address, written locally and spread by gossip, about 2 s), and when a node is removed from the
 * cluster (downed by the Split Brain Resolver) every surviving node sends {@link
 * UserEntity.CheckSessions} to each account in that node's set, repeated until the entity answers:
 * the entity starts on a surviving node, recovers its resources from the journal and logs out
 * those whose sessions lived on a node that is no longer a member. Then the set is cleared.
 *
 * <p>Cost: two set updates per account per node (first session bound, last one gone), not per
 * resource or stanza, held in memory on every node (one entry per connected account) and
 * gossiped as deltas. An account bound in the last gossip interval before the crash may be
 * missed: it is then logged out at its next incoming stanza, as before.
 */
public final class SessionRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(SessionRegistry.class);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration RETRY_EVERY = Duration.ofSeconds(5);
    private static final int ATTEMPTS = 12;

    private final ActorRef<Replicator.Command> replicator;
    private final SelfUniqueAddress self;
    private final Key<ORSet<String>> mine;
    private final ActorRef<Replicator.UpdateResponse<ORSet<String>>> ignore;
    private final ConcurrentHashMap<String, Integer> local = new ConcurrentHashMap<>();

    private SessionRegistry(ActorSystem<?> system) {
        DistributedData dd = DistributedData.get(system);
        this.replicator = dd.replicator();
        this.self = dd.selfUniqueAddress();
        this.mine = key(self.uniqueAddress().longUid());
        this.ignore = system.ignoreRef();
    }

    /** The registry of this node, sweeping the accounts of every node removed from now on. */
    public static SessionRegistry start(ActorSystem<?> system, Router router) {
        SessionRegistry registry = new SessionRegistry(system);
        system.systemActorOf(registry.sweeper(router), "lost-node-sweeper", Props.empty());
        return registry;
    }

    static Key<ORSet<String>> key(long uid) {
        return ORSetKey.create("kaiku-bound-" + uid);
    }

    /** A session of {@code bare} is bound on this node. */
    public void bound(Jid bare) {
        String account = bare.toString();
        local.compute(account, (k, n) -> {
            if (n == null) {
                replicator.tell(new Replicator.Update<>(mine, ORSet.<String>empty(), Replicator.writeLocal(), ignore,
                        set -> set.add(self, account)));
                return 1;
            }
            return n + 1;
        });
    }

    /** A session of {@code bare} that {@link #bound} counted has ended on this node. */
    public void unbound(Jid bare) {
        String account = bare.toString();
        local.computeIfPresent(account, (k, n) -> {
            if (n > 1) {
                return n - 1;
            }
            replicator.tell(new Replicator.Update<>(mine, ORSet.<String>empty(), Replicator.writeLocal(), ignore,
                    set -> set.remove(self, account)));
            return null;
        });
    }

    /** Accounts with a session bound on this node now. */
    public Set<String> localAccounts() {
        return Set.copyOf(local.keySet());
    }

    /**
     * The accounts with a session bound on the node whose unique address has {@code uid}, as this
     * node's replica of that node's set knows them (an operator's view: another node's set lags
     * its changes by the gossip interval, about 2 s). Empty when the node never bound one.
     */
    public static java.util.concurrent.CompletionStage<Set<String>> accountsOn(ActorSystem<?> system, long uid, Duration timeout) {
        ActorRef<Replicator.Command> replicator = DistributedData.get(system).replicator();
        return AskPattern.<Replicator.Command, Replicator.GetResponse<ORSet<String>>>ask(replicator,
                        reply -> new Replicator.Get<>(key(uid), Replicator.readLocal(), reply), timeout, system.scheduler())
                .thenApply(response -> response instanceof Replicator.GetSuccess<ORSet<String>> found
                        ? Set.copyOf(found.dataValue().getElements()) : Set.of());
    }

    private Behavior<ClusterEvent.MemberRemoved> sweeper(Router router) {
        return Behaviors.setup(ctx -> {
            Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(ctx.getSelf(), ClusterEvent.MemberRemoved.class));
            return Behaviors.receiveMessage(removed -> {
                long uid = removed.member().uniqueAddress().longUid();
                if (uid != self.uniqueAddress().longUid()) {
                    sweep(ctx.getSystem(), router, removed.member().address().toString(), key(uid));
                }
                return Behaviors.same();
            });
        });
    }

    /**
     * Asks the account's entity to check its sessions until it answers: right after a removal the
     * shard coordinator may still send the account to the lost node's region, so an unanswered
     * check is repeated (every {@link #RETRY_EVERY}, at most {@link #ATTEMPTS} times).
     */
    private void check(Router router, Jid account, int attempt) {
        router.user(account).<Done>ask(UserEntity.CheckSessions::new, RETRY_EVERY)
                .whenComplete((done, err) -> {
                    if (err == null) {
                        return;
                    }
                    if (attempt < ATTEMPTS) {
                        check(router, account, attempt + 1);
                    } else {
                        LOG.warn("the sessions of {} were not checked after the loss of their node: {}", account, err.toString());
                    }
                });
    }

    private void sweep(ActorSystem<?> system, Router router, String node, Key<ORSet<String>> key) {
        AskPattern.<Replicator.Command, Replicator.GetResponse<ORSet<String>>>ask(replicator,
                        reply -> new Replicator.Get<>(key, Replicator.readLocal(), reply), READ_TIMEOUT, system.scheduler())
                .whenComplete((response, err) -> {
                    if (!(response instanceof Replicator.GetSuccess<ORSet<String>> found)) {
                        return; // NotFound: that node had no session bound (or it never gossiped)
                    }
                    Set<String> accounts = found.dataValue().getElements();
                    LOG.info("node {} was removed: checking the sessions of its {} accounts", node, accounts.size());
                    for (String account : accounts) {
                        Jid.tryParse(account).ifPresent(jid -> check(router, jid, 1));
                    }
                    replicator.tell(new Replicator.Update<>(key, ORSet.<String>empty(), Replicator.writeLocal(), ignore,
                            set -> set.clear(self)));
                });
    }
}
