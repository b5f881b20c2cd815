package org.kaiku.deploy.management;

import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;

/**
 * What Kaiku's readiness checks ({@link CassandraReadyCheck}, {@link XmppListenerReadyCheck}) ask,
 * held by the actor system so that Pekko Management, which builds the checks from their class
 * names, finds the node they belong to. Until {@code KaikuServer} fills it in as the parts start,
 * both answer "not ready": a node whose store or client listener is not there yet takes no
 * traffic.
 */
public final class NodeReadiness implements Extension {
    public static final Id ID = new Id();

    private volatile BooleanSupplier storageUp = () -> false;
    private volatile BooleanSupplier listenerBound = () -> false;

    public static NodeReadiness get(org.apache.pekko.actor.ActorSystem system) {
        return ID.get(system);
    }

    /** Whether Cassandra answered the node's last probe (the stores are connected when this is set). */
    public void storage(BooleanSupplier up) {
        this.storageUp = up;
    }

    /** Whether the XMPP client listener is bound. */
    public void listener(BooleanSupplier bound) {
        this.listenerBound = bound;
    }

    public boolean storageUp() {
        return storageUp.getAsBoolean();
    }

    public boolean listenerBound() {
        return listenerBound.getAsBoolean();
    }

    public static final class Id extends AbstractExtensionId<NodeReadiness> {
        @Override
        public NodeReadiness createExtension(ExtendedActorSystem system) {
            return new NodeReadiness();
        }
    }
}
