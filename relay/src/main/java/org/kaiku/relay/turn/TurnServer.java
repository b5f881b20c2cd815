package org.kaiku.relay.turn;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.io.Udp;
import org.apache.pekko.io.UdpMessage;
import org.apache.pekko.util.ByteString;
import org.ice4j.StunException;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.NonceAttribute;
import org.ice4j.attribute.RealmAttribute;
import org.ice4j.attribute.RequestedAddressFamilyAttribute;
import org.ice4j.attribute.RequestedTransportAttribute;
import org.ice4j.attribute.UsernameAttribute;
import org.ice4j.message.Indication;
import org.ice4j.message.Message;
import org.ice4j.message.Request;
import org.kaiku.relay.StunResponder;

/**
 * The relay's STUN/TURN server on one UDP socket (RFC 8489, RFC 8656 over UDP) and, through
 * {@link TurnTcpListener}, over TCP on the same port (each TCP connection's messages arrive as
 * datagrams of its remote address, and answers to that address go back on the connection). It demultiplexes
 * datagrams (first two bits 00: STUN, 01: ChannelData, anything else dropped, RFC 8656 section
 * 12), answers Binding itself, authenticates every TURN request with the long-term credential
 * mechanism (RFC 8489 section 9.2.4: 401 with REALM and NONCE, 400 when an attribute of the
 * mechanism is missing, 438 with a fresh nonce when the nonce is stale, 401 for an unknown user
 * or a wrong MESSAGE-INTEGRITY), and hands the rest to the {@link Allocation} actor of the
 * client's 5-tuple, which it creates on an Allocate within quotas (486 per user, 508 in total)
 * and forgets when the actor stops. Requests on a 5-tuple without an allocation get 437;
 * indications and ChannelData without one are dropped.
 *
 * <p>Nothing a client sends is kept here beyond the map from 5-tuple to allocation actor and the
 * per-user counts; its mailbox is the bounded, non-blocking one of the allocations.
 */
public final class TurnServer extends AbstractActor {
    /** Comprehension-required attributes this server reads (others get 420, RFC 8489 section 6.3.1). DONT-FRAGMENT is not among them: Pekko's UDP cannot set DF, and RFC 8656 section 7.2 says to treat it as unknown then. */
    private static final Set<Character> KNOWN_REQUIRED = Set.of(Attribute.USERNAME, Attribute.MESSAGE_INTEGRITY,
            Attribute.REALM, Attribute.NONCE, Attribute.REQUESTED_TRANSPORT, Attribute.LIFETIME,
            Attribute.XOR_PEER_ADDRESS, Attribute.DATA, Attribute.CHANNEL_NUMBER, Attribute.EVEN_PORT,
            Attribute.RESERVATION_TOKEN, Attribute.REQUESTED_ADDRESS_FAMILY, Attribute.XOR_MAPPED_ADDRESS,
            Attribute.PRIORITY, Attribute.USE_CANDIDATE, Attribute.ERROR_CODE);

    private record Owner(InetSocketAddress client, String quotaId) {
    }

    private final TurnConfig config;
    private final TurnCredentials credentials;
    private final InetSocketAddress bindTo;
    private final CompletableFuture<InetSocketAddress> bound;
    private ActorRef socket;
    private final Map<InetSocketAddress, ActorRef> allocations = new HashMap<>();
    private final Map<ActorRef, Owner> owners = new HashMap<>();
    private final Map<String, Integer> perUser = new HashMap<>();
    /** Clients over TCP: their connection actor, which takes {@code Udp.Send} like the socket. */
    private final Map<InetSocketAddress, ActorRef> tcpClients = new HashMap<>();

    private TurnServer(TurnConfig config, TurnCredentials credentials, CompletableFuture<InetSocketAddress> bound) {
        this.config = config;
        this.credentials = credentials;
        this.bindTo = new InetSocketAddress(config.host(), config.port());
        this.bound = bound;
    }

    public static Props props(TurnConfig config, TurnCredentials credentials, CompletableFuture<InetSocketAddress> bound) {
        return Props.create(TurnServer.class, () -> new TurnServer(config, credentials, bound))
                .withMailbox("kaiku.relay.listener-mailbox");
    }

    /** The TCP listener that feeds {@code server} (see {@link TurnTcpListener}). */
    public static Props tcpListenerProps(InetSocketAddress bindTo, ActorRef server, int maxConnections,
                                         CompletableFuture<InetSocketAddress> bound) {
        return TurnTcpListener.props(bindTo, server, maxConnections, bound);
    }

