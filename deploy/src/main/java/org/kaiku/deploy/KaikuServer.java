package org.kaiku.deploy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.kaiku.deploy.admin.AdminServer;
import org.kaiku.deploy.admin.ClusterView;
import org.kaiku.deploy.admin.NodeStatus;
import org.kaiku.deploy.config.ConfigLoader;
import org.kaiku.deploy.config.DeploySettings;
import org.kaiku.deploy.config.StartupException;
import org.kaiku.deploy.management.ManagementSettings;
import org.kaiku.deploy.management.NodeReadiness;
import org.kaiku.engine.XmppEngine;
import org.kaiku.engine.auth.AccountService;
import org.kaiku.engine.config.EngineSettings;
import org.kaiku.engine.config.SettingsException;
import org.kaiku.engine.features.mam.MamModule;
import org.kaiku.engine.features.mam.MamSettings;
import org.kaiku.engine.features.mam.MessageArchiver;
import org.kaiku.engine.storage.StorageHealth;
import org.kaiku.engine.storage.Stores;
import org.kaiku.persistence.cassandra.CassandraAccountDataStore;
import org.kaiku.persistence.cassandra.CassandraArchiveStore;
import org.kaiku.persistence.cassandra.CassandraCredentialStore;
import org.kaiku.persistence.cassandra.CassandraHealthProbe;
import org.kaiku.persistence.cassandra.CassandraOfflineStore;
import org.kaiku.persistence.cassandra.CassandraSettings;
import org.kaiku.persistence.cassandra.JournalSchema;
import org.kaiku.persistence.cassandra.LocalCassandra;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kaiku node: Cassandra (its own embedded node unless {@code kaiku.cassandra.contact-points}
 * names a cluster), the "kaiku" actor system joined as a single-node Pekko cluster (sharded user
 * entities need a cluster even on one machine), the Cassandra stores (credentials, offline
 * messages, per-account XML documents, message archives), a {@link CassandraHealthProbe} feeding
 * the node's {@link StorageHealth} (what {@code kaiku status} reports, and what the engine refuses
 * work by while Cassandra is down), the XMPP engine and the admin endpoint; and Pekko Management
 * ({@code kaiku.management.*}: /ready, /alive, the cluster routes, the Cluster Bootstrap contact
 * point), started before the node joins its cluster so that probes answer "not ready" until the
 * node is Up, its stores connected and its client listener bound ({@link NodeReadiness}).
 * {@link #close()} stops them in reverse
 * order, the engine first so every client receives its closing {@code <system-shutdown/>}
 * stream error (RFC 6120 section 4.9.3.22).
 */
public final class KaikuServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KaikuServer.class);
    /** How often Cassandra is probed, and so retried while it is down. */
    static final Duration PROBE_EVERY = Duration.ofSeconds(1);
    /** How long {@code kaiku status} waits for the other nodes' shard statistics. */
    static final Duration CLUSTER_VIEW_TIMEOUT = Duration.ofSeconds(3);

    private final DeploySettings settings;
    private final EngineSettings engineSettings;
    private final Config config;
    private final ManagementSettings management;
    private volatile boolean stopRequested;
    private volatile boolean serving;
    private int managementPort = -1;
    private boolean started;
    private LocalCassandra localCassandra;
    private ActorSystem<Void> system;
    private CassandraCredentialStore credentials;
    private CassandraOfflineStore offline;
    private CassandraAccountDataStore accountData;
    private CassandraArchiveStore archive;
    private CassandraHealthProbe probe;
    private final StorageHealth health = new StorageHealth(java.time.Clock.systemUTC(), PROBE_EVERY);
    private final java.time.Instant startedAt = java.time.Instant.now();
    private XmppEngine engine;
    private AdminServer admin;
    private org.kaiku.relay.RelayNode relay;
    private boolean closed;

    private KaikuServer(DeploySettings settings, EngineSettings engineSettings, Config config, ManagementSettings management) {
        this.settings = settings;
        this.management = management;
        this.engineSettings = engineSettings;
        this.config = config;
    }

    /**
     * Validates every setting without starting anything.
     *
     * @param config a resolved tree, normally from {@link ConfigLoader#load}
     * @throws StartupException naming the first bad key ({@code usage()} true)
     */
    public static KaikuServer prepare(Config config) {
        DeploySettings settings = DeploySettings.fromConfig(config);
        EngineSettings engineSettings = engineSettings(config);
        archiveRetention(config);
        try {
            MamSettings.fromConfig(config);
        } catch (SettingsException e) {
            throw new StartupException(e.key(), e.problem(), true, e);
        }
        if (!settings.embeddedCassandra()) {
            cassandraSettings(config);
        }
        ManagementSettings management = ManagementSettings.fromConfig(config);
        checkDistinct(List.of(
                Map.entry("kaiku.c2s.port", engineSettings.c2sPort()),
                Map.entry("kaiku.c2s.tls-port", engineSettings.c2sTlsPort()),
                Map.entry(DeploySettings.ADMIN_PORT, settings.adminPort()),
                Map.entry(DeploySettings.CLUSTER_PORT, settings.clusterPort()),
                Map.entry(ManagementSettings.PORT, management.enabled() ? management.port() : -1)));
        return new KaikuServer(settings, engineSettings, config, management);
    }

    private static void checkDistinct(List<Map.Entry<String, Integer>> ports) {
        for (int i = 0; i < ports.size(); i++) {
            for (int j = 0; j < i; j++) {
                int port = ports.get(i).getValue();
                if (port > 0 && port == ports.get(j).getValue()) {
                    throw StartupException.badValue(ports.get(i).getKey(), "port " + port + " is also " + ports.get(j).getKey());
                }
            }
        }
    }

    /** {@link #prepare} then {@link #start()}: a node that serves clients when this returns. */
    public static KaikuServer start(Config config) {
        KaikuServer server = prepare(config);
        server.start();
        return server;
    }

    /**
     * Starts every part and returns when clients can connect. On failure, or when {@link #close()}
     * is called meanwhile (Ctrl-C during start), whatever had started is stopped again.
     *
     * @throws StartupException naming the key at fault ({@code usage()} false for a port in use,
     *                          an unreachable Cassandra and other conditions of the machine)
     */
    public synchronized void start() {
        if (started || closed) {
            throw new IllegalStateException(closed ? "closed" : "already started");
        }
        started = true;
        try {
            startAll();
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private void startAll() {
        Config config = this.config;
        checkPortsFree();
        try {
            Files.createDirectories(settings.dataDir());
        } catch (IOException e) {
            throw StartupException.runtime(ConfigLoader.DATA_DIR, "cannot create " + settings.dataDir() + ": " + e, e);
        }
        if (settings.embeddedCassandra()) {
            localCassandra = startLocalCassandra();
            InetSocketAddress cql = localCassandra.contactPoint();
            config = ConfigLoader.with(config, DeploySettings.CONTACT_POINTS, List.of(cql.getHostString() + ":" + cql.getPort()));
        }
        CassandraSettings cassandra = cassandraSettings(config);
        checkNotStopping();
        EmbeddedRelay.Started relayed = EmbeddedRelay.start(config, settings.dataDir());
        relay = relayed.relay();
        config = relayed.config();
        RelayBytestreams bytestreams = relayed.bytestreams();
        if (relay != null) {
            LOG.info("relay (STUN/TURN over UDP{}) on {}", config.getBoolean("kaiku.relay.tcp") ? " and TCP" : "", relay.stunAddress());
            if (relay.socks5() != null) {
                LOG.info("SOCKS5 bytestreams proxy (XEP-0065) on {}", relay.socks5().address());
            }
        }

        system = startActorSystem(clusterOverrides().withFallback(management.pekkoOverrides())
                .withFallback(CassandraSettings.pekkoOverrides(cassandra)).withFallback(config));
        ClusterLog.start(system);
        NodeReadiness readiness = NodeReadiness.get(Adapter.toClassic(system));
        if (management.enabled()) {
            // before joining: probes answer (not ready) meanwhile, and Cluster Bootstrap needs it
            try {
                managementPort = await(org.apache.pekko.management.javadsl.PekkoManagement.get(Adapter.toClassic(system)).start(),
                        settings.startTimeout(), ManagementSettings.PORT).port();
            } catch (StartupException e) {
                throw e;
            } catch (RuntimeException e) {
                throw StartupException.runtime(ManagementSettings.PORT, "cannot listen on " + management.host() + ":"
                        + management.port() + ": " + rootMessage(e), e);
            }
            LOG.info("management endpoint on http://{}:{}/ (ready, alive, cluster)", management.host(), managementPort);
        }
        join();
        checkNotStopping();

        try {
            credentials = CassandraCredentialStore.connect(cassandra);
            offline = CassandraOfflineStore.connect(cassandra);
            accountData = CassandraAccountDataStore.connect(cassandra);
            archive = CassandraArchiveStore.connect(cassandra, archiveRetention(config));
            // before any account entity recovers: the plugin's own lazy creation gave up for good on a slow first start
            JournalSchema.ensure(system, cassandra);
            probe = CassandraHealthProbe.start(cassandra, health, PROBE_EVERY);
            readiness.storage(() -> health.snapshot().up());
        } catch (RuntimeException e) {
            throw StartupException.runtime(DeploySettings.CONTACT_POINTS, "cannot use Cassandra at "
                    + cassandra.contactPoints() + ": " + rootMessage(e), e);
        }
        checkNotStopping();

        try {
            engine = await(XmppEngine.start(system, engineSettings, new Stores(credentials, offline, accountData, archive, health), bytestreams), settings.startTimeout(), "kaiku.start-timeout");
        } catch (SettingsException e) {
            throw StartupException.runtime(e.key(), e.problem(), e);
        }
        checkNotStopping();
        serving = true;
        readiness.listener(() -> serving);
        MessageArchiver archiver = engine.modules().module(MamModule.class).map(MamModule::archiver).orElse(null);
        NodeStatus status = new NodeStatus(startedAt, java.time.Clock.systemUTC(), engine::connections, health,
                () -> archiver == null ? 0 : archiver.pendingRetries(), () -> archiver == null ? 0 : archiver.lostWrites(),
                new ClusterView(system, CLUSTER_VIEW_TIMEOUT)::toJson);
        admin = AdminServer.start(settings.adminPort(), settings.dataDir(), engine.accounts(), settings.startTimeout(), status);
    }

    private void checkNotStopping() {
        if (stopRequested) {
            throw StartupException.runtime("run", "stopped while starting", null);
        }
    }

    /**
     * Fails fast, before the embedded Cassandra takes its seconds to start, when a fixed port is
     * taken. The real binds later still report a port lost to a race.
     */
    private void checkPortsFree() {
        if (management.enabled()) {
            checkFree(management.bindHost().isBlank() ? management.host() : management.bindHost(), management.port(), ManagementSettings.PORT);
        }
        checkFree(engineSettings.bindHost(), engineSettings.c2sPort(), "kaiku.c2s.port");
        checkFree(engineSettings.bindHost(), engineSettings.c2sTlsPort(), "kaiku.c2s.tls-port");
        checkFree("127.0.0.1", settings.adminPort(), DeploySettings.ADMIN_PORT);
        checkFree(settings.clusterHost(), settings.clusterPort(), DeploySettings.CLUSTER_PORT);
    }

    private static void checkFree(String host, int port, String key) {
        if (port <= 0) {
            return; // 0: any free port; -1: listener off
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (BindException e) {
            throw StartupException.runtime(key, "port " + port + " is in use", e);
        } catch (IOException e) {
            throw StartupException.runtime(key, "cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    private LocalCassandra startLocalCassandra() {
        LocalCassandra.Config local = new LocalCassandra.Config(settings.cassandraDir(), settings.localCqlPort(),
                settings.localStoragePort(), settings.localJmxPort(), settings.classpathFile(), settings.localHeap());
        LOG.info("starting the embedded Cassandra node under {} (CQL port {})", settings.cassandraDir(), settings.localCqlPort());
        try {
            return LocalCassandra.startOrReuse(local);
        } catch (Exception e) {
            throw StartupException.runtime("kaiku.cassandra.local", "the embedded Cassandra node did not start: " + rootMessage(e), e);
        }
    }

    /**
     * Artery on the configured host/port, the seed nodes, cluster provider, and our own shutdown
     * order.
     */
    private Config clusterOverrides() {
        return ConfigFactory.parseMap(Map.of(
                "pekko.actor.provider", "cluster",
                "pekko.remote.artery.transport", "tcp",
                "pekko.remote.artery.canonical.hostname", settings.clusterHost(),
                "pekko.remote.artery.canonical.port", settings.clusterPort(),
                "pekko.cluster.seed-nodes", settings.seedAddresses(),
                "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", "off"), "kaiku.cluster");
    }

    private ActorSystem<Void> startActorSystem(Config config) {
        try {
            return ActorSystem.create(Behaviors.empty(), DeploySettings.SYSTEM_NAME, config);
        } catch (RuntimeException e) {
            if (causedBy(e, BindException.class)) {
                throw StartupException.runtime(DeploySettings.CLUSTER_PORT, "port " + settings.clusterPort() + " is in use", e);
            }
            throw StartupException.runtime(DeploySettings.CLUSTER_PORT, "the actor system did not start: " + rootMessage(e), e);
        }
    }

    /**
     * A node without seed nodes forms its cluster by joining itself; with seed nodes Pekko joins
     * them (pekko.cluster.seed-nodes: the first seed forms the cluster when none of the others
     * answers, any other node retries until one does). Either way this waits until the node is Up.
     */
    private void join() {
        CompletableFuture<Void> up = new CompletableFuture<>();
        org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system)).registerOnMemberUp(() -> up.complete(null));
        if (management.bootstrap()) {
            LOG.info("looking for the cluster through Cluster Bootstrap ({} discovery of '{}')",
                    management.discoveryMethod(), management.serviceName());
            org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap.get(Adapter.toClassic(system)).start();
        } else if (!settings.joinsSeeds()) {
            Cluster cluster = Cluster.get(system);
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
        } else {
            LOG.info("joining the cluster of seed nodes {}", settings.seedNodes());
        }
        await(up, settings.joinTimeout(), "kaiku.cluster.join-timeout");
    }

    private static <T> T await(CompletionStage<T> stage, Duration timeout, String timeoutKey) {
        try {
            return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause);
        } catch (TimeoutException e) {
            throw StartupException.runtime(timeoutKey, "not done within " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
    }

    private static EngineSettings engineSettings(Config config) {
        try {
            return EngineSettings.fromConfig(config);
        } catch (SettingsException e) {
            throw new StartupException(e.key(), e.problem(), true, e);
        }
    }

    private static java.time.Duration archiveRetention(Config config) {
        try {
            return CassandraArchiveStore.retention(config);
        } catch (SettingsException e) {
            throw new StartupException(e.key(), e.problem(), true, e);
        }
    }

    private static CassandraSettings cassandraSettings(Config config) {
        try {
            return CassandraSettings.fromConfig(config);
        } catch (SettingsException e) {
            throw new StartupException(e.key(), e.problem(), true, e);
        } catch (IllegalArgumentException | com.typesafe.config.ConfigException e) {
            throw new StartupException("kaiku.cassandra", e.getMessage(), true, e);
        }
    }

    /** {@code Kaiku ready: domain=... c2s=... c2s-tls=... admin=... data=...}, with the bound ports. */
    public String readyLine() {
        return "Kaiku ready: domain=" + settings.domain() + " c2s=" + engine.c2sPort() + " c2s-tls=" + engine.c2sTlsPort()
                + " admin=" + admin.port() + " management=" + managementPort + " data=" + settings.dataDir();
    }

    public DeploySettings settings() {
        return settings;
    }

    public XmppEngine engine() {
        return engine;
    }

    public AccountService accounts() {
        return engine.accounts();
    }

    public ActorSystem<Void> system() {
        return system;
    }

    public int c2sPort() {
        return engine.c2sPort();
    }

    public int c2sTlsPort() {
        return engine.c2sTlsPort();
    }

    public int adminPort() {
        return admin.port();
    }

    /** The management endpoint's bound port; -1 when {@code kaiku.management.enabled} is off. */
    public int managementPort() {
        return managementPort;
    }

    /**
     * Stops admin endpoint, engine, actor system, the stores, local Cassandra. Idempotent;
     * safe from a shutdown hook while {@link #start()} still runs (start gives up at its next step).
     */
    @Override
    public void close() {
        stopRequested = true;
        synchronized (this) {
            if (!closed) {
                closed = true;
                stopAll();
            }
        }
    }

    private void stopAll() {
        boolean anythingStarted = localCassandra != null || system != null || relay != null;
        Duration timeout = settings.stopTimeout();
        step("admin endpoint", () -> {
            if (admin != null) {
                admin.close();
            }
        });
        serving = false; // readiness drops before clients are told to go
        step("engine", () -> {
            if (engine != null) {
                engine.stop().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
        step("management endpoint", () -> {
            if (managementPort >= 0) {
                org.apache.pekko.management.javadsl.PekkoManagement.get(Adapter.toClassic(system)).stop()
                        .toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
        step("actor system", () -> {
            if (system != null) {
                system.terminate();
                system.getWhenTerminated().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
        step("relay", () -> {
            if (relay != null) {
                relay.close();
            }
        });
        step("storage probe", () -> {
            if (probe != null) {
                probe.close();
            }
        });
        step("credential store", () -> {
            if (credentials != null) {
                credentials.close();
            }
        });
        step("offline message store", () -> {
            if (offline != null) {
                offline.close();
            }
        });
        step("account data store", () -> {
            if (accountData != null) {
                accountData.close();
            }
        });
        step("message archive store", () -> {
            if (archive != null) {
                archive.close();
            }
        });
        step("embedded Cassandra", () -> {
            if (localCassandra != null) {
                localCassandra.close();
            }
        });
        if (anythingStarted) {
            LOG.info("Kaiku stopped");
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void step(String what, Step step) {
        try {
            step.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("interrupted while stopping the {}", what);
        } catch (Exception e) {
            LOG.warn("stopping the {} failed: {}", what, rootMessage(e), e);
        }
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }
}
