package org.kaiku.persistence.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The files a {@link LocalCassandra} node keeps under its data directory: cassandra.yaml,
 * logback.xml, the pid file and the logs, plus the node's class path file built by the
 * {@code persistence/cassandra-node} module.
 */
final class NodeFiles {

    /** System property naming the class path file (surefire sets it for this module's tests). */
    static final String CLASSPATH_PROPERTY = "kaiku.cassandra.classpath-file";

    /** Where the cassandra-node module writes the class path, relative to the project root. */
    static final Path CLASSPATH_RELATIVE = Path.of("persistence", "cassandra-node", "target", "cassandra.classpath");

    private final Path dataDir;

    NodeFiles(Path dataDir) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
    }

    Path dataDir() {
        return dataDir;
    }

    Path yaml() {
        return dataDir.resolve("cassandra.yaml");
    }

    Path logback() {
        return dataDir.resolve("logback.xml");
    }

    Path pidFile() {
        return dataDir.resolve("cassandra.pid");
    }

    Path lockFile() {
        return dataDir.resolve("launch.lock");
    }

    Path classpathArgs() {
        return dataDir.resolve("classpath.args");
    }

    Path logDir() {
        return dataDir.resolve("logs");
    }

    Path stdout() {
        return logDir().resolve("stdout.log");
    }

    Path systemLog() {
        return logDir().resolve("system.log");
    }

    /** Writes cassandra.yaml and logback.xml for a node bound to 127.0.0.1 only. */
    void writeConfig(LocalCassandra.Config config, List<String> classpath) {
        try {
            Files.createDirectories(logDir());
            Files.writeString(classpathArgs(), JvmArguments.classpathArgs(classpath), StandardCharsets.UTF_8);
            Files.writeString(yaml(), yamlText(config), StandardCharsets.UTF_8);
            Files.writeString(logback(), logbackText(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Cassandra configuration under " + dataDir, e);
        }
    }

    private String yamlText(LocalCassandra.Config config) {
        String dir = dataDir.toString();
        return String.join("\n",
                "# Written by Kaiku's LocalCassandra at each start; edits are overwritten.",
                "cluster_name: kaiku-local",
                "num_tokens: 1",
                "initial_token: 0",
                "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
                "endpoint_snitch: SimpleSnitch",
                "data_file_directories: ['" + dir + "/data']",
                "commitlog_directory: '" + dir + "/commitlog'",
                "saved_caches_directory: '" + dir + "/saved_caches'",
                "hints_directory: '" + dir + "/hints'",
                "cdc_raw_directory: '" + dir + "/cdc_raw'",
                "seed_provider:",
                "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
                "    parameters:",
                "      - seeds: \"127.0.0.1:" + config.storagePort() + "\"",
                "listen_address: 127.0.0.1",
                "rpc_address: 127.0.0.1",
                "storage_port: " + config.storagePort(),
                "native_transport_port: " + config.cqlPort(),
                "start_native_transport: true",
                "authenticator: AllowAllAuthenticator",
                "authorizer: AllowAllAuthorizer",
                "role_manager: CassandraRoleManager",
                "network_authorizer: AllowAllNetworkAuthorizer",
                "# Every write is fsynced to the commit log before it is acknowledged (see LocalCassandra).",
                "commitlog_sync: batch",
                "commitlog_segment_size: 8MiB",
                "memtable_heap_space: 64MiB",
                "memtable_offheap_space: 64MiB",
                "key_cache_size: 8MiB",
                "counter_cache_size: 0MiB",
                "file_cache_size: 32MiB",
                "concurrent_compactors: 1",
                "auto_snapshot: false",
                "hinted_handoff_enabled: false",
                "dynamic_snitch: false",
                "");
    }

    private String logbackText() {
        return String.join("\n",
                "<configuration>",
                "  <appender name=\"FILE\" class=\"ch.qos.logback.core.rolling.RollingFileAppender\">",
                "    <file>" + systemLog() + "</file>",
                "    <rollingPolicy class=\"ch.qos.logback.core.rolling.FixedWindowRollingPolicy\">",
                "      <fileNamePattern>" + logDir() + "/system.log.%i</fileNamePattern>",
                "      <minIndex>1</minIndex><maxIndex>5</maxIndex>",
                "    </rollingPolicy>",
                "    <triggeringPolicy class=\"ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy\">",
                "      <maxFileSize>10MB</maxFileSize>",
                "    </triggeringPolicy>",
                "    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>",
                "  </appender>",
                "  <appender name=\"STDOUT\" class=\"ch.qos.logback.core.ConsoleAppender\">",
                "    <filter class=\"ch.qos.logback.classic.filter.ThresholdFilter\"><level>WARN</level></filter>",
                "    <encoder><pattern>%-5level %date{ISO8601} %msg%n</pattern></encoder>",
                "  </appender>",
                "  <root level=\"INFO\"><appender-ref ref=\"FILE\"/><appender-ref ref=\"STDOUT\"/></root>",
                "</configuration>",
                "");
    }

    /**
     * The command line of a process: /proc/pid/cmdline where it exists (complete, unlike
     * ProcessHandle.Info, which Linux JDKs cut at 4 KB or omit when argv[0] is not the binary's
     * real path), else what ProcessHandle.Info knows.
     */
    static Optional<String> commandLine(ProcessHandle process) {
        Path proc = Path.of("/proc", Long.toString(process.pid()), "cmdline");
        try {
            if (Files.isReadable(proc)) {
                String raw = new String(Files.readAllBytes(proc), StandardCharsets.UTF_8);
                return raw.isEmpty() ? Optional.empty() : Optional.of(raw.replace('\0', ' ').trim());
            }
        } catch (IOException e) {
            // the process ended meanwhile; fall through
        }
        return process.info().commandLine();
    }

    /** The last lines of the node's stdout and system log, for failure messages. */
    String logTail(int lines) {
        StringBuilder out = new StringBuilder();
        for (Path log : List.of(stdout(), systemLog())) {
            out.append("--- ").append(log).append(" (last ").append(lines).append(" lines)\n");
            for (String line : tail(log, lines)) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    private static List<String> tail(Path file, int lines) {
        if (!Files.isRegularFile(file)) {
            return List.of("(missing)");
        }
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return all.subList(Math.max(0, all.size() - lines), all.size());
        } catch (IOException | UncheckedIOException e) {
            return List.of("(unreadable: " + e + ")");
        }
    }

    /**
     * The class path file: the system property {@value #CLASSPATH_PROPERTY}, else
     * persistence/cassandra-node/target/cassandra.classpath found walking up from the working
     * directory.
     */
    static Path locateClasspathFile() {
        String property = System.getProperty(CLASSPATH_PROPERTY);
        if (property != null && !property.isBlank()) {
            return requireClasspathFile(Path.of(property));
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(CLASSPATH_RELATIVE);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("Cassandra class path file not found: set -D" + CLASSPATH_PROPERTY
                + " or build it with `mvn -pl persistence/cassandra-node generate-resources` (looked for "
                + CLASSPATH_RELATIVE + " from " + Path.of("").toAbsolutePath() + " upwards)");
    }

    static Path requireClasspathFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("Cassandra class path file " + file + " is missing: build it with "
                    + "`mvn -pl persistence/cassandra-node generate-resources`");
        }
        return file.toAbsolutePath();
    }

    /** The class path entries; each must exist (a stale file after a cleaned ~/.m2 fails here). */
    static List<String> readClasspath(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Cassandra class path file " + file, e);
        }
        List<String> entries = new ArrayList<>(Arrays.asList(text.split(java.io.File.pathSeparator)));
        entries.removeIf(String::isBlank);
        if (entries.stream().noneMatch(e -> Path.of(e).getFileName().toString().startsWith("cassandra-all-"))) {
            throw new IllegalStateException("class path file " + file + " does not name cassandra-all; rebuild it with "
                    + "`mvn -pl persistence/cassandra-node generate-resources`");
        }
        for (String entry : entries) {
            if (!Files.exists(Path.of(entry))) {
                throw new IllegalStateException("class path file " + file + " names " + entry + ", which is missing; "
                        + "rebuild it with `mvn -pl persistence/cassandra-node generate-resources`");
            }
        }
        return entries;
    }
}
