package org.kaiku.engine.routing;

import java.util.Objects;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.kaiku.engine.user.UserEntity;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes stanzas by their 'to' address (RFC 6120 section 10): the server's own domain goes to
 * the server handler, a local account to its {@link UserEntity} through Cluster Sharding (on
 * whichever node hosts it), a component's domain to the component connected for it (XEP-0114;
 * service-unavailable while none is), and any other domain is answered with
 * remote-server-not-found, as this server has no server-to-server links yet. An unparsable 'to' is answered with
 * jid-malformed. Errors are never answered with errors (section 8.3.1): they are dropped.
 * Thread-safe: it holds only immutable fields.
 */
public final class Router implements StanzaRouter {
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    private final ClusterSharding sharding;
    private final String domain;
    private final Consumer<XmlElement> serverHandler;
    private final ComponentRoutes components;

    /** A router without components. */
    public Router(ActorSystem<?> system, String domain, Consumer<XmlElement> serverHandler) {
        this(system, domain, serverHandler, ComponentRoutes.NONE);
    }

    /**
     * @param domain        the XMPP domain served here; prepared per RFC 7622 before comparing
     * @param serverHandler receives stanzas addressed to the domain itself (or domain/resource)
     * @param components    the external components' domains and connections
     */
    public Router(ActorSystem<?> system, String domain, Consumer<XmlElement> serverHandler, ComponentRoutes components) {
        this.sharding = ClusterSharding.get(system);
        this.domain = Jid.ofDomain(domain).domain();
        this.serverHandler = Objects.requireNonNull(serverHandler, "serverHandler");
        this.components = Objects.requireNonNull(components, "components");
    }

    public String domain() {
        return domain;
    }

    @Override
    public void route(XmlElement stanza) {
        String to = Stanzas.to(stanza);
        if (to == null) {
            LOG.error("stanza without 'to' handed to the router, dropped: {}", stanza);
            return;
        }
        Jid target = Jid.tryParse(to).orElse(null);
        if (target == null) {
            bounce(stanza, StanzaError.Condition.JID_MALFORMED, domain);
            return;
        }
        route(stanza, target);
    }

    /**
     * Routes a stanza whose 'to' the caller has already parsed (a client session does, to
     * check it): the address is not prepared a second time on the message path.
     */
    public void route(XmlElement stanza, Jid target) {
        route(stanza, target, null);
    }

    /** Whether {@code target} is an account of this domain, whose entity can answer a receipt. */
    public boolean isLocalAccount(Jid target) {
        return target.local() != null && target.domain().equals(domain);
    }

    /**
     * As {@link #route(XmlElement, Jid)}, for a client session that counts the stanza handled
     * (XEP-0198) only once the recipient's entity stored it: the entity answers {@code receipt}
     * (see {@link UserEntity.Receipt}). Only for targets {@link #isLocalAccount}; the receipt is
     * ignored for any other.
     */
    public void route(XmlElement stanza, Jid target, UserEntity.Receipt receipt) {
        String to = Stanzas.to(stanza);
        if (!target.domain().equals(domain)) {
            if (!components.serves(target.domain())) {
                bounce(stanza, StanzaError.Condition.REMOTE_SERVER_NOT_FOUND, target.toString());
            } else if (!components.deliver(target.domain(), stanza)) {
                bounce(stanza, StanzaError.Condition.SERVICE_UNAVAILABLE, target.toString());
            }
            return;
        }
        XmlElement canonical = to.equals(target.toString()) ? stanza : stanza.withAttr("to", target.toString());
        if (target.local() == null) {
            serverHandler.accept(canonical);
        } else {
            user(target).tell(new UserEntity.Deliver(canonical, receipt));
        }
    }

    /**
     * The entity of a local account (any resource is ignored), for Bind, Unbind and FromClient.
     *
     * @throws IllegalArgumentException for an address without a localpart (the server itself)
     */
    public EntityRef<UserEntity.Command> user(Jid jid) {
        if (jid.local() == null) {
            throw new IllegalArgumentException("not an account address: " + jid);
        }
        // local@domain of an already prepared JID: bare() would run PRECIS again on every message
        return sharding.entityRefFor(UserEntity.ENTITY_KEY, jid.local() + "@" + jid.domain());
    }

    /** Sends a command to a local account's entity. */
    public void deliverToUser(Jid bare, UserEntity.Command command) {
        user(bare).tell(command);
    }

    /** The error reply goes back through {@link #route}, so a local sender gets it like any stanza. */
    private void bounce(XmlElement stanza, StanzaError.Condition condition, String errorFrom) {
        if (Stanzas.isError(stanza) || Stanzas.from(stanza) == null) {
            LOG.debug("undeliverable stanza dropped ({}): {}", condition.elementName(), stanza);
            return;
        }
        route(Stanzas.errorReply(stanza, StanzaError.of(condition)).withAttr("from", errorFrom));
    }
}
