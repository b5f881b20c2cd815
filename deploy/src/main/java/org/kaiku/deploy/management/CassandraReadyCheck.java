package org.kaiku.deploy.management;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/**
 * Readiness check {@code kaiku-cassandra} of Pekko Management's {@code /ready}: true while the
 * node's Cassandra probe (one query a second, see {@code CassandraHealthProbe}) last succeeded.
 * A node whose storage is down still serves its connected clients, but a load balancer should
 * send new ones elsewhere: logins and most work need storage. Answers from memory, no query.
 */
public final class CassandraReadyCheck implements Supplier<CompletionStage<Boolean>> {
    private final NodeReadiness readiness;

    public CassandraReadyCheck(ActorSystem system) {
        this.readiness = NodeReadiness.get(system);
    }

    @Override
    public CompletionStage<Boolean> get() {
        return CompletableFuture.completedFuture(readiness.storageUp());
    }
}
