package org.kaiku.engine.component;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.util.ByteString;
import org.kaiku.engine.routing.Router;
import org.kaiku.engine.serialization.CborSerializable;
import org.kaiku.protocol.component.ComponentProtocol;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.stream.StreamError;
import org.kaiku.protocol.stream.StreamError.Condition;
import org.kaiku.protocol.stream.StreamHeader;
import org.kaiku.protocol.stream.XmlStreamException;
import org.kaiku.protocol.xml.DecoderLimits;
import org.kaiku.protocol.xml.StreamEvent;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlStreamDecoder;
import org.kaiku.protocol.xml.XmlWriter;

/**
 * One external component's connection (XEP-0114 section 3). The component opens a
 * {@code jabber:component:accept} stream to its domain; the server answers with a header carrying a
 * fresh id, checks {@code <handshake/>} against SHA-1(id + secret), answers an empty
 * {@code <handshake/>} and registers the session in the {@link ComponentDirectory}.
 *
 * <p>What ends the stream, with its stream error (RFC 6120 section 4.9.3): a default namespace other
 * than {@code jabber:component:accept} (invalid-namespace); a 'to' that is no configured component
 * (host-unknown); a wrong handshake or anything else before it (not-authorized); a domain already
 * connected, here or on another node (conflict: the first connection keeps it); no handshake
 * within {@code handshake-timeout} (connection-timeout); a stanza whose 'from' is not the
 * component's domain or a JID in it (invalid-from, section 3 asks the server to check), or without
 * 'to' (improper-addressing); anything but message, presence and iq (unsupported-stanza-type);
 * malformed XML or a stanza over the size limit (as for clients). Only that component is cut off.
 *
 * <p>Stanzas cross between the component's namespace and the server's {@code jabber:client} view of
 * them ({@link ComponentProtocol#moveNamespace}); the router takes them as from any local sender.
 * The component is trusted with its domain and nothing more: it cannot speak for users.
 */
public final class ComponentSession extends AbstractBehavior<ComponentSession.Command> {

    /** What reaches a component session, from its connection or from the router of any node. */
    public interface Command {
    }

    /** A stanza for the component, in the server's {@code jabber:client} view. Crosses nodes. */
    public record Deliver(XmlElement stanza) implements Command, CborSerializable {
    }

    record Attached(ActorRef<ComponentListener.Out> out) implements Command {
    }

    record InboundInit(ActorRef<ComponentListener.Ack> ackTo) implements Command {
    }

    record Inbound(ByteString bytes, ActorRef<ComponentListener.Ack> ackTo) implements Command {
    }

    record InboundEnded(Throwable failure) implements Command {
    }

    record Shutdown() implements Command {
    }

    private enum Timeout implements Command { HANDSHAKE }

    private final ComponentSettings settings;
    private final ComponentDirectory directory;
    private final Router router;
    private final XmlStreamDecoder decoder;
    private final String streamId;
    private ActorRef<ComponentListener.Out> out;
    private final java.util.List<ComponentListener.Out> beforeAttach = new java.util.ArrayList<>();
    private String domain;
    private boolean authenticated;
    private boolean headerSent;
    private boolean closing;

    private ComponentSession(ActorContext<Command> ctx, ComponentSettings settings, ComponentDirectory directory,
                             Router router, DecoderLimits limits) {
        super(ctx);
        this.settings = settings;
        this.directory = directory;
        this.router = router;
        this.decoder = new XmlStreamDecoder(limits);
        byte[] id = new byte[16];
        new SecureRandom().nextBytes(id);
        this.streamId = java.util.HexFormat.of().formatHex(id);
    }