    @Override
    public void preStart() {
        Udp.get(getContext().getSystem()).getManager().tell(UdpMessage.bind(getSelf(), bindTo), getSelf());
    }

    @Override
    public void postStop() {
        bound.completeExceptionally(new IllegalStateException("stopped before binding"));
    }

    @Override
    public Receive createReceive() {
        return receiveBuilder()
                .match(Udp.Bound.class, b -> {
                    socket = getSender();
                    bound.complete(b.localAddress());
                    getContext().become(ready());
                })
                .match(Udp.CommandFailed.class, f -> {
                    bound.completeExceptionally(new IllegalStateException("cannot bind UDP " + bindTo + ": " + f.cmd()));
                    getContext().stop(getSelf());
                })
                .build();
    }

    private Receive ready() {
        return receiveBuilder()
                .match(Udp.Received.class, this::received)
                .match(TurnTcpConnection.FromTcp.class, t -> {
                    tcpClients.put(t.client(), getSender());
                    received(new Udp.Received(t.data(), t.client()));
                })
                .match(TurnTcpConnection.TcpGone.class, g -> {
                    tcpClients.remove(g.client());
                    ActorRef allocation = allocations.get(g.client());
                    if (allocation != null) {
                        getContext().stop(allocation); // RFC 8656 section 3.1: it ends with its connection
                    }
                })
                .match(Allocation.Released.class, r -> released(getSender()))
                .match(Terminated.class, t -> released(t.actor()))
                .match(Udp.CommandFailed.class, f -> {
                    // an answer the socket could not take at once: the client retransmits
                })
                .match(Udp.Unbound.class, u -> getContext().stop(getSelf()))
                .build();
    }

    private void received(Udp.Received r) {
        ByteString data = r.data();
        if (data.isEmpty()) {
            return;
        }
        int top = data.apply(0) & 0xC0;
        if (top == 0x40) {
            ActorRef allocation = allocations.get(r.sender());
            if (allocation != null) {
                allocation.tell(new Allocation.ClientChannelData(data), getSelf());
            }
        } else if (top == 0) {
            stun(data.toArray(), r.sender());
        }
    }

    private void stun(byte[] raw, InetSocketAddress client) {
        if (!StunResponder.looksLikeStun(raw)) {
            return;
        }
        StunWire.Scan scan = StunWire.scan(raw);
        if (scan == null || !scan.fingerprintOk()) {
            return;
        }
        Message m;
        try {
            byte[] d = scan.forDecoder();
            m = Message.decode(d, 0, d.length);
        } catch (StunException | RuntimeException e) {
            return;
        }
        if (scan.fingerprint()) {
            // checked above and stripped for ice4j; put back as the mark that answers carry one too
            m.putAttribute(AttributeFactory.createFingerprintAttribute());
        }
        if (m instanceof Indication) {
            ActorRef allocation = allocations.get(client);
            if (m.getMessageType() == Message.SEND_INDICATION && allocation != null) {
                allocation.tell(new Allocation.SendIndication(raw, m), getSelf());
            }
            return;
        }
        if (!(m instanceof Request)) {
            return;
        }
        if (m.getMessageType() == Message.BINDING_REQUEST) {
            StunResponder.answer(raw, client).ifPresent(bytes -> send(client, bytes));
            return;
        }
        char type = m.getMessageType();
        char[] unknown = unknownRequired(m);
        if (unknown.length > 0) {
            var ua = AttributeFactory.createUnknownAttributesAttribute();
            for (char c : unknown) {
                ua.addAttributeID(c);
            }
            send(client, TurnMessages.error(m, (char) 420, List.of(ua), null));
            return;
        }
        if (type != Message.ALLOCATE_REQUEST && type != Message.REFRESH_REQUEST
                && type != Message.CREATEPERMISSION_REQUEST && type != Message.CHANNELBIND_REQUEST) {
            send(client, TurnMessages.error(m, (char) 400, null));
            return;
        }
        String ip = client.getAddress().getHostAddress();
        if (!m.containsAttribute(Attribute.MESSAGE_INTEGRITY)) {
            send(client, challenge(m, 401, ip));
            return;
        }
        if (!(m.getAttribute(Attribute.USERNAME) instanceof UsernameAttribute u)
                || !(m.getAttribute(Attribute.REALM) instanceof RealmAttribute realm)
                || !(m.getAttribute(Attribute.NONCE) instanceof NonceAttribute nonce)) {
            send(client, TurnMessages.error(m, (char) 400, null));
            return;
        }
        if (!credentials.nonceValid(new String(nonce.getNonce(), StandardCharsets.US_ASCII), ip)) {
            send(client, challenge(m, 438, ip));
            return;
        }
        String username = new String(u.getUsername(), StandardCharsets.UTF_8);
        var credential = credentials.lookup(username);
        if (!config.realm().equals(new String(realm.getRealm(), StandardCharsets.UTF_8)) || credential.isEmpty()
                || !StunWire.integrityMatches(raw, credential.get().key())) {
            send(client, challenge(m, 401, ip));
            return;
        }
        byte[] key = credential.get().key();
        ActorRef allocation = allocations.get(client);
        if (allocation != null) {
            allocation.tell(new Allocation.ClientRequest(raw, m, username, key), getSelf());
        } else if (type == Message.ALLOCATE_REQUEST) {
            allocate(m, client, username, credential.get().quotaId(), key, scan.evenPort());
        } else {
            send(client, TurnMessages.error(m, (char) 437, key));
        }
    }

