package org.kaiku.relay.turn;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.AbstractActorWithTimers;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.Udp;
import org.apache.pekko.io.UdpMessage;
import org.apache.pekko.util.ByteString;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.ChannelNumberAttribute;
import org.ice4j.attribute.DataAttribute;
import org.ice4j.attribute.LifetimeAttribute;
import org.ice4j.message.Message;

/**
 * One TURN allocation (RFC 8656 sections 2.2, 7-12): the actor owns the relayed UDP socket (Pekko
 * I/O, bound on the configured relay address, driven by Pekko's selector, never a blocking read),
 * the permissions and the channel bindings of one client 5-tuple, and their lifetimes as timers
 * on the scheduler.
 *
 * <p>Data path, each datagram handled once, nothing queued by this actor: a Send indication or
 * ChannelData from the client is written to the peer from the relayed socket if a permission for
 * the peer's IP is installed (else dropped, section 10.2 / 12.5); a datagram from a peer is
 * delivered to the client as ChannelData if a channel is bound to that peer, else as a Data
 * indication, and dropped without a permission (section 10.3 / 12.6). Socket sends that Pekko
 * cannot take at once come back as {@code CommandFailed} and are dropped: UDP semantics.
 *
 * <p>Memory per allocation is bounded: at most {@code max-permissions} permissions and
 * {@code max-channels} channels (508 beyond), the channels cooling down after expiry (section 12:
 * not rebound to another peer for 5 minutes), which are only ever channels that were bound, and a
 * non-blocking bounded mailbox ({@code kaiku.relay.allocation-mailbox}) that drops datagrams
 * beyond its capacity instead of growing.
 */
final class Allocation extends AbstractActorWithTimers {
    /** An authenticated request on this allocation's 5-tuple (Allocate retransmission, Refresh, CreatePermission, ChannelBind). */
    record ClientRequest(byte[] raw, Message message, String username, byte[] key) {
    }

    /** A Send indication from the client (not authenticated, section 10.2). */
    record SendIndication(byte[] raw, Message message) {
    }

    /** A ChannelData message from the client. */
    record ClientChannelData(ByteString data) {
    }

    /**
     * Told to the listener before this actor stops on its own (Refresh with lifetime 0, expiry),
     * ahead of the answer to the client, so that the client's next request already finds no
     * allocation (437) instead of a stopping actor; Terminated covers the case it is dropped.
     */
    record Released() {
    }

    private record Expired() {
    }

    private record PermissionExpired(InetAddress peer) {
    }

    private record ChannelExpired(int channel) {
    }

    private record CoolingOver(int channel) {
    }

    private static final Duration CHANNEL_COOLDOWN = Duration.ofMinutes(5);

    private final TurnConfig config;
    private final ActorRef server;
    private final InetSocketAddress client;
    private final String username;
    private final byte[] key;
    private final Message allocate;
    private final Duration lifetime;
    private final boolean evenPort;
    private int bindAttempts;

    private ActorRef relaySocket;
    private InetSocketAddress relayed;
    private byte[] allocateAnswer;
    private final Set<InetAddress> permissions = new HashSet<>();
    private final Map<Integer, InetSocketAddress> channels = new HashMap<>();
    private final Map<InetSocketAddress, Integer> channelOf = new HashMap<>();
    private final Map<Integer, InetSocketAddress> cooling = new HashMap<>();

    private Allocation(TurnConfig config, ActorRef server, InetSocketAddress client, String username, byte[] key,
            Message allocate, Duration lifetime, boolean evenPort) {
        this.evenPort = evenPort;
        this.config = config;
        this.server = server;
        this.client = client;
        this.username = username;
        this.key = key;
        this.allocate = allocate;
        this.lifetime = lifetime;
    }

    static Props props(TurnConfig config, ActorRef serverSocket, InetSocketAddress client, String username, byte[] key,
            Message allocate, Duration lifetime, boolean evenPort) {
        return Props.create(Allocation.class,
                () -> new Allocation(config, serverSocket, client, username, key, allocate, lifetime, evenPort))
                .withMailbox("kaiku.relay.allocation-mailbox");
    }

