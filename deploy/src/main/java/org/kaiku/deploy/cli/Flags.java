package org.kaiku.deploy.cli;

import java.util.Map;

/** Which configuration key each command-line flag sets; errors about a flag name the key. */
public final class Flags {
    static final Map<String, String> KEYS = Map.of(
            "--domain", "kaiku.domain",
            "--data-dir", "kaiku.data-dir",
            "--c2s-port", "kaiku.c2s.port",
            "--c2s-tls-port", "kaiku.c2s.tls-port",
            "--admin-port", "kaiku.admin.port",
            "--cluster-port", "kaiku.cluster.port",
            "--cassandra", "kaiku.cassandra.contact-points",
            "--config", "--config");

    private Flags() {
    }

    /** The config key of a flag, or null when the flag has none. */
    public static String key(String flag) {
        return KEYS.get(flag);
    }

    /** Adds {@code flag}'s value under its key when the flag was given. */
    static void put(Map<String, Object> into, String flag, Object value) {
        if (value != null) {
            into.put(KEYS.get(flag), value);
        }
    }
}