    static Behavior<Command> create(ComponentSettings settings, ComponentDirectory directory, Router router, DecoderLimits limits) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startSingleTimer(Timeout.HANDSHAKE, settings.handshakeTimeout());
            return new ComponentSession(ctx, settings, directory, router, limits);
        }));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Attached.class, m -> {
                    out = m.out();
                    beforeAttach.forEach(out::tell);
                    beforeAttach.clear();
                    return this;
                })
                .onMessage(InboundInit.class, m -> {
                    m.ackTo().tell(ComponentListener.Ack.ACK);
                    return this;
                })
                .onMessage(Inbound.class, m -> {
                    if (!closing) {
                        feed(m.bytes());
                    }
                    m.ackTo().tell(ComponentListener.Ack.ACK);
                    return this;
                })
                .onMessage(Deliver.class, m -> {
                    if (authenticated && !closing) {
                        write(XmlWriter.write(ComponentProtocol.moveNamespace(m.stanza(), Namespaces.CLIENT, ComponentProtocol.NAMESPACE),
                                ComponentProtocol.NAMESPACE));
                    }
                    return this;
                })
                .onMessageEquals(Timeout.HANDSHAKE, () -> {
                    if (!authenticated) {
                        streamError(Condition.CONNECTION_TIMEOUT, "no handshake in time");
                    }
                    return this;
                })
                .onMessage(Shutdown.class, m -> {
                    streamError(Condition.SYSTEM_SHUTDOWN, "the server is stopping");
                    return this;
                })
                .onMessage(InboundEnded.class, m -> {
                    if (domain != null && authenticated) {
                        getContext().getLog().info("component {} disconnected", domain);
                    }
                    if (!closing) {
                        closing = true;
                        send(new ComponentListener.Close());
                    }
                    return Behaviors.stopped();
                })
                .onSignal(PostStop.class, s -> {
                    if (authenticated) {
                        directory.release(domain, getContext().getSelf());
                    }
                    return this;
                })
                .build();
    }

    private void feed(ByteString bytes) {
        List<StreamEvent> events;
        try {
            byte[] arr = bytes.toArray();
            events = decoder.feed(arr, 0, arr.length);
        } catch (XmlStreamException e) {
            streamError(e.condition(), e.getMessage());
            return;
        }
        for (StreamEvent ev : events) {
            if (closing) {
                return;
            }
            if (ev instanceof StreamEvent.StreamOpen open) {
                onOpen(open);
            } else if (ev instanceof StreamEvent.StreamElement el) {
                onElement(el.element());
            } else if (ev instanceof StreamEvent.StreamClose) {
                closing = true;
                write(StreamHeader.CLOSE);
                send(new ComponentListener.Close());
            }
        }
    }

    private void onOpen(StreamEvent.StreamOpen open) {
        Optional<Jid> to = open.to() == null ? Optional.empty() : Jid.tryParse(open.to());
        headerSent = true;
        write(StreamHeader.open(to.map(Jid::toString).orElse(null), null, streamId, ComponentProtocol.NAMESPACE));
        if (!ComponentProtocol.NAMESPACE.equals(open.defaultNamespace())) {
            streamError(Condition.INVALID_NAMESPACE, "a component stream is in " + ComponentProtocol.NAMESPACE);
        } else if (to.isEmpty() || !to.get().isDomain() || !settings.secrets().containsKey(to.get().domain())) {
            streamError(Condition.HOST_UNKNOWN, "no component is configured for that domain");
        } else {
            domain = to.get().domain();
        }
    }

    private void onElement(XmlElement e) {
        if (!authenticated) {
            if (domain == null || !e.is(ComponentProtocol.HANDSHAKE, ComponentProtocol.NAMESPACE)
                    || !ComponentProtocol.verify(streamId, settings.secrets().get(domain), e.text())) {
                streamError(Condition.NOT_AUTHORIZED, "handshake failed");
                return;
            }
            if (!directory.claim(domain, getContext().getSelf())) {
                streamError(Condition.CONFLICT, domain + " is already connected");
                return;
            }
            authenticated = true;
            getContext().getSystem().receptionist().tell(Receptionist.register(ComponentDirectory.key(domain), getContext().getSelf()));
            write(XmlWriter.write(ComponentProtocol.accepted(), ComponentProtocol.NAMESPACE));
            getContext().getLog().info("component {} connected", domain);
            return;
        }
        if (!ComponentProtocol.NAMESPACE.equals(e.namespace()) || !List.of("message", "presence", "iq").contains(e.name())) {
            streamError(Condition.UNSUPPORTED_STANZA_TYPE, "only message, presence and iq");
            return;
        }
        Optional<Jid> from = Jid.tryParse(e.attr("from"));
        if (from.isEmpty() || !from.get().domain().equals(domain)) {
            streamError(Condition.INVALID_FROM, "a component sends from its own domain");
            return;
        }
        if (e.attr("to") == null) {
            streamError(Condition.IMPROPER_ADDRESSING, "a component's stanza needs a 'to'");
            return;
        }
        router.route(ComponentProtocol.moveNamespace(e, ComponentProtocol.NAMESPACE, Namespaces.CLIENT));
    }

    private void streamError(Condition condition, String text) {
        if (closing) {
            return;
        }
        if (!headerSent) {
            headerSent = true;
            write(StreamHeader.open(null, null, streamId, ComponentProtocol.NAMESPACE));
        }
        getContext().getLog().debug("component stream error {}: {}", condition.elementName(), text);
        write(new StreamError(condition, text).toXml() + StreamHeader.CLOSE);
        closing = true;
        send(new ComponentListener.Close());
    }

    private void write(String xml) {
        send(new ComponentListener.Bytes(ByteString.fromString(xml, StandardCharsets.UTF_8)));
    }

    private void send(ComponentListener.Out o) {
        if (out == null) {
            beforeAttach.add(o);
        } else {
            out.tell(o);
        }
    }
}