    @Override
    public void preStart() {
        bind(0);
    }

    private void bind(int port) {
        bindAttempts++;
        Udp.get(getContext().getSystem()).getManager()
                .tell(UdpMessage.bind(getSelf(), new InetSocketAddress(config.relayHost(), port)), getSelf());
    }

    @Override
    public void postStop() {
        if (relaySocket != null) {
            relaySocket.tell(UdpMessage.unbind(), getSelf());
        }
    }

    @Override
    public Receive createReceive() {
        return receiveBuilder()
                .match(Udp.Bound.class, b -> evenPort && b.localAddress().getPort() % 2 == 1, b -> {
                    // EVEN-PORT (RFC 8656 section 14.6): let this one go, try its even neighbour, else another
                    getSender().tell(UdpMessage.unbind(), getSelf());
                    if (bindAttempts >= 16) {
                        release();
                        toClient(TurnMessages.error(allocate, (char) 508, key));
                    } else {
                        bind(b.localAddress().getPort() == 65535 ? 0 : b.localAddress().getPort() + 1);
                    }
                })
                .match(Udp.Bound.class, b -> {
                    relaySocket = getSender();
                    relayed = b.localAddress();
                    boolean fp = allocate.containsAttribute(Attribute.FINGERPRINT);
                    allocateAnswer = TurnMessages.success(allocate, List.of(
                            AttributeFactory.createXorRelayedAddressAttribute(TurnMessages.transport(relayed),
                                    allocate.getTransactionID()),
                            AttributeFactory.createLifetimeAttribute((int) lifetime.toSeconds()),
                            AttributeFactory.createXorMappedAddressAttribute(TurnMessages.transport(client),
                                    allocate.getTransactionID())), key, fp);
                    toClient(allocateAnswer);
                    getTimers().startSingleTimer("expiry", new Expired(), lifetime);
                    getContext().become(ready());
                })
                .match(Udp.CommandFailed.class, f -> bindAttempts < 16, f -> bind(0))
                .match(Udp.CommandFailed.class, f -> {
                    release();
                    toClient(TurnMessages.error(allocate, (char) 508, key));
                })
                .match(Udp.Unbound.class, u -> {
                    // an odd port let go
                })
                .build();
    }

    private Receive ready() {
        return receiveBuilder()
                .match(Udp.Received.class, this::fromPeer)
                .match(ClientChannelData.class, this::channelData)
                .match(SendIndication.class, this::send)
                .match(ClientRequest.class, this::request)
                .match(Expired.class, e -> release())
                .match(PermissionExpired.class, p -> permissions.remove(p.peer()))
                .match(ChannelExpired.class, c -> {
                    InetSocketAddress peer = channels.remove(c.channel());
                    if (peer != null) {
                        channelOf.remove(peer);
                        cooling.put(c.channel(), peer);
                        getTimers().startSingleTimer("cool:" + c.channel(), new CoolingOver(c.channel()), CHANNEL_COOLDOWN);
                    }
                })
                .match(CoolingOver.class, c -> cooling.remove(c.channel()))
                .match(Udp.CommandFailed.class, f -> {
                    // a send the socket could not take at once: dropped, as UDP may
                })
                .match(Udp.Unbound.class, u -> getSender().equals(relaySocket), u -> getContext().stop(getSelf()))
                .match(Udp.Unbound.class, u -> {
                })
                .build();
    }

    private void fromPeer(Udp.Received r) {
        InetSocketAddress peer = r.sender();
        if (!permissions.contains(peer.getAddress())) {
            return;
        }
        Integer channel = channelOf.get(peer);
        if (channel != null) {
            byte[] header = {(byte) (channel >> 8), (byte) (int) channel, (byte) (r.data().size() >> 8), (byte) r.data().size()};
            server.tell(UdpMessage.send(ByteString.fromArray(header).concat(r.data()), client), getSelf());
        } else {
            toClient(TurnMessages.dataIndication(peer, r.data().toArray()));
        }
    }

