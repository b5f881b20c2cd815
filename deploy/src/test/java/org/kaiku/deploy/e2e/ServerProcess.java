package org.kaiku.deploy.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kaiku node in a process of its own, started the way `kaiku run` starts it (KaikuMain with
 * flags), so a test can stop it with SIGTERM or kill it with SIGKILL like an operator or a crash.
 * Its output goes to a log file beside the data dir.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("Kaiku ready: .*c2s=(\\d+) c2s-tls=(-?\\d+) admin=(\\d+)");

    final Process process;
    final int c2sPort;
    final int c2sTlsPort;
    final int adminPort;
    final long startMillis;
    final long readyMillis;

    private ServerProcess(Process process, int c2s, int tls, int admin, long startMillis, long readyMillis) {
        this.process = process;
        this.c2sPort = c2s;
        this.c2sTlsPort = tls;
        this.adminPort = admin;
        this.startMillis = startMillis;
        this.readyMillis = readyMillis;
    }

    /** Ports chosen once per test so that restarts keep the same addresses. */
    record Ports(int c2s, int c2sTls, int admin, int cluster, int cql, int storage, int jmx) {
        static Ports free() throws IOException {
            int[] p = new int[7];
            List<ServerSocket> held = new ArrayList<>();
            try {
                for (int i = 0; i < p.length; i++) {
                    ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"));
                    held.add(s);
                    p[i] = s.getLocalPort();
                }
            } finally {
                for (ServerSocket s : held) {
                    s.close();
                }
            }
            return new Ports(p[0], p[1], p[2], p[3], p[4], p[5], p[6]);
        }
    }

    static ServerProcess start(Path dataDir, Ports ports, Path log) throws Exception {
        return start(dataDir, ports, log, new String[0]);
    }

    /** As above, with more `kaiku run` flags (e.g. {@code --cassandra HOST:PORT}). */
    static ServerProcess start(Path dataDir, Ports ports, Path log, String... moreFlags) throws Exception {
        return start(dataDir, ports, log, List.of(), moreFlags);
    }

    /** As above, with more lines for the node's config file (HOCON, e.g. {@code kaiku.upload.enabled = on}). */
    static ServerProcess start(Path dataDir, Ports ports, Path log, List<String> moreConfig, String... moreFlags) throws Exception {
        Files.createDirectories(dataDir);
        Path conf = dataDir.resolveSibling(dataDir.getFileName() + ".conf");
        Files.writeString(conf, String.join("\n",
                "kaiku.cluster.port = " + ports.cluster(),
                "kaiku.cassandra.local.cql-port = " + ports.cql(),
                "kaiku.cassandra.local.storage-port = " + ports.storage(),
                "kaiku.cassandra.local.jmx-port = " + ports.jmx(),
                "kaiku.relay.port = 0",
                "kaiku.relay.socks5.port = 0",
                String.join("\n", moreConfig),
                ""));
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(javaBin, "-Xmx512m",
                "-Dkaiku.cassandra.classpath-file=" + System.getProperty("kaiku.cassandra.classpath-file"),
                "-Dkaiku.management.port=0", // several nodes on one machine
                "-cp", System.getProperty("java.class.path"),
                "org.kaiku.deploy.KaikuMain", "run",
                "--data-dir", dataDir.toString(),
                "--c2s-port", String.valueOf(ports.c2s()),
                "--c2s-tls-port", String.valueOf(ports.c2sTls()),
                "--admin-port", String.valueOf(ports.admin()),
                "--config", conf.toString()));
        cmd.addAll(List.of(moreFlags));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Matcher m = awaitLine(p, log, READY);
        long readyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        return new ServerProcess(p, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)), t0, readyMs);
    }

    /**
     * A node started through {@code deploy/bin/kaiku run ARGS} (the operator's script) with this
     * test JVM's class path ({@code KAIKU_CLASSPATH}, so the script does not build) and a small heap.
     */
    static ServerProcess startScript(Path log, String... runArgs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", Path.of("bin", "kaiku").toAbsolutePath().toString(), "run"));
        cmd.addAll(List.of(runArgs));
        long t0 = System.nanoTime();
        Process p = script(cmd).start();
        Matcher m = awaitLine(p, log, READY);
        long readyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        return new ServerProcess(p, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)), t0, readyMs);
    }

    /** {@code deploy/bin/kaiku ARGS} as a process builder: this JVM's classes, its java, a 256 MB heap. */
    static ProcessBuilder script(List<String> cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("KAIKU_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("KAIKU_JAVA_OPTS", "-Xmx256m -Dkaiku.management.port=0"); // several nodes on one machine
        return pb;
    }

    /**
     * Copies the process's output to {@code log} and returns the first line matching {@code ready};
     * kills the process if it exits or stays silent for 300 s.
     */
    static Matcher awaitLine(Process p, Path log, Pattern ready) {
        CompletableFuture<Matcher> found = new CompletableFuture<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 var w = Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                         java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
                String line;
                while ((line = r.readLine()) != null) {
                    w.write(line);
                    w.newLine();
                    w.flush();
                    Matcher m = ready.matcher(line);
                    if (m.find()) {
                        found.complete(m);
                    }
                }
            } catch (IOException e) {
                // process gone
            }
            found.completeExceptionally(new IllegalStateException("process exited before ready; see " + log));
        }, "server-output");
        pump.setDaemon(true);
        pump.start();
        try {
            return found.get(300, TimeUnit.SECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IllegalStateException("process did not become ready; log " + log + ":\n" + tail(log), e);
        }
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /**
     * {@code kaiku ARGS --admin-port P --data-dir D} as an operator types it against this server,
     * run in this JVM; returns the exit code and prints what the command printed.
     */
    int cli(Path dataDir, String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--admin-port", String.valueOf(adminPort), "--data-dir", dataDir.toString()));
        java.io.StringWriter out = new java.io.StringWriter();
        int code = org.kaiku.deploy.KaikuMain.execute(new java.io.PrintWriter(out, true), new java.io.PrintWriter(out, true),
                all.toArray(String[]::new));
        System.out.println("kaiku " + String.join(" ", args) + " -> " + code + " " + out);
        return code;
    }

    /** SIGTERM, as Ctrl-C or an init system would; returns the exit code. */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            throw new IllegalStateException("server did not stop on SIGTERM within 90 s");
        }
        return process.exitValue();
    }

    /** SIGKILL: the JVM dies at once, nothing runs on the way out. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /**
     * After a test: kills every server it started that still runs, and the Cassandra node of
     * {@code dataDir} if one is left (a failed test may skip the clean stop).
     */
    static void cleanUp(List<ServerProcess> started, Path dataDir) throws Exception {
        for (ServerProcess p : started) {
            if (p.process.isAlive()) {
                p.kill();
            }
        }
        Path pid = dataDir.resolve("cassandra").resolve("cassandra.pid");
        if (Files.exists(pid)) {
            long p = Long.parseLong(Files.readString(pid).trim().split("\\s+")[0]);
            java.util.Optional<ProcessHandle> h = ProcessHandle.of(p);
            if (h.isPresent()) {
                h.get().destroy();
                h.get().onExit().get(60, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            terminate();
        }
    }
}
