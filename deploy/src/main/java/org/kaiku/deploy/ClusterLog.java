package org.kaiku.deploy;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the cluster's membership changes at INFO (Pekko's own cluster logging is held to WARN in
 * logback.xml): which nodes joined, became unreachable, reachable again, were downed and removed.
 * One line per change, so an operator can follow a failure or a rolling restart in the log.
 */
final class ClusterLog {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterLog.class);

    private ClusterLog() {
    }

    static void start(ActorSystem<?> system) {
        system.systemActorOf(behavior(), "cluster-log", Props.empty());
    }

    private static Behavior<ClusterEvent.ClusterDomainEvent> behavior() {
        return Behaviors.setup(ctx -> {
            Cluster cluster = Cluster.get(ctx.getSystem());
            cluster.subscriptions().tell(Subscribe.create(ctx.getSelf().<ClusterEvent.MemberEvent>narrow(), ClusterEvent.MemberEvent.class));
            cluster.subscriptions().tell(Subscribe.create(ctx.getSelf().<ClusterEvent.ReachabilityEvent>narrow(), ClusterEvent.ReachabilityEvent.class));
            return Behaviors.receiveMessage(event -> {
                if (event instanceof ClusterEvent.MemberUp e) {
                    LOG.info("cluster: {} is up (roles {})", e.member().address(), e.member().getRoles());
                } else if (event instanceof ClusterEvent.MemberDowned e) {
                    LOG.info("cluster: {} was downed", e.member().address());
                } else if (event instanceof ClusterEvent.MemberRemoved e) {
                    LOG.info("cluster: {} was removed (was {})", e.member().address(), e.previousStatus());
                } else if (event instanceof ClusterEvent.MemberLeft e) {
                    LOG.info("cluster: {} is leaving", e.member().address());
                } else if (event instanceof ClusterEvent.UnreachableMember e) {
                    LOG.warn("cluster: {} is unreachable", e.member().address());
                } else if (event instanceof ClusterEvent.ReachableMember e) {
                    LOG.info("cluster: {} is reachable again", e.member().address());
                }
                return Behaviors.same();
            });
        });
    }
}
