package org.kaiku.deploy.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * The settings only the launcher reads: where the admin endpoint listens, how the node joins its
 * cluster, and the embedded Cassandra node used when no external cluster is configured. Defaults
 * and comments live in deploy's application.conf; engine and persistence read their own keys.
 *
 * @param seedNodes         {@code kaiku.cluster.seed-nodes} as {@code host:port}; empty: the node forms a
 *                          cluster of its own (joins itself)
 * @param contactPoints     {@code kaiku.cassandra.contact-points}; empty means "start our own node"
 * @param classpathFile     the embedded node's class path file, or null to let LocalCassandra find it
 */
public record DeploySettings(
        Path dataDir,
        String domain,
        int adminPort,
        String clusterHost,
        int clusterPort,
        List<String> seedNodes,
        Duration joinTimeout,
        Duration startTimeout,
        Duration stopTimeout,
        List<String> contactPoints,
        int localCqlPort,
        int localStoragePort,
        int localJmxPort,
        String localHeap,
        Path classpathFile) {

    public static final String ADMIN_PORT = "kaiku.admin.port";
    public static final String CLUSTER_PORT = "kaiku.cluster.port";
    public static final String CONTACT_POINTS = "kaiku.cassandra.contact-points";
    public static final String CLUSTER_HOST = "kaiku.cluster.host";
    public static final String SEED_NODES = "kaiku.cluster.seed-nodes";
    /** The actor system's name: every node of one Kaiku cluster must use the same. */
    public static final String SYSTEM_NAME = "kaiku";

    /** Reads and checks every deploy key; the exception names the first bad one. */
    public static DeploySettings fromConfig(Config c) {
        String cp = read(c, "kaiku.cassandra.local.classpath-file", c::getString);
        String heap = read(c, "kaiku.cassandra.local.heap", c::getString);
        if (!heap.matches("[0-9]+[kKmMgG]")) {
            throw StartupException.badValue("kaiku.cassandra.local.heap", "'" + heap + "' is not a JVM heap size such as 512M");
        }
        List<String> contactPoints = c.hasPath(CONTACT_POINTS) ? read(c, CONTACT_POINTS, c::getStringList) : List.of();
        for (String point : contactPoints) {
            checkHostPort(CONTACT_POINTS, point);
        }
        String clusterHost = read(c, CLUSTER_HOST, c::getString);
        if (clusterHost.isBlank()) {
            throw StartupException.badValue(CLUSTER_HOST, "must not be empty");
        }
        List<String> seedNodes = c.hasPath(SEED_NODES) ? read(c, SEED_NODES, c::getStringList) : List.of();
        for (String seed : seedNodes) {
            checkHostPort(SEED_NODES, seed);
        }
        if (!seedNodes.isEmpty() && contactPoints.isEmpty()) {
            // each node would start its own embedded Cassandra: accounts split across stores
            throw StartupException.badValue(SEED_NODES, "the nodes of a cluster share one Cassandra: set "
                    + CONTACT_POINTS + " (--cassandra HOST:PORT; `kaiku cassandra` runs one node for this machine)");
        }
        int cql = port(c, "kaiku.cassandra.local.cql-port", 1);
        int storage = port(c, "kaiku.cassandra.local.storage-port", 1);
        int jmx = port(c, "kaiku.cassandra.local.jmx-port", 1);
        if (storage == cql || jmx == cql) {
            throw StartupException.badValue("kaiku.cassandra.local.cql-port", "must differ from storage-port and jmx-port");
        }
        if (storage == jmx) {
            throw StartupException.badValue("kaiku.cassandra.local.storage-port", "must differ from jmx-port");
        }
        return new DeploySettings(
                Path.of(read(c, ConfigLoader.DATA_DIR, c::getString)).toAbsolutePath().normalize(),
                read(c, "kaiku.domain", c::getString),
                port(c, ADMIN_PORT, 0),
                clusterHost,
                port(c, CLUSTER_PORT, 0),
                List.copyOf(seedNodes),
                positive(c, "kaiku.cluster.join-timeout"),
                positive(c, "kaiku.start-timeout"),
                positive(c, "kaiku.stop-timeout"),
                List.copyOf(contactPoints),
                cql,
                storage,
                jmx,
                heap,
                cp.isBlank() ? null : Path.of(cp).toAbsolutePath().normalize());
    }

    /** True when Kaiku starts (or reuses) its own Cassandra node under the data dir. */
    public boolean embeddedCassandra() {
        return contactPoints.isEmpty();
    }

    /** True when this node joins the cluster of {@link #seedNodes} instead of forming its own. */
    public boolean joinsSeeds() {
        return !seedNodes.isEmpty();
    }

    /** The seed nodes as Pekko addresses ({@code pekko://kaiku@host:port}). */
    public List<String> seedAddresses() {
        return seedNodes.stream().map(DeploySettings::pekkoAddress).toList();
    }

    /** {@code host:port} (IPv6 literal in brackets) as the Pekko address of a Kaiku node. */
    public static String pekkoAddress(String hostPort) {
        return "pekko://" + SYSTEM_NAME + "@" + hostPort;
    }

    public Path cassandraDir() {
        return dataDir.resolve("cassandra");
    }

    /**
     * Checks a {@code host:port} contact point ({@code [v6]:port} for IPv6 literals).
     *
     * @throws StartupException naming {@code key}
     */
    public static void checkHostPort(String key, String value) {
        int colon = value.lastIndexOf(':');
        String host = colon > 0 ? value.substring(0, colon) : "";
        String port = colon > 0 ? value.substring(colon + 1) : "";
        if (host.isBlank() || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw StartupException.badValue(key, "'" + value + "' is not HOST:PORT");
        }
    }

    private static <T> T read(Config c, String key, Function<String, T> getter) {
        try {
            return getter.apply(key);
        } catch (ConfigException.Missing e) {
            throw StartupException.badValue(key, "missing (deploy's application.conf should define it)");
        } catch (ConfigException e) {
            throw new StartupException(key, e.getMessage(), true, e);
        }
    }

    private static int port(Config c, String key, int min) {
        int v;
        try {
            v = c.getInt(key);
        } catch (ConfigException.WrongType e) {
            throw StartupException.badValue(key, "'" + c.getValue(key).unwrapped() + "' is not a port number");
        } catch (ConfigException e) {
            throw new StartupException(key, e.getMessage(), true, e);
        }
        if (v < min || v > 65535) {
            throw StartupException.badValue(key, v + " is not a port number (" + min + " to 65535)");
        }
        return v;
    }

    private static Duration positive(Config c, String key) {
        Duration d = read(c, key, c::getDuration);
        if (d.isNegative() || d.isZero()) {
            throw StartupException.badValue(key, "must be positive, got " + d);
        }
        return d;
    }
}
