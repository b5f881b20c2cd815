package org.kaiku.persistence.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One real Cassandra node for the whole test JVM, started on free loopback ports under target/
 * the first time a test asks for a {@link LocalCassandra} parameter, stopped (and its directory
 * removed) when JUnit closes its root store, or by a shutdown hook if the JVM ends first.
 */
public final class CassandraNodeExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(CassandraNodeExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LocalCassandra.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(SharedNode.class, type -> SharedNode.start(), SharedNode.class)
                .node();
    }

    /** A node in a fresh directory, with the JUnit store and a shutdown hook both able to end it. */
    record SharedNode(LocalCassandra node, Path dir) implements AutoCloseable {
        static SharedNode start() {
            Path dir = newDataDir();
            LocalCassandra node = LocalCassandra.startOrReuse(config(dir));
            SharedNode shared = new SharedNode(node, dir);
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "stop-test-cassandra"));
            return shared;
        }

        @Override
        public void close() {
            node.close();
            deleteTree(dir);
        }
    }

    /** A node configuration on three free loopback ports, with the node's small default heap. */
    static LocalCassandra.Config config(Path dir) {
        Set<Integer> ports = new HashSet<>();
        while (ports.size() < 3) {
            ports.add(freePort());
        }
        Integer[] p = ports.toArray(Integer[]::new);
        return new LocalCassandra.Config(dir, p[0], p[1], p[2], null, "512M");
    }

    static Path newDataDir() {
        try {
            Path target = Files.createDirectories(Path.of("target"));
            return Files.createTempDirectory(target, "cassandra-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Cassandra processes whose command line names this data directory's yaml. */
    static long processesFor(Path dataDir) {
        String yaml = dataDir.toAbsolutePath().normalize().resolve("cassandra.yaml").toUri().toString();
        return ProcessHandle.allProcesses()
                .filter(p -> NodeFiles.commandLine(p)
                        .map(cmd -> cmd.contains(JvmArguments.MAIN_CLASS) && cmd.contains(yaml))
                        .orElse(false))
                .count();
    }
}
