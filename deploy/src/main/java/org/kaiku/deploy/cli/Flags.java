package org.kaiku.deploy.cli;

import java.util.Map;

/** Which configuration key each command-line flag sets; errors about a flag name the key. */
public final class Flags {
    static final Map<String, String> KEYS = Map.ofEntries(
            Map.entry("--domain", "kaiku.domain"),
            Map.entry("--data-dir", "kaiku.data-dir"),
            Map.entry("--c2s-port", "kaiku.c2s.port"),
            Map.entry("--c2s-tls-port", "kaiku.c2s.tls-port"),
            Map.entry("--admin-port", "kaiku.admin.port"),
            Map.entry("--cluster-host", "kaiku.cluster.host"),
            Map.entry("--cluster-port", "kaiku.cluster.port"),
            Map.entry("--seed-nodes", "kaiku.cluster.seed-nodes"),
            Map.entry("--cassandra", "kaiku.cassandra.contact-points"),
            Map.entry("--management-host", "kaiku.management.host"),
            Map.entry("--management-port", "kaiku.management.port"),
            Map.entry("--bootstrap", "kaiku.cluster.bootstrap.contact-points"),
            Map.entry("--config", "--config"),
            Map.entry("--cql-port", "kaiku.cassandra.local.cql-port"));

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
