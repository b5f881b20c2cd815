package org.kaiku.persistence.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.OptionsMap;
import com.datastax.oss.driver.api.core.config.TypedDriverOption;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kaiku's own single Cassandra 5.0 node, run from the Maven artifacts in a JVM of its own (never
 * in the server's JVM: it brings its own Guava, Netty and logback). It serves the embedded
 * default (one server, no Cassandra to install) and the tests.
 *
 * <p>The node belongs to its data directory, not to the JVM that launched it: a node started
 * earlier for the same directory and still running is reused, and {@link #close()} stops the
 * node whether this instance started it or reused it. It listens on 127.0.0.1 only.
 *
 * <p>Durability: the node runs with {@code commitlog_sync: batch}, so a write is acknowledged only
 * after its commit log entry has been fsynced. Acknowledged writes therefore survive kill -9 of
 * the node and also a crash of the machine or a power loss, which a periodic window (Cassandra's
 * default: 10 s) would not cover: a single node has no replica to recover the lost window from.
 * The cost is one fsync of latency on each write (sub-millisecond on SSDs, several ms on network
 * disks); concurrent writes share one fsync, so throughput stays far above what one XMPP server
 * writes.
 *
 * <p>Memory: heap {@code -Xms256M -Xmx<heap>}. Run as root, Cassandra's mlockall would pin the
 * whole heap in RAM; when {@code setpriv} exists the node is started without CAP_IPC_LOCK and with
 * {@code ulimit -l 64}, which keeps a 512M-heap node near 0.5 GB resident instead of 0.8 GB.
 */
public final class LocalCassandra implements AutoCloseable {

    /** Cassandra's single-node data centre name (SimpleSnitch). */
    public static final String DATACENTER = "datacenter1";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern HEAP = Pattern.compile("(\\d+)([KkMmGg])");
    private static final long MIN_HEAP_BYTES = 256L << 20;
    private static final int CAP_SETPCAP = 8;
    private static final int CAP_IPC_LOCK = 14;

    /**
     * Where and how the node runs.
     *
     * @param classpathFile the node's class path file, or null to locate it (see
     *     {@link #locateClasspathFile()})
     * @param heap the maximum heap, as for -Xmx ("512M", "1G")
     */
    public record Config(Path dataDir, int cqlPort, int storagePort, int jmxPort, Path classpathFile, String heap) {
        public Config {
            if (dataDir == null) {
                throw new IllegalArgumentException("dataDir is required");
            }
            dataDir = dataDir.toAbsolutePath().normalize();
            if (dataDir.toString().contains("'")) {
                throw new IllegalArgumentException("dataDir must not contain a quote: " + dataDir);
            }
            for (int port : new int[] {cqlPort, storagePort, jmxPort}) {
                if (port < 1 || port > 65535) {
                    throw new IllegalArgumentException("port out of range: " + port);
                }
            }
            if (cqlPort == storagePort || cqlPort == jmxPort || storagePort == jmxPort) {
                throw new IllegalArgumentException("cql, storage and jmx ports must differ");
            }
            if (heap == null || !HEAP.matcher(heap).matches()) {
                throw new IllegalArgumentException("heap must look like 512M or 1G, not " + heap);
            }
        }
    }

    private final Config config;
    private final NodeFiles files;
    private final ProcessHandle process;
    private final boolean reused;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LocalCassandra(Config config, NodeFiles files, ProcessHandle process, boolean reused) {
        this.config = config;
        this.files = files;
        this.process = process;
        this.reused = reused;
    }

    /**
     * Reuses the node already running for {@code config.dataDir()}, or starts one; returns once a
     * driver session connects. Fails with the node's log tail if it exits or does not answer
     * within 120 s.
     */
    @SuppressWarnings("try") // the lock is held by the try block, never read
    public static LocalCassandra startOrReuse(Config config) {
        NodeFiles files = new NodeFiles(config.dataDir());
        synchronized (LocalCassandra.class) { // FileChannel.lock is per JVM, not per thread
            try {
                Files.createDirectories(files.logDir());
                try (FileChannel channel = FileChannel.open(files.lockFile(),
                                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        FileLock lock = channel.lock()) {
                    Optional<ProcessHandle> running = runningNode(files, config);
                    LocalCassandra node = running
                            .map(handle -> new LocalCassandra(config, files, handle, true))
                            .orElseGet(() -> new LocalCassandra(config, files, launch(config, files), false));
                    node.awaitReady();
                    return node;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot lock " + files.lockFile(), e);
            }
        }
    }

    /** The class path file named by the system property or found walking up the directories. */
    public static Path locateClasspathFile() {
        return NodeFiles.locateClasspathFile();
    }

    /** Where clients reach the node's CQL port. */
    public InetSocketAddress contactPoint() {
        return new InetSocketAddress("127.0.0.1", config.cqlPort());
    }

    /** The node's process id. */
    public long pid() {
        return process.pid();
    }

    /** True when this instance found the node already running instead of starting it. */
    public boolean reused() {
        return reused;
    }

    public Config config() {
        return config;
    }

    /** Stops the node: SIGTERM, up to 30 s for a clean shutdown, then SIGKILL. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (process.isAlive()) {
            process.destroy();
            try {
                process.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                process.destroyForcibly();
                process.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> null).join();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                throw new IllegalStateException("waiting for Cassandra to stop failed", e);
            }
        }
        try {
            if (readPid(files).orElse(-1L) == process.pid()) {
                Files.deleteIfExists(files.pidFile());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + files.pidFile(), e);
        }
    }

    private static Optional<ProcessHandle> runningNode(NodeFiles files, Config config) throws IOException {
        Optional<ProcessHandle> handle = readPid(files).flatMap(ProcessHandle::of)
                .filter(ProcessHandle::isAlive)
                .filter(h -> NodeFiles.commandLine(h).map(cmd -> cmd.contains(configArgument(files))).orElse(false));
        if (handle.isEmpty()) {
            Files.deleteIfExists(files.pidFile()); // stale: the node died or the pid was recycled
            return handle;
        }
        int port = readPort(files);
        if (port != config.cqlPort()) {
            throw new IllegalStateException("the Cassandra node of " + files.dataDir() + " (pid " + handle.get().pid()
                    + ") serves CQL on port " + port + ", not " + config.cqlPort() + "; stop it first");
        }
        return handle;
    }

    private static ProcessHandle launch(Config config, NodeFiles files) {
        int feature = Runtime.version().feature();
        if (feature != 11 && feature != 17) {
            throw new IllegalStateException("Cassandra 5.0 runs on Java 11 or 17; this JVM is Java " + feature);
        }
        for (int port : new int[] {config.cqlPort(), config.storagePort(), config.jmxPort()}) {
            if (answers(port)) {
                throw new IllegalStateException("port " + port + " on 127.0.0.1 is already in use; "
                        + "cannot start Cassandra for " + files.dataDir());
            }
        }
        Path classpathFile = config.classpathFile() != null
                ? NodeFiles.requireClasspathFile(config.classpathFile())
                : NodeFiles.locateClasspathFile();
        List<String> classpath = NodeFiles.readClasspath(classpathFile);
        files.writeConfig(config, classpath);
        List<String> command = new ArrayList<>();
        if (canDropIpcLock()) {
            command.addAll(List.of("/bin/sh", "-c",
                    "ulimit -l 64; exec setpriv --bounding-set=-ipc_lock --inh-caps=-ipc_lock \"$@\"", "sh"));
        }
        command.addAll(JvmArguments.of(config, files, classpath));
        try {
            rotate(files.stdout());
            Process started = new ProcessBuilder(command)
                    .directory(files.dataDir().toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(files.stdout().toFile())
                    .start();
            Files.writeString(files.pidFile(), started.pid() + " " + config.cqlPort() + "\n", StandardCharsets.UTF_8);
            return started.toHandle();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Cassandra: " + command.get(0), e);
        }
    }

    /**
     * True when this JVM holds CAP_IPC_LOCK (so the node's mlockall would pin its heap) and
     * CAP_SETPCAP (so setpriv may drop it), and setpriv exists. Without CAP_IPC_LOCK the
     * default memlock limit already makes mlockall fail harmlessly.
     */
    static boolean canDropIpcLock() {
        if (!Files.isExecutable(Path.of("/usr/bin/setpriv")) && !Files.isExecutable(Path.of("/bin/setpriv"))) {
            return false;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                    return (caps & (1L << CAP_IPC_LOCK)) != 0 && (caps & (1L << CAP_SETPCAP)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        RuntimeException lastFailure = null;
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Cassandra (pid " + process.pid() + ") exited before its CQL port "
                        + config.cqlPort() + " answered\n" + files.logTail(40), lastFailure);
            }
            if (System.nanoTime() > deadline) {
                close();
                throw new IllegalStateException("Cassandra (pid " + process.pid() + ") did not answer on CQL port "
                        + config.cqlPort() + " within " + START_TIMEOUT.toSeconds() + " s; stopped it\n"
                        + files.logTail(40), lastFailure);
            }
            if (answers(config.cqlPort())) {
                try {
                    probe();
                    if (process.isAlive()) { // the port was ours, not a stranger's
                        return;
                    }
                } catch (RuntimeException e) {
                    lastFailure = e;
                }
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Cassandra", e);
            }
        }
    }

    /** Opens a driver session and reads system.local; throws while the node is not ready. */
    private void probe() {
        OptionsMap options = OptionsMap.driverDefaults();
        options.put(TypedDriverOption.CONTACT_POINTS, List.of("127.0.0.1:" + config.cqlPort()));
        options.put(TypedDriverOption.LOAD_BALANCING_LOCAL_DATACENTER, DATACENTER);
        options.put(TypedDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10));
        options.put(TypedDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10));
        options.put(TypedDriverOption.METADATA_SCHEMA_ENABLED, false);
        options.put(TypedDriverOption.METADATA_TOKEN_MAP_ENABLED, false);
        try (CqlSession session = CqlSession.builder()
                .withConfigLoader(DriverConfigLoader.fromMap(options))
                .build()) {
            session.execute("SELECT release_version FROM system.local").one();
        }
    }

    static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static String configArgument(NodeFiles files) {
        return "-Dcassandra.config=" + files.yaml().toUri();
    }

    private static Optional<Long> readPid(NodeFiles files) throws IOException {
        return pidFileField(files, 0);
    }

    private static int readPort(NodeFiles files) throws IOException {
        return pidFileField(files, 1).map(Long::intValue).orElse(-1);
    }

    private static Optional<Long> pidFileField(NodeFiles files, int index) throws IOException {
        if (!Files.isRegularFile(files.pidFile())) {
            return Optional.empty();
        }
        String[] fields = Files.readString(files.pidFile(), StandardCharsets.UTF_8).trim().split("\\s+");
        try {
            return fields.length > index ? Optional.of(Long.parseLong(fields[index])) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void rotate(Path log) throws IOException {
        if (Files.exists(log)) {
            Files.move(log, log.resolveSibling(log.getFileName() + ".1"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static long heapBytes(String heap) {
        Matcher m = HEAP.matcher(heap);
        if (!m.matches()) {
            throw new IllegalArgumentException("heap must look like 512M or 1G, not " + heap);
        }
        long value = Long.parseLong(m.group(1));
        return switch (Character.toUpperCase(m.group(2).charAt(0))) {
            case 'K' -> value << 10;
            case 'M' -> value << 20;
            default -> value << 30;
        };
    }

    static String initialHeap(String heap) {
        return heapBytes(heap) < MIN_HEAP_BYTES ? heap : "256M";
    }
}
