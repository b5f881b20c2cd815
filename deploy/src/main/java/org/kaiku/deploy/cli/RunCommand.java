package org.kaiku.deploy.cli;

import com.typesafe.config.Config;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.kaiku.deploy.KaikuServer;
import org.kaiku.deploy.config.ConfigLoader;
import org.kaiku.deploy.config.StartupException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kaiku run}: one node in the foreground until SIGTERM or Ctrl-C, which stop it cleanly
 * through a shutdown hook (clients receive their closing stream error first). Flags override the
 * {@code --config} file, which overrides the defaults. When the cluster downs this node (the Split
 * Brain Resolver on the losing side of a partition) the command stops the node and exits with 1,
 * so that a supervisor (systemd, Kubernetes) restarts it and it joins the cluster again.
 */
@Command(name = "run", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Run a Kaiku node in the foreground (Ctrl-C or SIGTERM stops it cleanly).")
public final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--domain", paramLabel = "D", description = "XMPP domain served (kaiku.domain, default localhost).")
    String domain;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory (kaiku.data-dir, default ./data).")
    String dataDir;

    @Option(names = "--c2s-port", paramLabel = "P", converter = Converters.ListenPort.class,
            description = "STARTTLS client port (kaiku.c2s.port, default 5222; 0 = any free port).")
    Integer c2sPort;

    @Option(names = "--c2s-tls-port", paramLabel = "P", converter = Converters.TlsPort.class,
            description = "Direct TLS client port (kaiku.c2s.tls-port, default 5223; -1 = off).")
    Integer c2sTlsPort;

    @Option(names = "--admin-port", paramLabel = "P", converter = Converters.ListenPort.class,
            description = "Admin HTTP port on 127.0.0.1 (kaiku.admin.port, default 5290).")
    Integer adminPort;

    @Option(names = "--cluster-host", paramLabel = "H",
            description = "Address the cluster port binds and other nodes reach this node at (kaiku.cluster.host, default 127.0.0.1).")
    String clusterHost;

    @Option(names = "--cluster-port", paramLabel = "P", converter = Converters.ListenPort.class,
            description = "Pekko cluster port (kaiku.cluster.port, default 2552).")
    Integer clusterPort;

    @Option(names = "--seed-nodes", paramLabel = "HOST:PORT", split = ",", converter = Converters.SeedNode.class,
            description = "Cluster addresses of the nodes to join (kaiku.cluster.seed-nodes; the same list on every node, "
                    + "the first one forms the cluster); needs --cassandra. Default: none, a cluster of one.")
    List<String> seedNodes;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", split = ",", converter = Converters.ContactPoint.class,
            description = "Find the cluster through Pekko Cluster Bootstrap instead of seed nodes: the management "
                    + "endpoints of the nodes (kaiku.cluster.bootstrap.contact-points, discovery-method config); needs --cassandra.")
    List<String> bootstrap;

    @Option(names = "--management-host", paramLabel = "H",
            description = "Address of the Pekko Management endpoint (/ready, /alive, /cluster; kaiku.management.host, default 127.0.0.1).")
    String managementHost;

    @Option(names = "--management-port", paramLabel = "P", converter = Converters.ListenPort.class,
            description = "Port of the Pekko Management endpoint (kaiku.management.port, default 7626; 0 = any free port).")
    Integer managementPort;

    @Option(names = "--cassandra", paramLabel = "HOST:PORT", split = ",", converter = Converters.HostPort.class,
            description = "External Cassandra contact points (kaiku.cassandra.contact-points); "
                    + "default: start an embedded node under DIR/cassandra.")
    List<String> cassandra;

    @Option(names = "--config", paramLabel = "FILE", description = "HOCON file layered under the flags.")
    Path configFile;

    @Option(names = {"-v", "--verbose"}, description = "Print stack traces of failures.")
    boolean verbose;

    /** The configuration this command would run with (flags > --config > defaults). */
    public Config resolveConfig() {
        Map<String, Object> flags = new LinkedHashMap<>();
        Flags.put(flags, "--domain", domain);
        Flags.put(flags, "--data-dir", dataDir);
        Flags.put(flags, "--c2s-port", c2sPort);
        Flags.put(flags, "--c2s-tls-port", c2sTlsPort);
        Flags.put(flags, "--admin-port", adminPort);
        Flags.put(flags, "--cluster-host", clusterHost);
        Flags.put(flags, "--cluster-port", clusterPort);
        Flags.put(flags, "--seed-nodes", seedNodes);
        Flags.put(flags, "--cassandra", cassandra);
        Flags.put(flags, "--management-host", managementHost);
        Flags.put(flags, "--management-port", managementPort);
        if (bootstrap != null) {
            Flags.put(flags, "--bootstrap", bootstrap);
            flags.put("kaiku.cluster.bootstrap.discovery-method", "config");
        }
        return ConfigLoader.load(flags, configFile);
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        KaikuServer server = KaikuServer.prepare(resolveConfig());
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean();
        CompletableFuture<Boolean> ended = new CompletableFuture<>(); // true: stopped by signal
        Thread hook = new Thread(() -> {
            stopping.set(true);
            server.close();
            stopped.countDown();
            ended.complete(true);
        }, "kaiku-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            server.start();
        } catch (RuntimeException e) {
            removeHook(hook);
            throw e;
        }
        // The actor system ends by itself when the cluster downs this node (the split brain
        // resolver on the minority side of a partition): nothing would serve clients any more.
        server.system().getWhenTerminated().thenRun(() -> ended.complete(false));
        out.println(server.readyLine());
        out.flush();
        boolean bySignal = ended.join();
        if (bySignal || stopping.get()) {
            stopped.await();
            return 0;
        }
        server.close();
        removeHook(hook);
        throw StartupException.runtime("kaiku.cluster", "this node was removed from its cluster (downed, see the log);"
                + " exiting so that a supervisor restarts it and it joins again", null);
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is already running; it finds the server closed
        }
    }
}
