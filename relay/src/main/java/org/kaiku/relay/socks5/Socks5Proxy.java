package org.kaiku.relay.socks5;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ExtendedActorSystem;

/**
 * The relay's XEP-0065 proxy as the rest of the node sees it: where clients connect, and the
 * activation that the XMPP side (the engine's proxy service at {@code proxy.DOMAIN}) asks for when
 * the requester sends {@code <activate/>} (section 6.3.7). The network side is a
 * {@link Socks5Listener} actor with one {@link Socks5Connection} actor per connection, in the
 * relay's own actor system.
 */
public final class Socks5Proxy {
    /** What came of an activation; the XMPP side maps each to XEP-0065 section 6.3.7's errors. */
    public enum Activation {
        /** Relaying from now on: IQ result. */
        ACTIVATED,
        /** No stream with this hash, nor with the reversed one: not-authorized (the hashes do not match). */
        UNKNOWN,
        /** The sender is the target of a stream, not its requester: item-not-found. */
        NOT_REQUESTER,
        /** Only one party connected: not-allowed. */
        ONE_PARTY,
        /** Already activated: not-allowed. */
        ALREADY_ACTIVE,
        /** The requester holds user-sessions active streams already: resource-constraint. */
        USER_LIMIT
    }

    private final ActorRef listener;
    private final InetSocketAddress address;
    private final Socks5Config config;

    private Socks5Proxy(ActorRef listener, InetSocketAddress address, Socks5Config config) {
        this.listener = listener;
        this.address = address;
        this.config = config;
    }

    /** Binds the listener in {@code system}; fails with the cause when it cannot. */
    public static CompletionStage<Socks5Proxy> start(ExtendedActorSystem system, Socks5Config config) {
        CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
        ActorRef listener = system.systemActorOf(Socks5Listener.props(config, bound), "socks5");
        return bound.thenApply(a -> new Socks5Proxy(listener, a, config));
    }

    /** The address the listener is bound to. */
    public InetSocketAddress address() {
        return address;
    }

    public Socks5Config config() {
        return config;
    }

    /**
     * Activates the stream {@code SHA1(sid + requester + target)}, the JIDs as the strings the
     * parties hashed (the requester's full JID as the server stamped it, the target as given in
     * {@code <activate/>}).
     */
    public CompletionStage<Activation> activate(String sid, String requester, String target) {
        CompletableFuture<Activation> result = new CompletableFuture<>();
        listener.tell(new Socks5Listener.Activate(sid, requester, target, result), ActorRef.noSender());
        return result;
    }

    /** The DST.ADDR of XEP-0065 section 5.3.2: hex SHA-1 of the three strings, lower case. */
    public static String hash(String sid, String requester, String target) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return HexFormat.of().formatHex(sha1.digest((sid + requester + target).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 unavailable", e);
        }
    }
}
