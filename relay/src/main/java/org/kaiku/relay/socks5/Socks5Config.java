package org.kaiku.relay.socks5;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * The SOCKS5 bytestreams proxy's settings, read once from {@code kaiku.relay.socks5} (defaults
 * and their meaning in relay's reference.conf). A bad value fails at start with the key named.
 *
 * @param enabled        whether the relay runs the proxy
 * @param host           address the TCP listener binds (and, unless external-host is set, the one announced)
 * @param port           its port (0: a free one)
 * @param maxSessions    bytestreams (distinct hashes) the proxy holds at once; a CONNECT for a new one beyond is refused
 * @param maxConnections TCP connections open at once, in any phase; one beyond is closed as it is accepted
 * @param userSessions   activated bytestreams one requester (bare JID) may hold at once
 * @param bytesPerSecond the most each direction of a session moves per second (0: no limit)
 * @param idleTimeout    a connection that moves no byte for this long is closed (also one never activated)
 */
public record Socks5Config(boolean enabled, String host, int port, int maxSessions, int maxConnections, int userSessions,
        long bytesPerSecond, Duration idleTimeout) {

    /** Reads {@code kaiku.relay.socks5} of {@code config}. */
    public static Socks5Config from(Config config) {
        Config c = config.getConfig("kaiku.relay.socks5");
        Socks5Config s = new Socks5Config(c.getBoolean("enabled"), c.getString("host"), c.getInt("port"),
                c.getInt("max-sessions"), c.getInt("max-connections"), c.getInt("user-sessions"), c.getBytes("bytes-per-second"),
                c.getDuration("idle-timeout"));
        check(s.port >= 0 && s.port <= 65535, "port", "must be 0..65535");
        check(s.maxSessions > 0, "max-sessions", "must be positive");
        check(s.maxConnections >= 2, "max-connections", "must be at least 2");
        check(s.userSessions > 0, "user-sessions", "must be positive");
        check(s.bytesPerSecond >= 0, "bytes-per-second", "must not be negative");
        check(!s.idleTimeout.isNegative() && !s.idleTimeout.isZero(), "idle-timeout", "must be positive");
        return s;
    }

    private static void check(boolean ok, String key, String what) {
        if (!ok) {
            throw new ConfigException.BadValue("kaiku.relay.socks5." + key, what);
        }
    }
}
