package org.kaiku.persistence.cassandra;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where Kaiku's data lives in Cassandra, read once from {@code kaiku.cassandra.*} (defaults and a
 * comment per key in this module's reference.conf).
 *
 * <p>One keyspace holds everything a Kaiku cluster stores: the Pekko Persistence journal
 * ({@code messages}, {@code all_persistence_ids}, {@code metadata}, ...), its snapshots
 * ({@code snapshots}) and Kaiku's own tables ({@code accounts}). An operator then sets one
 * replication, backs up and repairs one keyspace; separate keyspaces would only pay off if the
 * journal needed a replication different from the accounts', which it does not.
 *
 * @param replication the keyspace's CQL replication map literal, kept in canonical form
 */
public record CassandraSettings(
        List<InetSocketAddress> contactPoints, String localDatacenter, String keyspace, String replication) {

    /** The root of these settings in the configuration. */
    public static final String PATH = "kaiku.cassandra";

    public static final String DEFAULT_REPLICATION = "{'class':'SimpleStrategy','replication_factor':1}";

    /**
     * Events per journal partition (pekko-persistence-cassandra's target-partition-size). It is
     * fixed forever once events exist: the plugin derives partition numbers from it. Kaiku's
     * entities write small events (roster items, affiliations, ~0.2-2 KB), so 50,000 events keep a
     * partition near 10-100 MB, inside Cassandra's comfortable range, where the plugin's 500,000
     * would allow partitions of gigabytes; replaying a long history then crosses a partition every
     * 50,000 events, one extra query each, which snapshots make rare.
     */
    public static final long JOURNAL_TARGET_PARTITION_SIZE = 50_000;
    /**
     * The journal's events-by-tag support (tag_views, tag_write_progress, tag_scanning), off: no
     * Kaiku entity tags its events and nothing reads them by tag. On, it cost each login of an
     * account whose entity was not in memory one tag_scanning write (and a replay of a journal
     * with events two tag-progress reads). Turning it on later would index only events written
     * from then on.
     */
    static final boolean EVENTS_BY_TAG = false;
    /**
     * Whether the journal supports deleting events, off: Kaiku never deletes events (its
     * retention keeps snapshots only, RetentionCriteria without deleteEventsOnSnapshot), and on,
     * every entity recovery first reads the metadata table for a deleted-to mark that is never
     * there: one Cassandra read per entity start (each cold login). A feature that must delete
     * events (account removal) turns this back on; marks written from then on are honoured.
     */
    static final boolean JOURNAL_SUPPORT_DELETES = false;
    /** Request timeout of the journal's and snapshot store's queries (see {@link #pekkoOverrides}). */
    static final String JOURNAL_REQUEST_TIMEOUT = "10s";
    /** Driver reconnection after a node went down: first try, and the most between tries. */
    static final String RECONNECT_BASE = "500ms";
    static final String RECONNECT_MAX = "2s";
    /** How long the journal's open circuit breaker fails calls before it tries one again. */
    static final String BREAKER_RESET = "3s";

    private static final Pattern KEYSPACE = Pattern.compile("[a-z][a-z0-9_]{0,47}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9_.\\-:]+");

    public CassandraSettings {
        if (contactPoints == null || contactPoints.isEmpty()) {
            throw new IllegalArgumentException("at least one contact point is required");
        }
        contactPoints = List.copyOf(contactPoints);
        if (localDatacenter == null || localDatacenter.isBlank()) {
            throw new IllegalArgumentException("local datacenter is required");
        }
        if (keyspace == null || !KEYSPACE.matcher(keyspace).matches()) {
            throw new IllegalArgumentException("keyspace must be a lower-case CQL name of at most 48 characters "
                    + "([a-z][a-z0-9_]*), not " + keyspace);
        }
        replication = Replication.parse(replication).toCql();
    }

    /** Settings for a node started by {@link LocalCassandra}. */
    public static CassandraSettings local(LocalCassandra node, String keyspace) {
        return new CassandraSettings(List.of(node.contactPoint()), LocalCassandra.DATACENTER, keyspace,
                DEFAULT_REPLICATION);
    }

    /** Reads {@code kaiku.cassandra.*}; a bad value fails with a message naming its key. */
    public static CassandraSettings fromConfig(Config root) {
        Config config = root.getConfig(PATH);
        List<String> points = config.getStringList("contact-points");
        List<InetSocketAddress> contactPoints = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            try {
                contactPoints.add(parseHostPort(points.get(i)));
            } catch (IllegalArgumentException e) {
                throw bad(config, "contact-points", e.getMessage());
            }
        }
        if (contactPoints.isEmpty()) {
            throw bad(config, "contact-points", "at least one host:port is required");
        }
        String datacenter = config.getString("local-datacenter");
        if (datacenter.isBlank()) {
            throw bad(config, "local-datacenter", "must not be empty");
        }
        String keyspace = config.getString("keyspace");
        if (!KEYSPACE.matcher(keyspace).matches()) {
            throw bad(config, "keyspace", "must be a lower-case CQL name of at most 48 characters, not '" + keyspace + "'");
        }
        String replication = config.getString("replication");
        try {
            Replication.parse(replication);
        } catch (IllegalArgumentException e) {
            throw bad(config, "replication", e.getMessage());
        }
        return new CassandraSettings(contactPoints, datacenter, keyspace, replication);
    }

    /** The parsed replication. */
    public Replication replicationStrategy() {
        return Replication.parse(replication);
    }

    /** Contact points as the driver's "host:port" strings. */
    public List<String> contactPointStrings() {
        return contactPoints.stream().map(a -> a.getHostString() + ":" + a.getPort()).toList();
    }

    /**
     * Configuration to layer over the ActorSystem's (with {@code withFallback}) so that
     * pekko-persistence-cassandra 1.1.0 is the journal and snapshot store and reaches these contact
     * points. It does not create its keyspace and tables itself: {@link JournalSchema#ensure} does,
     * at start, with a timeout that suits a loaded first start.
     */
    public static Config pekkoOverrides(CassandraSettings settings) {
        Replication replication = settings.replicationStrategy();
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("pekko.persistence.journal.plugin", "pekko.persistence.cassandra.journal");
        values.put("pekko.persistence.snapshot-store.plugin", "pekko.persistence.cassandra.snapshot");
        values.put("datastax-java-driver.basic.contact-points", settings.contactPointStrings());
        values.put("datastax-java-driver.basic.load-balancing-policy.local-datacenter", settings.localDatacenter());
        for (String store : List.of("journal", "snapshot")) {
            String prefix = "pekko.persistence.cassandra." + store + ".";
            values.put(prefix + "keyspace", settings.keyspace());
            values.put(prefix + "keyspace-autocreate", false);
            values.put(prefix + "tables-autocreate", false);
            values.put(prefix + "replication-strategy", replication.strategy());
            values.put(prefix + "replication-factor", replication.simpleFactor());
            values.put(prefix + "data-center-replication-factors", replication.datacenterFactors());
        }
        values.put("pekko.persistence.cassandra.journal.target-partition-size", JOURNAL_TARGET_PARTITION_SIZE);
        // Login cost (docs/bench/LOGIN-PROFILE.md): Kaiku tags no event and runs no eventsByTag
        // query, yet the plugin's default keeps tag bookkeeping on every entity start and write
        // (a tag_scanning write per started entity, tag-progress reads on replay, a tag-writer
        // actor per journal); and it reads the metadata table (deleted_to) on every recovery
        // although Kaiku never deletes events (snapshotEvery deletes old snapshots only).
        values.put("pekko.persistence.cassandra.events-by-tag.enabled", EVENTS_BY_TAG);
        values.put("pekko.persistence.cassandra.journal.support-deletes", JOURNAL_SUPPORT_DELETES);
        // A journal write that times out stops the account entity (Pekko Persistence cannot know
        // whether the event was stored) and fails the command that wrote it, e.g. a bind. The
        // driver's 2 s default was seen to expire on a loaded node whose commit log syncs in
        // batch mode; waiting longer costs only that command's latency, never online delivery.
        for (String profile : List.of("pekko-persistence-cassandra-profile", "pekko-persistence-cassandra-snapshot-profile")) {
            values.put("datastax-java-driver.profiles." + profile + ".basic.request.timeout", JOURNAL_REQUEST_TIMEOUT);
        }
        // After an outage the driver reconnects within RECONNECT_MAX (its default backs off to 60 s),
        // and the journal's circuit breaker, open after 10 failures, lets a call through again
        // after BREAKER_RESET (default 30 s): entities recover within seconds of Cassandra's return.
        values.put("datastax-java-driver.advanced.reconnection-policy.base-delay", RECONNECT_BASE);
        values.put("datastax-java-driver.advanced.reconnection-policy.max-delay", RECONNECT_MAX);
        values.put("pekko.persistence.cassandra.journal.circuit-breaker.reset-timeout", BREAKER_RESET);
        values.put("pekko.persistence.cassandra.snapshot.circuit-breaker.reset-timeout", BREAKER_RESET);
        return ConfigFactory.parseMap(values, "Kaiku Cassandra settings (CassandraSettings.pekkoOverrides)");
    }

    static InetSocketAddress parseHostPort(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException("'" + value + "' is not host:port");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (!HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("'" + value + "' has no valid host");
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' has no numeric port");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("'" + value + "' has a port out of range");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    private static ConfigException bad(Config config, String key, String message) {
        return new ConfigException.BadValue(config.origin(), PATH + "." + key, message);
    }
}