    /** RFC 8656 section 7.2, for a 5-tuple without an allocation. */
    private void allocate(Message m, InetSocketAddress client, String username, String quotaId, byte[] key,
            int evenPort) {
        Character problem = null;
        if (!(m.getAttribute(Attribute.REQUESTED_TRANSPORT) instanceof RequestedTransportAttribute t)) {
            problem = 400;
        } else if (t.getRequestedTransport() != RequestedTransportAttribute.UDP) {
            problem = 442;
        } else if (evenPort >= 0 && m.containsAttribute(Attribute.RESERVATION_TOKEN)) {
            problem = 400;
        } else if (evenPort == 1 || m.containsAttribute(Attribute.RESERVATION_TOKEN)) {
            problem = 508; // an even port is offered, but no reservation of the next one
        } else if (m.getAttribute(Attribute.REQUESTED_ADDRESS_FAMILY) instanceof RequestedAddressFamilyAttribute f
                && f.getFamily() != RequestedAddressFamilyAttribute.IPv4) {
            problem = 440;
        } else if (perUser.getOrDefault(quotaId, 0) >= config.userQuota()) {
            problem = 486;
        } else if (owners.size() >= config.totalQuota()) {
            problem = 508;
        }
        if (problem != null) {
            send(client, TurnMessages.error(m, problem, key));
            return;
        }
        Duration lifetime = Allocation.desiredLifetime(m, config);
        if (lifetime.isZero()) {
            lifetime = config.defaultLifetime();
        }
        ActorRef allocation = getContext().actorOf(Allocation.props(config, transport(client), client, username, key, m, lifetime, evenPort == 0));
        getContext().watch(allocation);
        allocations.put(client, allocation);
        owners.put(allocation, new Owner(client, quotaId));
        perUser.merge(quotaId, 1, Integer::sum);
    }

    private void released(ActorRef allocation) {
        Owner owner = owners.remove(allocation);
        if (owner != null) {
            allocations.remove(owner.client(), allocation);
            perUser.computeIfPresent(owner.quotaId(), (k, n) -> n > 1 ? n - 1 : null);
        }
    }

    private byte[] challenge(Message m, int code, String ip) {
        return TurnMessages.error(m, (char) code, List.of(
                AttributeFactory.createRealmAttribute(config.realm().getBytes(StandardCharsets.UTF_8)),
                AttributeFactory.createNonceAttribute(credentials.nonce(ip).getBytes(StandardCharsets.US_ASCII))), null);
    }

    private static char[] unknownRequired(Message m) {
        List<Character> unknown = new ArrayList<>();
        for (Attribute a : m.getAttributes()) {
            char type = a.getAttributeType();
            if (type < 0x8000 && !KNOWN_REQUIRED.contains(type)) {
                unknown.add(type);
            }
        }
        char[] out = new char[unknown.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = unknown.get(i);
        }
        return out;
    }

    private void send(InetSocketAddress client, byte[] message) {
        transport(client).tell(UdpMessage.send(ByteString.fromArray(message), client), getSelf());
    }

    /** The UDP socket, or the TCP connection of a client that came over TCP. */
    private ActorRef transport(InetSocketAddress client) {
        return tcpClients.getOrDefault(client, socket);
    }
}
