package org.kaiku.relay.turn;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * The long-term credential mechanism of RFC 8489 section 9.2 with its two sources of passwords:
 * a static user list, and the time-limited "TURN REST" scheme that coturn calls
 * {@code use-auth-secret}: the username is {@code expiry[:user]} (Unix seconds), the password
 * {@code base64(HMAC-SHA1(secret, username))}; it is refused once the expiry has passed. The key
 * is {@code MD5(username ":" realm ":" password)} (section 9.2.2; passwords are taken as UTF-8
 * without OpaqueString preparation).
 *
 * <p>Nonces are stateless: {@code hex(expiry seconds) + hex(HMAC-SHA1(server key, expiry | client
 * IP))[0..24]}, so a nonce is tied to the client's address and to a lifetime, needs no table, and
 * is worthless after the server restarts (it just gets 438 and a fresh one). They never start with
 * RFC 8489's "obMatJos2" cookie: this server offers neither PASSWORD-ALGORITHMS nor USERHASH.
 */
public final class TurnCredentials {
    /** A username's key and the identity its quota counts against. */
    public record Credential(String quotaId, byte[] key) {
    }

    private final TurnConfig config;
    private final Clock clock;
    private final Map<String, byte[]> staticKeys = new HashMap<>();
    private final byte[] nonceKey = new byte[20];

    public TurnCredentials(TurnConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        config.users().forEach((user, password) -> staticKeys.put(user, longTermKey(user, config.realm(), password)));
        new SecureRandom().nextBytes(nonceKey);
    }

    /** The key for {@code username}, or empty when no source knows it (or its time limit has passed). */
    public Optional<Credential> lookup(String username) {
        byte[] key = staticKeys.get(username);
        if (key != null) {
            return Optional.of(new Credential(username, key));
        }
        if (config.sharedSecret().isEmpty()) {
            return Optional.empty();
        }
        int colon = username.indexOf(':');
        String stamp = colon < 0 ? username : username.substring(0, colon);
        long expiry;
        try {
            expiry = Long.parseLong(stamp);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (expiry * 1000 <= clock.millis()) {
            return Optional.empty();
        }
        String password = restPassword(config.sharedSecret(), username);
        String quotaId = colon < 0 ? username : username.substring(colon + 1);
        return Optional.of(new Credential("rest:" + quotaId, longTermKey(username, config.realm(), password)));
    }

    /** A fresh nonce for a client at {@code clientIp}. */
    public String nonce(String clientIp) {
        long expiry = clock.millis() / 1000 + config.nonceLifetime().toSeconds();
        return nonceFor(expiry, clientIp);
    }

    /** Whether {@code nonce} was minted here for {@code clientIp} and has not expired. */
    public boolean nonceValid(String nonce, String clientIp) {
        if (nonce.length() != 40) {
            return false;
        }
        long expiry;
        try {
            expiry = Long.parseUnsignedLong(nonce.substring(0, 16), 16);
        } catch (NumberFormatException e) {
            return false;
        }
        return MessageDigest.isEqual(nonceFor(expiry, clientIp).getBytes(StandardCharsets.US_ASCII),
                nonce.getBytes(StandardCharsets.US_ASCII)) && expiry > clock.millis() / 1000;
    }

    private String nonceFor(long expiry, String clientIp) {
        byte[] data = (expiry + "|" + clientIp).getBytes(StandardCharsets.UTF_8);
        byte[] mac = StunWire.hmacSha1(nonceKey, data, 0, data.length);
        return String.format("%016x", expiry) + HexFormat.of().formatHex(mac, 0, 12);
    }

    /** The time-limited password for {@code username} under {@code secret} (coturn's use-auth-secret). */
    public static String restPassword(String secret, String username) {
        byte[] secretBytes = secret.getBytes(StandardCharsets.UTF_8);
        byte[] name = username.getBytes(StandardCharsets.UTF_8);
        return Base64.getEncoder().encodeToString(StunWire.hmacSha1(secretBytes, name, 0, name.length));
    }

    /** {@code MD5(username ":" realm ":" password)}, RFC 8489 section 9.2.2. */
    public static byte[] longTermKey(String username, String realm, String password) {
        try {
            return MessageDigest.getInstance("MD5")
                    .digest((username + ":" + realm + ":" + password).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 unavailable", e);
        }
    }
}
