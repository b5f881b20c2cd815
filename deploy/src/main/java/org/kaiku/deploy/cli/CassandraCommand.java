package org.kaiku.deploy.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.kaiku.deploy.config.ConfigLoader;
import org.kaiku.deploy.config.DeploySettings;
import org.kaiku.deploy.config.StartupException;
import org.kaiku.persistence.cassandra.LocalCassandra;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kaiku cassandra}: Kaiku's local Cassandra node on its own, in the foreground until
 * SIGTERM or Ctrl-C, so that several Kaiku nodes on this machine share it ({@code kaiku run
 * --cassandra 127.0.0.1:PORT --seed-nodes ...}). It is the node {@code kaiku run} would embed
 * (same {@code kaiku.cassandra.local.*} settings, same directory {@code DIR/cassandra}, loopback
 * only, commit log synced per write); a node already running for that directory is reused, and
 * stopped when this command stops. For Kaiku nodes on several machines use a Cassandra cluster of
 * your own: this node listens on 127.0.0.1 only.
 */
@Command(name = "cassandra", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Run the local Cassandra node alone, for several Kaiku nodes on this machine (Ctrl-C or SIGTERM stops it).")
public final class CassandraCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory; the node lives in DIR/cassandra (kaiku.data-dir, default ./data).")
    String dataDir;

    @Option(names = "--cql-port", paramLabel = "P", converter = Converters.ConnectPort.class,
            description = "CQL port on 127.0.0.1 (kaiku.cassandra.local.cql-port, default 9142).")
    Integer cqlPort;

    @Option(names = "--config", paramLabel = "FILE", description = "HOCON file layered under the flags.")
    Path configFile;

    @Option(names = {"-v", "--verbose"}, description = "Print stack traces of failures.")
    boolean verbose;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, Object> flags = new LinkedHashMap<>();
        Flags.put(flags, "--data-dir", dataDir);
        Flags.put(flags, "--cql-port", cqlPort);
        // the local node's settings only: a shared --config may name contact points and seeds
        DeploySettings settings = DeploySettings.fromConfig(ConfigLoader.load(flags, configFile)
                .withoutPath(DeploySettings.SEED_NODES));
        LocalCassandra.Config local = new LocalCassandra.Config(settings.cassandraDir(), settings.localCqlPort(),
                settings.localStoragePort(), settings.localJmxPort(), settings.classpathFile(), settings.localHeap());
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        LocalCassandra[] node = new LocalCassandra[1];
        Thread hook = new Thread(() -> {
            stop.countDown();
            synchronized (node) {
                if (node[0] != null) {
                    node[0].close();
                }
            }
            stopped.countDown();
        }, "kaiku-cassandra-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            synchronized (node) {
                node[0] = LocalCassandra.startOrReuse(local);
            }
        } catch (RuntimeException e) {
            throw StartupException.runtime("kaiku.cassandra.local", "the Cassandra node did not start: " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("Cassandra ready: cql=127.0.0.1:" + settings.localCqlPort() + " data=" + settings.cassandraDir()
                + (node[0].reused() ? " (reused a running node)" : ""));
        out.flush();
        stop.await();
        stopped.await();
        return 0;
    }
}
