package org.kaiku.relay.turn;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The relay's settings, read once from {@code kaiku.relay} (every default and its meaning is in
 * relay's reference.conf). A bad value fails at start with the key named.
 *
 * @param host              address the STUN/TURN UDP listener binds
 * @param port              its port (0: a free one)
 * @param relayHost         address every allocation's relayed socket binds
 * @param realm             REALM of the long-term credential mechanism
 * @param users             static long-term users, name to password
 * @param sharedSecret      secret of the time-limited (TURN REST) scheme, empty for none
 * @param nonceLifetime     how long a NONCE is accepted before 438
 * @param defaultLifetime   allocation lifetime when the client asks for less or nothing
 * @param maxLifetime       the most an allocation may be granted at once
 * @param permissionLifetime lifetime of a permission (RFC 8656: 300 s)
 * @param channelLifetime   lifetime of a channel binding (RFC 8656: 600 s)
 * @param userQuota         allocations one user may hold at once (486 beyond)
 * @param totalQuota        allocations the relay holds at once (508 beyond)
 * @param maxPermissions    permissions one allocation may hold (508 beyond)
 * @param maxChannels       channels one allocation may bind (508 beyond)
 * @param allowLoopbackPeers whether peers on loopback, unspecified or link-local addresses may be reached
 */
public record TurnConfig(String host, int port, String relayHost, String realm, Map<String, String> users,
        String sharedSecret, Duration nonceLifetime, Duration defaultLifetime, Duration maxLifetime,
        Duration permissionLifetime, Duration channelLifetime, int userQuota, int totalQuota, int maxPermissions,
        int maxChannels, boolean allowLoopbackPeers) {

    public TurnConfig {
        users = Map.copyOf(users);
    }

    /** Reads {@code kaiku.relay} of {@code config}. */
    public static TurnConfig from(Config config) {
        Config c = config.getConfig("kaiku.relay");
        Map<String, String> users = new LinkedHashMap<>();
        Config u = c.getConfig("users");
        for (var e : u.root().entrySet()) {
            users.put(e.getKey(), u.getString(quoted(e.getKey())));
        }
        TurnConfig t = new TurnConfig(c.getString("host"), c.getInt("port"), c.getString("relay-host"),
                c.getString("realm"), users, c.getString("shared-secret"), c.getDuration("nonce-lifetime"),
                c.getDuration("default-lifetime"), c.getDuration("max-lifetime"), c.getDuration("permission-lifetime"),
                c.getDuration("channel-lifetime"), c.getInt("user-quota"), c.getInt("total-quota"),
                c.getInt("max-permissions"), c.getInt("max-channels"), c.getBoolean("allow-loopback-peers"));
        check(t.port >= 0 && t.port <= 65535, "port", "must be 0..65535");
        check(!t.realm.isBlank(), "realm", "must not be empty");
        check(t.userQuota > 0, "user-quota", "must be positive");
        check(t.totalQuota > 0, "total-quota", "must be positive");
        check(t.maxPermissions > 0, "max-permissions", "must be positive");
        check(t.maxChannels > 0, "max-channels", "must be positive");
        check(!t.defaultLifetime.isNegative() && !t.defaultLifetime.isZero(), "default-lifetime", "must be positive");
        check(t.maxLifetime.compareTo(t.defaultLifetime) >= 0, "max-lifetime", "must be at least default-lifetime");
        return t;
    }

    /** Whether any credential is configured: without one, TURN answers every request 401. */
    public boolean hasCredentials() {
        return !users.isEmpty() || !sharedSecret.isEmpty();
    }

    private static String quoted(String key) {
        return "\"" + key.replace("\"", "\\\"") + "\"";
    }

    private static void check(boolean ok, String key, String what) {
        if (!ok) {
            throw new ConfigException.BadValue("kaiku.relay." + key, what);
        }
    }
}
