package org.kaiku.deploy.management;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.kaiku.deploy.config.DeploySettings;
import org.kaiku.deploy.config.StartupException;

/**
 * {@code kaiku.management.*} and {@code kaiku.cluster.bootstrap.*} (deploy's application.conf
 * comments each key), read once and turned into the {@code pekko.management.*},
 * {@code pekko.discovery.*} overrides the node's actor system starts with.
 *
 * @param enabled          whether the Pekko Management HTTP endpoint runs
 * @param host             the address it advertises (and binds unless {@code bindHost} is set)
 * @param bindHost         the interface it binds; empty: {@code host}
 * @param port             its port, 0 = a free one (not with Cluster Bootstrap: others must know it)
 * @param discoveryMethod  empty: no Cluster Bootstrap (seed nodes, or a cluster of one);
 *                         {@code config}: the {@code contactPoints} below; {@code kubernetes-api}:
 *                         the pods matching the label selector
 * @param contactPoints    management {@code host:port} of the nodes, for {@code config}
 * @param requiredContactPoints how many contact points must be found before a new cluster forms
 * @param serviceName      the service looked up ({@code app=<serviceName>} in Kubernetes by default)
 */
public record ManagementSettings(boolean enabled, String host, String bindHost, int port, String discoveryMethod,
                                 List<String> contactPoints, int requiredContactPoints, String serviceName) {
    public static final String ENABLED = "kaiku.management.enabled";
    public static final String HOST = "kaiku.management.host";
    public static final String PORT = "kaiku.management.port";
    public static final String DISCOVERY = "kaiku.cluster.bootstrap.discovery-method";
    public static final String CONTACT_POINTS = "kaiku.cluster.bootstrap.contact-points";
    /** The name of the management port in a Kubernetes pod spec, found by Kubernetes API discovery. */
    public static final String MANAGEMENT_PORT_NAME = "management";
    static final List<String> METHODS = List.of("", "config", "kubernetes-api");

    public static ManagementSettings fromConfig(Config c) {
        try {
            boolean enabled = c.getBoolean(ENABLED);
            String host = c.getString(HOST);
            if (host.isBlank()) {
                throw StartupException.badValue(HOST, "must not be empty");
            }
            int port = c.getInt(PORT);
            if (port < 0 || port > 65535) {
                throw StartupException.badValue(PORT, port + " is not a port number (0 to 65535)");
            }
            String method = c.getString(DISCOVERY);
            if (!METHODS.contains(method)) {
                throw StartupException.badValue(DISCOVERY, "'" + method + "' is none of \"\", config, kubernetes-api");
            }
            List<String> points = c.getStringList(CONTACT_POINTS);
            for (String p : points) {
                DeploySettings.checkHostPort(CONTACT_POINTS, p);
            }
            int required = c.getInt("kaiku.cluster.bootstrap.required-contact-points");
            if (required < 1) {
                throw StartupException.badValue("kaiku.cluster.bootstrap.required-contact-points", "must be at least 1");
            }
            String service = c.getString("kaiku.cluster.bootstrap.service-name");
            if (!method.isEmpty()) {
                if (!enabled) {
                    throw StartupException.badValue(DISCOVERY, "Cluster Bootstrap needs the management endpoint (" + ENABLED + " = on)");
                }
                if (port == 0) {
                    throw StartupException.badValue(PORT, "Cluster Bootstrap needs a fixed management port: the other nodes probe it");
                }
                if (!c.getStringList(DeploySettings.SEED_NODES).isEmpty()) {
                    throw StartupException.badValue(DISCOVERY, "use either Cluster Bootstrap or " + DeploySettings.SEED_NODES + ", not both");
                }
                if (c.getStringList(DeploySettings.CONTACT_POINTS).isEmpty()) {
                    throw StartupException.badValue(DISCOVERY, "the nodes of a cluster share one Cassandra: set " + DeploySettings.CONTACT_POINTS);
                }
            }
            if (method.equals("config") && points.isEmpty()) {
                throw StartupException.badValue(CONTACT_POINTS, "discovery-method config needs the nodes' management host:port");
            }
            return new ManagementSettings(enabled, host, c.getString("kaiku.management.bind-host"), port, method,
                    List.copyOf(points), required, service);
        } catch (ConfigException e) {
            throw new StartupException(keyOf(e), e.getMessage(), true, e);
        }
    }

    private static String keyOf(ConfigException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("kaiku.cluster.bootstrap") ? "kaiku.cluster.bootstrap" : "kaiku.management";
    }

    /** True when this node finds its cluster through Cluster Bootstrap rather than seed nodes. */
    public boolean bootstrap() {
        return !discoveryMethod.isEmpty();
    }

    /**
     * The Pekko settings: the HTTP endpoint's address, read-only cluster routes, Kaiku's readiness
     * checks beside Pekko's cluster-membership one, and for Cluster Bootstrap the discovery method.
     * With {@code config} discovery every contact point is on its own port (several nodes on one
     * machine), so probing does not keep only the contact points on this node's port.
     */
    public Config pekkoOverrides() {
        Map<String, Object> m = new HashMap<>();
        m.put("pekko.management.http.hostname", host);
        m.put("pekko.management.http.port", port);
        if (!bindHost.isBlank()) {
            m.put("pekko.management.http.bind-hostname", bindHost);
        }
        m.put("pekko.management.http.route-providers-read-only", true);
        m.put("pekko.management.health-checks.readiness-checks.kaiku-cassandra", CassandraReadyCheck.class.getName());
        m.put("pekko.management.health-checks.readiness-checks.kaiku-xmpp-listener", XmppListenerReadyCheck.class.getName());
        if (bootstrap()) {
            String b = "pekko.management.cluster.bootstrap.";
            m.put(b + "contact-point-discovery.service-name", serviceName);
            m.put(b + "contact-point-discovery.discovery-method", discoveryMethod);
            m.put(b + "contact-point-discovery.required-contact-point-nr", requiredContactPoints);
            m.put(b + "contact-point.fallback-port", port);
            if (discoveryMethod.equals("config")) {
                m.put(b + "contact-point.filter-on-fallback-port", false);
                List<Map<String, Object>> endpoints = new ArrayList<>();
                for (String p : contactPoints) {
                    int colon = p.lastIndexOf(':');
                    endpoints.add(Map.of("host", p.substring(0, colon), "port", Integer.parseInt(p.substring(colon + 1))));
                }
                m.put("pekko.discovery.config.services." + serviceName + ".endpoints", endpoints);
            }
            if (discoveryMethod.equals("kubernetes-api")) {
                // the pod's container port named "management" (deploy/k8s) is the contact point
                m.put(b + "contact-point-discovery.port-name", MANAGEMENT_PORT_NAME);
            }
        }
        return ConfigFactory.parseMap(m, "kaiku.management");
    }
}
