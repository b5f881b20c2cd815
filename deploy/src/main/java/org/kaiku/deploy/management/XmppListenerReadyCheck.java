package org.kaiku.deploy.management;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/**
 * Readiness check {@code kaiku-xmpp-listener} of Pekko Management's {@code /ready}: true once the
 * client listener (RFC 6120 c2s, {@code kaiku.c2s.port}) is bound and until the engine stops it,
 * so that a node is taken out of a Service before it closes its clients' streams on shutdown.
 */
public final class XmppListenerReadyCheck implements Supplier<CompletionStage<Boolean>> {
    private final NodeReadiness readiness;

    public XmppListenerReadyCheck(ActorSystem system) {
        this.readiness = NodeReadiness.get(system);
    }

    @Override
    public CompletionStage<Boolean> get() {
        return CompletableFuture.completedFuture(readiness.listenerBound());
    }
}
