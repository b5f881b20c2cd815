package org.kaiku.engine.component;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.kaiku.engine.routing.ComponentRoutes;
import org.kaiku.protocol.xml.XmlElement;

/**
 * Where each configured component domain is connected, cluster-wide. A component session
 * registers under its domain's {@link ServiceKey} with the Receptionist once its handshake passed;
 * every node subscribes to the keys of the configured domains and keeps the newest listing in a
 * map the {@link org.kaiku.engine.routing.Router} reads on the message path (no ask, no actor hop
 * to find a route). The Receptionist spreads registrations by gossip, so a component that just
 * connected to another node is reachable from here a moment later; stanzas sent in that moment get
 * service-unavailable, as for a component that is not connected. Sessions of this node are known
 * at once ({@link #claim}), which also makes a second connection for a domain on one node fail. A session that stops is removed
 * from the listing by the Receptionist itself (it watches the registered actor).
 */
public final class ComponentDirectory implements ComponentRoutes {
    private final Set<String> domains;
    private final Map<String, ActorRef<ComponentSession.Command>> connected = new ConcurrentHashMap<>();
    /** Services the server itself runs on domains of their own (the upload service), on every node. */
    private final Map<String, java.util.function.Consumer<XmlElement>> services = new ConcurrentHashMap<>();
    /** Sessions of this node, known at once (the listing reaches even this node a moment later). */
    private final Map<String, ActorRef<ComponentSession.Command>> local = new ConcurrentHashMap<>();

    private ComponentDirectory(Set<String> domains) {
        this.domains = Set.copyOf(domains);
    }

    /** A directory for the configured {@code domains}, subscribed from now on. */
    public static ComponentDirectory start(ActorSystem<?> system, Set<String> domains) {
        ComponentDirectory d = new ComponentDirectory(domains);
        if (!domains.isEmpty()) {
            system.systemActorOf(d.subscriber(), "component-directory", Props.empty());
        }
        return d;
    }

    static ServiceKey<ComponentSession.Command> key(String domain) {
        return ServiceKey.create(ComponentSession.Command.class, "xmpp-component:" + domain);
    }

    private Behavior<Receptionist.Listing> subscriber() {
        return Behaviors.setup(ctx -> {
            for (String domain : domains) {
                ctx.getSystem().receptionist().tell(Receptionist.subscribe(key(domain), ctx.getSelf()));
            }
            return Behaviors.receiveMessage(listing -> {
                String domain = listing.getKey().id().substring("xmpp-component:".length());
                Set<ActorRef<ComponentSession.Command>> refs = listing.getServiceInstances(key(domain));
                if (refs.isEmpty()) {
                    connected.remove(domain);
                } else {
                    connected.put(domain, refs.iterator().next());
                }
                return Behaviors.same();
            });
        });
    }

    /** The session serving {@code domain}: this node's own, else the cluster's as this node last heard. */
    Optional<ActorRef<ComponentSession.Command>> find(String domain) {
        ActorRef<ComponentSession.Command> mine = local.get(domain);
        return Optional.ofNullable(mine != null ? mine : connected.get(domain));
    }

    /**
     * Takes {@code domain} for a session of this node that passed its handshake: false when a
     * session of this node or, as far as this node knows, of another one serves it already. Two
     * nodes that accept the same domain within one gossip round both keep theirs; the router then
     * uses whichever the listing names.
     */
    boolean claim(String domain, ActorRef<ComponentSession.Command> session) {
        if (connected.containsKey(domain)) {
            return false;
        }
        return local.putIfAbsent(domain, session) == null;
    }

    /** The session of this node ended. */
    void release(String domain, ActorRef<ComponentSession.Command> session) {
        local.remove(domain, session);
    }

    /**
     * Routes {@code domain} to a service of this server (every node runs its own copy and
     * registers it here), before and instead of any component.
     */
    public void serveLocally(String domain, java.util.function.Consumer<XmlElement> service) {
        services.put(domain, service);
    }

    @Override
    public boolean serves(String domain) {
        return services.containsKey(domain) || domains.contains(domain);
    }

    @Override
    public boolean deliver(String domain, XmlElement stanza) {
        java.util.function.Consumer<XmlElement> service = services.get(domain);
        if (service != null) {
            service.accept(stanza);
            return true;
        }
        ActorRef<ComponentSession.Command> session = find(domain).orElse(null);
        if (session == null) {
            return false;
        }
        session.tell(new ComponentSession.Deliver(stanza));
        return true;
    }
}
