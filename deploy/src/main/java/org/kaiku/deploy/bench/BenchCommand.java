package org.kaiku.deploy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.kaiku.deploy.admin.AdminClient;
import org.kaiku.deploy.admin.MemoryStats;
import org.kaiku.deploy.cli.CommandFailure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kaiku bench}: the load tool of issue 4, a lean non-blocking XMPP client fleet that
 * speaks to any server (Kaiku, ejabberd, Prosody) on this machine. Each scenario logs its
 * sessions in (STARTTLS, SASL, bind, roster, presence), does its part, and writes one JSON
 * object ({@code --out}) plus a readable summary; progress goes to stderr once a second.
 * Every phase ends by count or by {@code --timeout}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Load a local XMPP server (loopback only): login storm, one-to-one chat, group chat, notifications, "
                + "idle sessions, registration.",
        subcommands = {BenchCommand.Login.class, BenchCommand.Chat.class, BenchCommand.Muc.class, BenchCommand.Pubsub.class,
                BenchCommand.Idle.class, BenchCommand.Register.class})
public final class BenchCommand implements Runnable {
    private static final Pattern USER_PREFIX = Pattern.compile("[a-z][a-z0-9_-]{0,30}");

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing scenario: login, chat, muc, pubsub, idle or register");
    }

    /** Options every scenario shares. */
    abstract static class Scenario implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--host", defaultValue = "127.0.0.1", description = "Server address, loopback only (default ${DEFAULT-VALUE}).")
        String host;

        @Option(names = "--port", defaultValue = "5222", description = "Server's STARTTLS client port (default ${DEFAULT-VALUE}).")
        int port;

        @Option(names = "--domain", defaultValue = "localhost", description = "XMPP domain (default ${DEFAULT-VALUE}).")
        String domain;

        @Option(names = "--users", required = true, paramLabel = "N", description = "Number of sessions (users PREFIX1..PREFIXN).")
        int users;

        @Option(names = "--user-prefix", defaultValue = "bench", description = "Account name prefix (default ${DEFAULT-VALUE}).")
        String userPrefix;

        @Option(names = "--first-user", defaultValue = "1", description = "Number of the first account (default ${DEFAULT-VALUE}).")
        int firstUser;

        @Option(names = "--password", defaultValue = "bench-secret", description = "Password of every account (default ${DEFAULT-VALUE}).")
        String password;

        @Option(names = "--mechanisms", defaultValue = "SCRAM-SHA-1,PLAIN", split = ",",
                description = "SASL mechanisms by preference (default ${DEFAULT-VALUE}).")
        List<String> mechanisms;

        @Option(names = "--login-rate", defaultValue = "100", description = "New sessions a second (default ${DEFAULT-VALUE}).")
        double loginRate;

        @Option(names = "--max-in-flight", defaultValue = "500", description = "Sessions negotiating at once, at most (default ${DEFAULT-VALUE}).")
        int maxInFlight;

        @Option(names = "--threads", defaultValue = "2", description = "Event loop threads (default ${DEFAULT-VALUE}).")
        int threads;

        @Option(names = "--source-addresses", defaultValue = "127.0.0.1", split = ",",
                description = "Loopback addresses to connect from, in turn, beyond one address's ephemeral ports (default ${DEFAULT-VALUE}).")
        List<String> sourceAddresses;

        @Option(names = "--login-timeout", defaultValue = "60", description = "Seconds a session may take to get online (default ${DEFAULT-VALUE}).")
        int loginTimeout;

        @Option(names = "--timeout", defaultValue = "900", description = "Seconds the whole scenario may take (default ${DEFAULT-VALUE}).")
        int timeout;

        @Option(names = "--quick-ack", description = "Acknowledge every TCP segment at once (Linux TCP_QUICKACK) rather "
                + "than delaying ACKs like an ordinary client; hides the stall a server without TCP_NODELAY causes by "
                + "writing one reply in two segments (Tsung never waits for the second, so compare with Tsung this way).")
        boolean quickAck;

        @Option(names = "--warmup", defaultValue = "0", paramLabel = "N",
                description = "First log N sessions in and out, unmeasured, so that the JIT and TLS warm-up of the tool "
                        + "(and of the server) stay out of the figures (default ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--server-pid", paramLabel = "PID", split = ",",
                description = "The server's processes (e.g. Kaiku and its Cassandra): their CPU time (/proc/PID/stat) per "
                        + "login and per message, and for idle their resident set (/proc/PID/status VmRSS) before and after, summed.")
        List<Long> serverPids;

        @Option(names = "--label", defaultValue = "server", description = "Name of the server under test, copied into the result.")
        String label;

        @Option(names = "--out", paramLabel = "FILE", description = "Write the result as JSON here.")
        Path out;

        long deadline;
        BenchConfig config;
        List<InetSocketAddress> sources;

        abstract String name();

        abstract BenchClient.Mode mode();

        /** Runs the scenario's own part once the fleet is connected; adds its figures. */
        abstract void measure(Fleet fleet, ObjectNode result, PrintWriter progress, CpuClock cpu) throws Exception;

        /** Called before any session starts. */
        void before(ObjectNode result) throws Exception {
        }

        @Override
        public Integer call() throws Exception {
            check();
            InetSocketAddress server = BenchTargets.server(host, port);
            List<InetSocketAddress> sources = BenchTargets.sources(sourceAddresses);
            BenchConfig config = new BenchConfig(server, domain, password, mechanisms, "bench",
                    BenchTargets.trustingContext(), TimeUnit.SECONDS.toMillis(loginTimeout), quickAck);
            this.config = config;
            this.sources = sources;
            PrintWriter progress = spec.commandLine().getErr();
            PrintWriter stdout = spec.commandLine().getOut();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
            ObjectNode result = Report.JSON.createObjectNode();
            result.put("scenario", name());
            result.put("label", label);
            result.put("started", Instant.now().toString());
            result.put("target", server.getAddress().getHostAddress() + ":" + port);
            result.put("domain", domain);
            result.put("users", users);
            result.put("login_rate", loginRate);
            result.put("threads", threads);
            result.putPOJO("source_addresses", sourceAddresses);
            result.putPOJO("mechanisms", mechanisms);
            result.put("quick_ack", quickAck);
            if (warmup > 0 && mode() == BenchClient.Mode.LOGIN) {
                try (Fleet w = new Fleet(config, Math.min(warmup, users), userPrefix, firstUser, sources, threads, progress)) {
                    result.set("warmup", w.connectAll("warmup", BenchClient.Mode.LOGIN, loginRate, maxInFlight, deadline));
                }
            }
            before(result);
            CpuClock cpu = new CpuClock(serverPids);
            double toolCpu0 = CpuClock.toolSeconds();
            try (Fleet fleet = new Fleet(config, users, userPrefix, firstUser, sources, threads, progress)) {
                double serverCpu0 = cpu.serverSeconds();
                ObjectNode login = fleet.connectAll(name(), mode(), loginRate, maxInFlight, deadline);
                if (cpu.hasServer() && serverCpu0 >= 0) {
                    double used = cpu.serverSeconds() - serverCpu0;
                    login.put("server_cpu_seconds", Fleet.round(used));
                    long done = mode() == BenchClient.Mode.LOGIN ? fleet.online.sum() : fleet.created.sum() + fleet.existed.sum();
                    if (done > 0) {
                        login.put("server_cpu_ms_per_session", Fleet.round(used * 1000 / done));
                    }
                }
                result.set(mode() == BenchClient.Mode.REGISTER ? "register" : "login", login);
                measure(fleet, result, progress, cpu);
                result.put("dropped_after_online", fleet.droppedAfterOnline.sum());
                result.set("failures", fleet.failureCounts());
            }
            result.put("tool_cpu_seconds", Fleet.round(CpuClock.toolSeconds() - toolCpu0));
            result.put("finished", Instant.now().toString());
            if (out != null) {
                Report.write(result, out);
            }
            summary(result, stdout);
            return 0;
        }

        private void check() {
            if (users < 1) {
                throw new CommandFailure("--users", "must be at least 1", CommandFailure.USAGE);
            }
            if (!USER_PREFIX.matcher(userPrefix).matches()) {
                throw new CommandFailure("--user-prefix", "must match " + USER_PREFIX, CommandFailure.USAGE);
            }
            if (warmup < 0) {
                throw new CommandFailure("--warmup", "must not be negative", CommandFailure.USAGE);
            }
            if (loginRate <= 0 || maxInFlight < 1 || threads < 1 || threads > 64 || timeout < 1 || loginTimeout < 1) {
                throw new CommandFailure(null, "--login-rate, --max-in-flight, --threads (1-64), --timeout and "
                        + "--login-timeout must be positive", CommandFailure.USAGE);
            }
            for (String m : mechanisms) {
                if (!List.of("SCRAM-SHA-1", "SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN").contains(m)) {
                    throw new CommandFailure("--mechanisms", m + " is not one of SCRAM-SHA-1, SCRAM-SHA-256, SCRAM-SHA-512, PLAIN",
                            CommandFailure.USAGE);
                }
            }
        }

        /** A few readable lines; the JSON (--out) has everything. */
        private void summary(ObjectNode result, PrintWriter stdout) {
            if (result.has("register")) {
                JsonNode r = result.get("register");
                stdout.printf("%s register: %d created, %d existed, %d failed%n", label, r.path("created").asLong(),
                        r.path("existed").asLong(), r.path("failed").asLong());
            } else {
                JsonNode l = result.get("login");
                stdout.printf("%s %s: %d/%d online, %.1f logins/s, login p50 %s ms, p99 %s ms, %d failed%s%n", label, name(),
                        l.path("online").asLong(), users, l.path("logins_per_s").asDouble(),
                        l.path("login_ms").path("p50").asText("-"), l.path("login_ms").path("p99").asText("-"),
                        l.path("failed").asLong(), l.has("server_cpu_ms_per_session")
                                ? ", server CPU " + l.get("server_cpu_ms_per_session").asText() + " ms/login" : "");
            }
            JsonNode chat = result.path("chat");
            for (JsonNode st : chat.path("steps")) {
                stdout.printf("%s chat step %d: offered %.0f/s, delivered %.1f/s, p50 %s ms, p99 %s ms, loss %d%n", label,
                        st.path("step").asInt(), st.path("offered_per_s").asDouble(), st.path("delivered_per_s").asDouble(),
                        st.path("latency_ms").path("p50").asText("-"), st.path("latency_ms").path("p99").asText("-"),
                        st.path("loss").asLong());
            }
            if (chat.has("knee")) {
                JsonNode k = chat.get("knee");
                stdout.printf("%s chat: knee %s, total loss %d%s%n", label,
                        k.isNull() ? "none" : "at step " + k.path("step").asInt() + " (" + k.path("delivered_per_s").asText() + " msg/s)",
                        chat.path("loss").asLong(), chat.has("stopped") ? ", stopped: " + chat.get("stopped").asText() : "");
            }
            JsonNode muc = result.path("muc");
            if (muc.has("join")) {
                JsonNode j = muc.get("join");
                stdout.printf("%s muc: %d joined %s, %d refused, join p50 %s ms, p99 %s ms%n", label, j.path("joined").asLong(),
                        muc.path("room").asText(), j.path("refused").asLong(), j.path("join_ms").path("p50").asText("-"),
                        j.path("join_ms").path("p99").asText("-"));
            }
            for (JsonNode st : muc.path("steps")) {
                stdout.printf("%s muc step %d: %.0f msg/s to %d occupants, delivered %.1f/s, p50 %s ms, p99 %s ms, loss %d%n", label,
                        st.path("step").asInt(), st.path("offered_msg_per_s").asDouble(), st.path("occupants").asInt(),
                        st.path("delivered_per_s").asDouble(), st.path("latency_ms").path("p50").asText("-"),
                        st.path("latency_ms").path("p99").asText("-"), st.path("loss").asLong());
            }
            if (muc.has("stopped")) {
                stdout.printf("%s muc: stopped: %s%n", label, muc.get("stopped").asText());
            }
            JsonNode pubsub = result.path("pubsub");
            if (pubsub.has("publish")) {
                JsonNode p = pubsub.get("publish");
                stdout.printf("%s pubsub: %d items to %d online subscribers (%d in all): %.1f deliveries/s, "
                                + "to last delivery p50 %s ms, max %s ms, loss %d%n", label, p.path("items").asInt(),
                        pubsub.path("online_subscribers").asLong(), pubsub.path("subscribers").asLong(),
                        p.path("deliveries_per_s").asDouble(), p.path("to_last_delivery_ms").path("p50").asText("-"),
                        p.path("to_last_delivery_ms").path("max").asText("-"), p.path("loss").asLong());
            }
            if (pubsub.has("stopped")) {
                stdout.printf("%s pubsub: stopped: %s%n", label, pubsub.get("stopped").asText());
            }
            JsonNode memory = result.path("memory");
            if (memory.has("sessions_held")) {
                stdout.printf("%s idle: %d sessions held; per session: RSS %s B, heap %s B, direct %s B%n", label,
                        memory.get("sessions_held").asInt(), memory.path("rss_per_session_bytes").asText("-"),
                        memory.path("heap_used_per_session_bytes").asText("-"),
                        memory.path("direct_buffers_per_session_bytes").asText("-"));
            }
            if (result.path("failures").size() > 0) {
                stdout.printf("%s failures: %s%n", label, result.get("failures"));
            }
            if (out != null) {
                stdout.println("result written to " + out);
            }
            stdout.flush();
        }
    }

    @Command(name = "login", mixinStandardHelpOptions = true,
            description = "Login storm: N sessions at --login-rate; logins a second and login time percentiles.")
    static final class Login extends Scenario {
        @Override
        String name() {
            return "login";
        }

        @Override
        BenchClient.Mode mode() {
            return BenchClient.Mode.LOGIN;
        }

        @Override
        void measure(Fleet fleet, ObjectNode result, PrintWriter progress, CpuClock cpu) {
            // the login phase is the measurement
        }
    }

    @Command(name = "chat", mixinStandardHelpOptions = true,
            description = "One-to-one chat at rising rates: delivered/s, latency percentiles and loss per step, the knee.")
    static final class Chat extends Scenario {
        @Option(names = "--rates", defaultValue = "100,200,400,800", split = ",",
                description = "Messages a second of each step, rising (default ${DEFAULT-VALUE}).")
        List<Double> rates;

        @Option(names = "--step-seconds", defaultValue = "10", description = "Seconds each step sends (default ${DEFAULT-VALUE}).")
        double stepSeconds;

        @Option(names = "--drain-seconds", defaultValue = "15", description = "Seconds to wait for a step's messages (default ${DEFAULT-VALUE}).")
        double drainSeconds;

        @Option(names = "--contacts", defaultValue = "20", description = "Contacts each user writes to in turn (default ${DEFAULT-VALUE}).")
        int contacts;

        @Override
        String name() {
            return "chat";
        }

        @Override
        BenchClient.Mode mode() {
            return BenchClient.Mode.LOGIN;
        }

        @Override
        void measure(Fleet fleet, ObjectNode result, PrintWriter progress, CpuClock cpu) throws InterruptedException {
            if (rates.isEmpty() || rates.stream().anyMatch(r -> r <= 0) || stepSeconds <= 0 || drainSeconds < 0 || contacts < 1) {
                throw new CommandFailure("--rates", "rates, --step-seconds and --contacts must be positive", CommandFailure.USAGE);
            }
            result.set("chat", ChatScenario.run(fleet, rates, stepSeconds, drainSeconds, contacts, deadline, progress, cpu));
        }
    }

    @Command(name = "muc", mixinStandardHelpOptions = true,
            description = "Group chat (XEP-0045): every user joins one room, a few post at rising rates; deliveries/s "
                    + "(messages times occupants), latency percentiles and loss per step, the knee.")
    static final class Muc extends Scenario {
        @Option(names = "--room", defaultValue = "bench", description = "Room name (default ${DEFAULT-VALUE}).")
        String room;

        @Option(names = "--service", description = "MUC service JID (default conference.DOMAIN).")
        String service;

        @Option(names = "--join-rate", description = "Joins a second after the room exists (default: --login-rate).")
        Double joinRate;

        @Option(names = "--join-timeout", defaultValue = "60",
                description = "Seconds to wait for the room's answers to the joins, and to the owner's form (default ${DEFAULT-VALUE}).")
        double joinTimeout;

        @Option(names = "--senders", defaultValue = "10", description = "Occupants that post, in turn (default ${DEFAULT-VALUE}).")
        int senders;

        @Option(names = "--rates", defaultValue = "1,2,4,8", split = ",",
                description = "Messages a second into the room, per step, rising (default ${DEFAULT-VALUE}).")
        List<Double> rates;

        @Option(names = "--step-seconds", defaultValue = "10", description = "Seconds each step sends (default ${DEFAULT-VALUE}).")
        double stepSeconds;

        @Option(names = "--drain-seconds", defaultValue = "15", description = "Seconds to wait for a step's deliveries (default ${DEFAULT-VALUE}).")
        double drainSeconds;

        @Override
        String name() {
            return "muc";
        }

        @Override
        BenchClient.Mode mode() {
            return BenchClient.Mode.LOGIN;
        }

        @Override
        void measure(Fleet fleet, ObjectNode result, PrintWriter progress, CpuClock cpu) throws InterruptedException {
            if (rates.isEmpty() || rates.stream().anyMatch(r -> r <= 0) || stepSeconds <= 0 || drainSeconds < 0 || senders < 1
                    || joinTimeout <= 0 || (joinRate != null && joinRate <= 0)) {
                throw new CommandFailure("--rates", "rates, --step-seconds, --senders, --join-rate and --join-timeout must be positive",
                        CommandFailure.USAGE);
            }
            String jid = room + "@" + (service == null ? "conference." + domain : service);
            result.set("muc", MucScenario.run(fleet, jid, joinRate == null ? loginRate : joinRate, maxInFlight, joinTimeout,
                    rates, stepSeconds, drainSeconds, senders, deadline, progress, cpu));
        }
    }

    @Command(name = "pubsub", mixinStandardHelpOptions = true,
            description = "Notifications (XEP-0060): one node, --subscribers in all of which --users online; items "
                    + "published one at a time, time from publish to the last delivery, deliveries/s. A server "
                    + "without PubSub is reported as not supported (exit 0).")
    static final class Pubsub extends Scenario {
        @Option(names = "--service", description = "PubSub service JID (default pubsub.DOMAIN).")
        String service;

        @Option(names = "--node", defaultValue = "bench", description = "Node name (default ${DEFAULT-VALUE}).")
        String node;

        @Option(names = "--subscribers", description = "Subscribers in all (default: --users); the accounts after the "
                + "online ones are subscribed by the node owner while offline.")
        Integer subscribers;

        @Option(names = "--items", defaultValue = "10", description = "Items to publish, one at a time (default ${DEFAULT-VALUE}).")
        int items;

        @Option(names = "--subscribe-batch", defaultValue = "500",
                description = "Offline subscribers per owner request (default ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--offline-subscribe", defaultValue = "owner",
                description = "How the offline subscribers get subscribed: owner (modify subscriptions, XEP-0060 8.8.2; "
                        + "falls back to login if refused) or login (each logs in, subscribes, logs out) (default ${DEFAULT-VALUE}).")
        String offlineSubscribe;

        @Option(names = "--request-timeout", defaultValue = "60",
                description = "Seconds to wait for an answer, or for an item's deliveries (default ${DEFAULT-VALUE}).")
        double requestTimeout;

        @Override
        String name() {
            return "pubsub";
        }

        @Override
        BenchClient.Mode mode() {
            return BenchClient.Mode.LOGIN;
        }

        @Override
        void measure(Fleet fleet, ObjectNode result, PrintWriter progress, CpuClock cpu) throws InterruptedException {
            int all = subscribers == null ? users : subscribers;
            if (all < users || items < 1 || batch < 1 || requestTimeout <= 0) {
                throw new CommandFailure("--subscribers", "--subscribers must be at least --users; --items, --subscribe-batch "
                        + "and --request-timeout positive", CommandFailure.USAGE);
            }
            if (!offlineSubscribe.equals("owner") && !offlineSubscribe.equals("login")) {
                throw new CommandFailure("--offline-subscribe", "must be owner or login", CommandFailure.USAGE);
            }
            PubsubScenario.Logins logins = (count, offset) -> {
                Fleet f = new Fleet(config, count, userPrefix, firstUser + offset, sources, threads, progress);
                f.connectAll("pubsub-offline", BenchClient.Mode.LOGIN, loginRate, maxInFlight, deadline);
                return f;
            };
            result.set("pubsub", PubsubScenario.run(fleet, service == null ? "pubsub." + domain : service, node, all, items,
                    batch, maxInFlight, requestTimeout, deadline, progress, cpu, logins, offlineSubscribe.equals("login")));
        }
    }

    @Command(name = "idle", mixinStandardHelpOptions = true,
            description = "Idle sessions: open N, hold them, report the server's memory per session.")
    static final class Idle extends Scenario {
        @Option(names = "--hold-seconds", defaultValue = "10", description = "Seconds to hold the sessions (default ${DEFAULT-VALUE}).")
        double holdSeconds;

        @Option(names = "--kaiku-admin-port", description = "Kaiku's admin port: read heap and direct memory from its /stats too.")
        Integer kaikuAdminPort;

        @Option(names = "--kaiku-data-dir", description = "Kaiku's data dir (for its admin token; default ./data).")
        Path kaikuDataDir;

        private ObjectNode before;

        @Override
        String name() {
            return "idle";
        }

        @Override
        BenchClient.Mode mode() {
            return BenchClient.Mode.LOGIN;
        }

        @Override
        void before(ObjectNode result) throws Exception {
            before = memory();
        }

        @Override
        void measure(Fleet fleet, ObjectNode result, PrintWriter progress, CpuClock cpu) throws Exception {
            long holdEnd = System.nanoTime() + (long) (holdSeconds * 1e9);
            while (System.nanoTime() - holdEnd < 0 && System.nanoTime() - deadline < 0) {
                Thread.sleep(Math.min(1000, Math.max(1, TimeUnit.NANOSECONDS.toMillis(holdEnd - System.nanoTime()))));
                progress.printf("kaiku bench: idle: holding %d sessions%n", fleet.onlineNow());
                progress.flush();
            }
            ObjectNode after = memory();
            int online = fleet.onlineNow();
            ObjectNode memory = Report.JSON.createObjectNode();
            memory.put("sessions_held", online);
            memory.set("before", before);
            memory.set("after", after);
            for (String field : List.of("rss_bytes", "heap_used_bytes", "direct_buffers_bytes")) {
                if (before.has(field) && after.has(field) && online > 0) {
                    memory.put(field.replace("_bytes", "_per_session_bytes"),
                            (after.get(field).asLong() - before.get(field).asLong()) / online);
                }
            }
            result.set("memory", memory);
        }

        private ObjectNode memory() throws Exception {
            ObjectNode node = Report.JSON.createObjectNode();
            if (kaikuAdminPort != null) {
                Path dir = kaikuDataDir == null ? Path.of("data") : kaikuDataDir;
                AdminClient.Response r = AdminClient.forDataDir(kaikuAdminPort, dir).stats(true);
                if (!r.ok()) {
                    throw new CommandFailure("--kaiku-admin-port", "stats: " + r.error(), CommandFailure.RUNTIME);
                }
                r.body().fields().forEachRemaining(e -> node.set(e.getKey(), e.getValue()));
            }
            if (serverPids != null && !serverPids.isEmpty()) {
                long total = 0;
                for (Long pid : serverPids) {
                    long rss = MemoryStats.rssBytes(Path.of("/proc", pid.toString(), "status"));
                    if (rss < 0) {
                        throw new CommandFailure("--server-pid", "cannot read /proc/" + pid + "/status", CommandFailure.RUNTIME);
                    }
                    node.put("rss_bytes_" + pid, rss);
                    total += rss;
                }
                // a Kaiku admin figure of the same name covers the Kaiku JVM only; this is the sum
                node.put("rss_bytes", total);
            }
            return node;
        }
    }

    @Command(name = "register", mixinStandardHelpOptions = true,
            description = "Create the accounts by in-band registration (XEP-0077) after STARTTLS; existing ones count as done. "
                    + "For servers that allow it (the harness's ejabberd and Prosody); Kaiku uses `kaiku user add-many`.")
    static final class Register extends Scenario {
        @Override
        String name() {
            return "register";
        }

        @Override
        BenchClient.Mode mode() {
            return BenchClient.Mode.REGISTER;
        }

        @Override
        void measure(Fleet fleet, ObjectNode result, PrintWriter progress, CpuClock cpu) {
            // registration is the whole job
        }
    }
}
