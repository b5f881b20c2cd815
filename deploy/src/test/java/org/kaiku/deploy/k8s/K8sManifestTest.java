package org.kaiku.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kaiku.deploy.KaikuServer;
import org.kaiku.deploy.cluster.TwoNodeClusterTest;
import org.kaiku.deploy.config.ConfigLoader;
import org.kaiku.deploy.management.ManagementSettings;
import org.kaiku.persistence.cassandra.LocalCassandra;

/**
 * The Kubernetes manifests in {@code deploy/k8s} agree with the node they run: the probes name the
 * container port that {@code kaiku.management.port} of the ConfigMap's {@code kaiku.conf} sets and
 * paths a real node serves (this test starts one from that file, with loopback addresses and a
 * Cassandra node of its own, and gets 200 from each probe path, then a failure from the readiness path
 * (500) once Cassandra is gone while the liveness path stays 200); the container ports match the
 * configured listeners; the discovery label selector matches the pod template's labels; the
 * Role bound to the pods' service account lets them get, list and watch pods; both Services
 * select the pods and name ports the container declares.
 */
class K8sManifestTest {
    private static final Path DIR = Path.of("k8s");
    private static final List<JsonNode> DOCS = new ArrayList<>();

    @BeforeAll
    static void parse() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                try (var it = yaml.readerFor(JsonNode.class).<JsonNode>readValues(f.toFile())) {
                    while (it.hasNext()) {
                        JsonNode doc = it.next();
                        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                            DOCS.add(doc);
                        }
                    }
                }
            }
        }
    }

    private static List<JsonNode> all(String kind) {
        return DOCS.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
    }

    private static JsonNode one(String kind) {
        List<JsonNode> found = all(kind);
        assertThat(found).as("one %s in deploy/k8s", kind).hasSize(1);
        return found.get(0);
    }

    private static JsonNode container() {
        JsonNode containers = one("StatefulSet").path("spec").path("template").path("spec").path("containers");
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    /** The container's ports by name. */
    private static Map<String, Integer> containerPorts() {
        Map<String, Integer> ports = new HashMap<>();
        container().path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
        return ports;
    }

    /** A probe's or Service's port: a name of a container port, or a number. */
    private static int resolve(JsonNode port) {
        if (port.isInt()) {
            return port.asInt();
        }
        Integer p = containerPorts().get(port.asText());
        assertThat(p).as("container port named %s", port.asText()).isNotNull();
        return p;
    }

    /** The ConfigMap's kaiku.conf, layered over the defaults as `kaiku run --config` would, plus {@code flags}. */
    private static Config kaikuConf(Map<String, Object> flags) throws Exception {
        Path file = Files.createTempFile("kaiku-k8s", ".conf");
        try {
            Files.writeString(file, text());
            return ConfigLoader.load(flags, file);
        } finally {
            Files.delete(file);
        }
    }

    /**
     * The file's own values over the defaults, also over this JVM's system properties (the build
     * gives test servers {@code -Dkaiku.management.port=0}): what a pod would run with.
     */
    private static Config asInThePod() throws Exception {
        return ConfigFactory.parseString(text()).withFallback(kaikuConf(Map.of())).resolve();
    }

    private static String text() {
        return one("ConfigMap").path("data").path("kaiku.conf").asText();
    }

    @Test
    void manifestsAgreeWithTheConfiguration() throws Exception {
        Config conf = asInThePod();
        JsonNode sts = one("StatefulSet");
        JsonNode podSpec = sts.path("spec").path("template").path("spec");
        Map<String, Integer> ports = containerPorts();

        assertThat(container().path("command").toString()).contains("/etc/kaiku/conf/kaiku.conf");
        assertThat(ports.get("xmpp-client")).isEqualTo(conf.getInt("kaiku.c2s.port"));
        assertThat(ports.get("xmpps-client")).isEqualTo(conf.getInt("kaiku.c2s.tls-port"));
        assertThat(ports.get("remoting")).isEqualTo(conf.getInt("kaiku.cluster.port"));
        assertThat(ports.get(ManagementSettings.MANAGEMENT_PORT_NAME)).isEqualTo(conf.getInt(ManagementSettings.PORT));
        assertThat(conf.getString("kaiku.c2s.bind-host")).isEqualTo("0.0.0.0");
        assertThat(conf.getString("kaiku.management.bind-host")).isEqualTo("0.0.0.0");
        assertThat(conf.getStringList("kaiku.cassandra.contact-points")).isNotEmpty();

        // probes: the management port, the paths of Pekko Management's health checks
        ManagementSettings management = ManagementSettings.fromConfig(conf);
        Config pekko = management.pekkoOverrides().withFallback(conf);
        JsonNode readiness = container().path("readinessProbe").path("httpGet");
        JsonNode liveness = container().path("livenessProbe").path("httpGet");
        assertThat(resolve(readiness.path("port"))).isEqualTo(management.port());
        assertThat(resolve(liveness.path("port"))).isEqualTo(management.port());
        assertThat(resolve(container().path("startupProbe").path("httpGet").path("port"))).isEqualTo(management.port());
        assertThat(readiness.path("path").asText()).isEqualTo("/" + pekko.getString("pekko.management.health-checks.readiness-path"));
        assertThat(liveness.path("path").asText()).isEqualTo("/" + pekko.getString("pekko.management.health-checks.liveness-path"));
        assertThat(pekko.getConfig("pekko.management.health-checks.readiness-checks").root().keySet())
                .contains("cluster-membership", "kaiku-cassandra", "kaiku-xmpp-listener");

        // discovery: Kubernetes API, the label selector matches the pods, contact point = management port
        assertThat(management.discoveryMethod()).isEqualTo("kubernetes-api");
        assertThat(pekko.getString("pekko.management.cluster.bootstrap.contact-point-discovery.port-name"))
                .isEqualTo(ManagementSettings.MANAGEMENT_PORT_NAME);
        String selector = String.format(conf.getString("pekko.discovery.kubernetes-api.pod-label-selector"), management.serviceName());
        Map<String, String> podLabels = labels(sts.path("spec").path("template").path("metadata").path("labels"));
        for (String term : selector.split(",")) {
            String[] kv = term.split("=", 2);
            assertThat(podLabels).as("pod template labels vs selector %s", selector).containsEntry(kv[0].strip(), kv[1].strip());
        }
        assertThat(podLabels).containsAllEntriesOf(labels(sts.path("spec").path("selector").path("matchLabels")));
        assertThat(sts.path("spec").path("replicas").asInt()).isGreaterThanOrEqualTo(management.requiredContactPoints());
        assertThat(sts.path("spec").path("podManagementPolicy").asText()).isEqualTo("Parallel");

        // RBAC: the pods' service account may get, list and watch pods
        String account = podSpec.path("serviceAccountName").asText();
        assertThat(all("ServiceAccount")).anyMatch(sa -> sa.path("metadata").path("name").asText().equals(account));
        JsonNode binding = one("RoleBinding");
        assertThat(binding.path("subjects")).anyMatch(s -> s.path("kind").asText().equals("ServiceAccount")
                && s.path("name").asText().equals(account));
        JsonNode role = one("Role");
        assertThat(binding.path("roleRef").path("kind").asText()).isEqualTo("Role");
        assertThat(binding.path("roleRef").path("name").asText()).isEqualTo(role.path("metadata").path("name").asText());
        List<String> verbs = new ArrayList<>();
        for (JsonNode rule : role.path("rules")) {
            if (contains(rule.path("apiGroups"), "") && contains(rule.path("resources"), "pods")) {
                rule.path("verbs").forEach(v -> verbs.add(v.asText()));
            }
        }
        assertThat(verbs).contains("get", "list", "watch");

        // Services: the headless one for the StatefulSet, the client one on 5222/5223
        Map<String, JsonNode> services = new HashMap<>();
        all("Service").forEach(s -> services.put(s.path("metadata").path("name").asText(), s));
        JsonNode headless = services.get(sts.path("spec").path("serviceName").asText());
        assertThat(headless).as("the StatefulSet's serviceName").isNotNull();
        assertThat(headless.path("spec").path("clusterIP").asText()).isEqualTo("None");
        for (JsonNode s : services.values()) {
            assertThat(podLabels).containsAllEntriesOf(labels(s.path("spec").path("selector")));
            for (JsonNode p : s.path("spec").path("ports")) {
                resolve(p.path("targetPort"));
            }
        }
        List<Integer> clientPorts = new ArrayList<>();
        for (JsonNode s : services.values()) {
            if (s != headless) {
                s.path("spec").path("ports").forEach(p -> clientPorts.add(resolve(p.path("targetPort"))));
            }
        }
        assertThat(clientPorts).containsExactlyInAnyOrder(conf.getInt("kaiku.c2s.port"), conf.getInt("kaiku.c2s.tls-port"));
    }

    @Test
    void aNodeRunFromTheConfigMapServesTheProbePaths() throws Exception {
        Path work = Path.of("target", "k8s-" + System.nanoTime()).toAbsolutePath();
        int[] p = TwoNodeClusterTest.freePorts(3);
        LocalCassandra cassandra = LocalCassandra.startOrReuse(new LocalCassandra.Config(work.resolve("cassandra"), p[0], p[1], p[2],
                null, "512M"));
        KaikuServer node = null;
        try {
            Map<String, Object> loopback = new HashMap<>();
            loopback.put("kaiku.data-dir", work.resolve("data").toString());
            loopback.put("kaiku.c2s.bind-host", "127.0.0.1");
            loopback.put("kaiku.c2s.port", 0);
            loopback.put("kaiku.c2s.tls-port", -1);
            loopback.put("kaiku.tls.keystore", "");
            loopback.put("kaiku.admin.port", 0);
            loopback.put("kaiku.cluster.port", 0);
            loopback.put("kaiku.cluster.bootstrap.discovery-method", ""); // no Kubernetes API here: a cluster of one
            loopback.put("kaiku.management.bind-host", "");
            loopback.put("kaiku.management.port", 0);
            loopback.put("kaiku.cassandra.contact-points", List.of("127.0.0.1:" + cassandra.contactPoint().getPort()));
            loopback.put("kaiku.cassandra.replication", "{'class':'SimpleStrategy','replication_factor':1}");
            node = KaikuServer.start(kaikuConf(loopback));
            String base = "http://127.0.0.1:" + node.managementPort();
            String ready = container().path("readinessProbe").path("httpGet").path("path").asText();
            String alive = container().path("livenessProbe").path("httpGet").path("path").asText();
            String startup = container().path("startupProbe").path("httpGet").path("path").asText();
            // the "sharding" check passes once the account region has registered with its coordinator
            TwoNodeClusterTest.await("ready", () -> get(base + ready) == 200);
            assertThat(get(base + alive)).isEqualTo(200);
            assertThat(get(base + startup)).isEqualTo(200);
            assertThat(get(base + "/cluster/members")).isEqualTo(200);

            // Cassandra gone: not ready (new clients go elsewhere), still alive (not restarted)
            cassandra.close();
            TwoNodeClusterTest.await("/ready fails without Cassandra", () -> get(base + ready) != 200);
            assertThat(get(base + ready)).as("Pekko Management's failed check").isEqualTo(500);
            assertThat(get(base + alive)).isEqualTo(200);
        } finally {
            if (node != null) {
                node.close();
            }
            cassandra.close();
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static int get(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            throw new AssertionError("GET " + url + ": " + e, e);
        }
    }

    private static Map<String, String> labels(JsonNode node) {
        Map<String, String> m = new HashMap<>();
        node.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode v : array) {
            if (v.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }
}
