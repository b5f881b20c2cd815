package org.kaiku.persistence.cassandra;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a {@link LocalCassandra} node: the java of this JVM's java.home, Cassandra's
 * system properties, and the module flags Cassandra 5.0 needs on Java 17 (its
 * conf/jvm17-server.options), each as one argument.
 */
final class JvmArguments {

    static final String MAIN_CLASS = "org.apache.cassandra.service.CassandraDaemon";

    private static final List<String> EXPORTS = List.of(
            "java.base/jdk.internal.misc",
            "java.management.rmi/com.sun.jmx.remote.internal.rmi",
            "java.rmi/sun.rmi.registry",
            "java.rmi/sun.rmi.server",
            "java.sql/java.sql",
            "java.base/java.lang.ref",
            "jdk.unsupported/sun.misc",
            "jdk.compiler/com.sun.tools.javac.file",
            "jdk.attach/sun.tools.attach");

    private static final List<String> OPENS = List.of(
            "java.base/java.lang.module",
            "java.base/jdk.internal.loader",
            "java.base/jdk.internal.ref",
            "java.base/jdk.internal.reflect",
            "java.base/jdk.internal.math",
            "java.base/jdk.internal.module",
            "java.base/jdk.internal.util.jar",
            "jdk.management/com.sun.management.internal",
            "java.base/sun.nio.ch",
            "java.base/java.io",
            "java.base/java.lang.reflect",
            "jdk.compiler/com.sun.tools.javac",
            "java.base/java.lang",
            "java.base/java.util");

    private JvmArguments() {
    }

    /** The argument file's text: {@code -cp "<entries>"}, quoted as java's @-files want. */
    static String classpathArgs(List<String> classpath) {
        String joined = String.join(File.pathSeparator, classpath);
        return "-cp \"" + joined.replace("\\", "\\\\").replace("\"", "\\\"") + "\"\n";
    }

    static List<String> of(LocalCassandra.Config config, NodeFiles files, List<String> classpath) {
        String jamm = classpath.stream()
                .filter(entry -> Path.of(entry).getFileName().toString().startsWith("jamm-"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("the Cassandra class path lacks jamm"));
        List<String> args = new ArrayList<>();
        args.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        args.add("-Xms" + LocalCassandra.initialHeap(config.heap()));
        args.add("-Xmx" + config.heap());
        args.add("-Xss256k");
        args.add("-XX:+ExitOnOutOfMemoryError");
        args.add("-javaagent:" + jamm);
        args.add(LocalCassandra.configArgument(files));
        args.add("-Dcassandra-foreground=yes");
        args.add("-Dcassandra.storagedir=" + files.dataDir());
        args.add("-Dcassandra.logdir=" + files.logDir());
        args.add("-Dcassandra.jmx.local.port=" + config.jmxPort());
        args.add("-Dcassandra.skip_wait_for_gossip_to_settle=0");
        args.add("-Dcassandra.ring_delay_ms=1000");
        args.add("-Djava.net.preferIPv4Stack=true");
        args.add("-Dio.netty.tryReflectionSetAccessible=true");
        args.add("-Dlogback.configurationFile=" + files.logback());
        EXPORTS.forEach(module -> args.add("--add-exports=" + module + "=ALL-UNNAMED"));
        OPENS.forEach(module -> args.add("--add-opens=" + module + "=ALL-UNNAMED"));
        // The class path (~9 KB) goes into an argument file: the command line stays short enough
        // for ps and for /proc/<pid>/cmdline readers that stop at 4 KB.
        args.add("@" + files.classpathArgs());
        args.add(MAIN_CLASS);
        return args;
    }
}