    private void channelData(ClientChannelData c) {
        ByteString d = c.data();
        if (d.size() < 4) {
            return;
        }
        int channel = ((d.apply(0) & 0xFF) << 8) | (d.apply(1) & 0xFF);
        int length = ((d.apply(2) & 0xFF) << 8) | (d.apply(3) & 0xFF);
        InetSocketAddress peer = channels.get(channel);
        if (peer == null || 4 + length > d.size() || !permissions.contains(peer.getAddress())) {
            return;
        }
        relaySocket.tell(UdpMessage.send(d.slice(4, 4 + length), peer), getSelf());
    }

    private void send(SendIndication s) {
        List<InetSocketAddress> peers = StunWire.xorPeerAddresses(s.raw());
        Attribute data = s.message().getAttribute(Attribute.DATA);
        if (peers.size() != 1 || !(data instanceof DataAttribute d) || !permissions.contains(peers.get(0).getAddress())) {
            return;
        }
        relaySocket.tell(UdpMessage.send(ByteString.fromArray(d.getData()), peers.get(0)), getSelf());
    }

    private void request(ClientRequest r) {
        Message m = r.message();
        if (!username.equals(r.username())) {
            toClient(TurnMessages.error(m, (char) 441, r.key()));
            return;
        }
        boolean fp = m.containsAttribute(Attribute.FINGERPRINT);
        switch (m.getMessageType()) {
            case Message.ALLOCATE_REQUEST -> toClient(Arrays.equals(m.getTransactionID(), allocate.getTransactionID())
                    ? allocateAnswer : TurnMessages.error(m, (char) 437, key));
            case Message.REFRESH_REQUEST -> refresh(m, fp);
            case Message.CREATEPERMISSION_REQUEST -> createPermission(r.raw(), m, fp);
            case Message.CHANNELBIND_REQUEST -> channelBind(r.raw(), m, fp);
            default -> toClient(TurnMessages.error(m, (char) 400, key));
        }
    }

    /** Section 7.2 (of RFC 8656's Refresh): the "desired lifetime"; zero deletes the allocation. */
    private void refresh(Message m, boolean fp) {
        Duration desired = desiredLifetime(m, config);
        if (desired.isZero()) {
            release();
            toClient(TurnMessages.success(m, List.of(AttributeFactory.createLifetimeAttribute(0)), key, fp));
            return;
        }
        getTimers().startSingleTimer("expiry", new Expired(), desired);
        toClient(TurnMessages.success(m, List.of(AttributeFactory.createLifetimeAttribute((int) desired.toSeconds())),
                key, fp));
    }

    /**
     * The lifetime a LIFETIME attribute asks for, per RFC 8656 sections 7.2 and 8: zero stays
     * zero; otherwise the smaller of the request and the maximum, but never below the default.
     */
    static Duration desiredLifetime(Message m, TurnConfig config) {
        Attribute a = m.getAttribute(Attribute.LIFETIME);
        if (!(a instanceof LifetimeAttribute l)) {
            return config.defaultLifetime();
        }
        long asked = Integer.toUnsignedLong(l.getLifetime());
        if (asked == 0) {
            return Duration.ZERO;
        }
        Duration d = Duration.ofSeconds(Math.min(asked, config.maxLifetime().toSeconds()));
        return d.compareTo(config.defaultLifetime()) > 0 ? d : config.defaultLifetime();
    }

    /** Section 9.2: every XOR-PEER-ADDRESS gets a permission (or a refreshed one), all or none. */
    private void createPermission(byte[] raw, Message m, boolean fp) {
        List<InetSocketAddress> peers = StunWire.xorPeerAddresses(raw);
        Character problem = checkPeers(peers, peers.isEmpty());
        if (problem == null) {
            Set<InetAddress> added = new HashSet<>();
            for (InetSocketAddress p : peers) {
                if (!permissions.contains(p.getAddress())) {
                    added.add(p.getAddress());
                }
            }
            if (permissions.size() + added.size() > config.maxPermissions()) {
                problem = 508;
            }
        }
        if (problem != null) {
            toClient(TurnMessages.error(m, problem, key));
            return;
        }
        for (InetSocketAddress p : peers) {
            permit(p.getAddress());
        }
        toClient(TurnMessages.success(m, List.of(), key, fp));
    }

    /** Section 11.2: bind (or refresh) a channel to one peer, which also installs a permission. */
    private void channelBind(byte[] raw, Message m, boolean fp) {
        List<InetSocketAddress> peers = StunWire.xorPeerAddresses(raw);
        Character problem = checkPeers(peers, peers.size() != 1);
        Attribute a = m.getAttribute(Attribute.CHANNEL_NUMBER);
        int channel = a instanceof ChannelNumberAttribute c ? c.getChannelNumber() : -1;
        // COMPAT(RFC 5766 clients, coturn's turnutils_uclient): RFC 8656 narrowed channels to
        // 0x4000-0x4FFF; numbers up to 0x7FFF, valid under RFC 5766, are still accepted.
        if (problem == null && (channel < 0x4000 || channel > 0x7FFF)) {
            problem = 400;
        }
        if (problem == null) {
            InetSocketAddress peer = peers.get(0);
            InetSocketAddress bound = channels.get(channel);
            Integer other = channelOf.get(peer);
            InetSocketAddress coolingPeer = cooling.get(channel);
            if ((bound != null && !bound.equals(peer)) || (other != null && other != channel)
                    || (coolingPeer != null && !coolingPeer.equals(peer))) {
                problem = 400;
            } else if (bound == null && channels.size() >= config.maxChannels()) {
                problem = 508;
            } else if (!permissions.contains(peer.getAddress()) && permissions.size() >= config.maxPermissions()) {
                problem = 508;
            }
        }
        if (problem != null) {
            toClient(TurnMessages.error(m, problem, key));
            return;
        }
        InetSocketAddress peer = peers.get(0);
        channels.put(channel, peer);
        channelOf.put(peer, channel);
        cooling.remove(channel);
        getTimers().cancel("cool:" + channel);
        getTimers().startSingleTimer("chan:" + channel, new ChannelExpired(channel), config.channelLifetime());
        permit(peer.getAddress());
        toClient(TurnMessages.success(m, List.of(), key, fp));
    }

    /** 400 when the count is wrong, 443 for a peer not of the relayed address's family (IPv4), 403 for a peer this relay refuses to reach. */
    private Character checkPeers(List<InetSocketAddress> peers, boolean wrongCount) {
        if (wrongCount) {
            return 400;
        }
        for (InetSocketAddress p : peers) {
            if (!(p.getAddress() instanceof Inet4Address) || !(relayed.getAddress() instanceof Inet4Address)) {
                return 443;
            }
            if (forbidden(p.getAddress())) {
                return 403;
            }
        }
        return null;
    }

    private boolean forbidden(InetAddress a) {
        if (a.isMulticastAddress() || a.isAnyLocalAddress() || p0(a)) {
            return true;
        }
        return !config.allowLoopbackPeers() && (a.isLoopbackAddress() || a.isLinkLocalAddress());
    }

    private static boolean p0(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 4 && b[0] == 0;
    }

    private void permit(InetAddress peer) {
        permissions.add(peer);
        getTimers().startSingleTimer("perm:" + peer.getHostAddress(), new PermissionExpired(peer),
                config.permissionLifetime());
    }

    private void release() {
        getContext().getParent().tell(new Released(), getSelf());
        getContext().stop(getSelf());
    }

    private void toClient(byte[] message) {
        server.tell(UdpMessage.send(ByteString.fromArray(message), client), getSelf());
    }

    /** For the log: which allocation this is. */
    @Override
    public String toString() {
        return "Allocation(" + username + " " + client + " -> " + relayed + ")";
    }
}
