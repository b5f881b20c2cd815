package org.kaiku.deploy.cli;

import com.typesafe.config.Config;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.kaiku.deploy.admin.AdminClient;
import org.kaiku.deploy.config.ConfigLoader;
import org.kaiku.deploy.config.DeploySettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kaiku user add|add-many|passwd|del|disable|enable|kick|list}: account administration through the running server's
 * admin endpoint (the server owns the credential store; the CLI never touches Cassandra).
 */
@Command(name = "user", mixinStandardHelpOptions = true,
        description = "Manage accounts on the running server.",
        subcommands = {UserCommand.Add.class, UserCommand.AddMany.class, UserCommand.Passwd.class, UserCommand.Del.class,
                UserCommand.Disable.class, UserCommand.Enable.class, UserCommand.Kick.class, UserCommand.ListUsers.class})
public final class UserCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: add, add-many, passwd, del, disable, enable, kick or list");
    }

    /** What every user subcommand needs to find the server. */
    abstract static class AdminCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--admin-port", paramLabel = "P", converter = Converters.ConnectPort.class,
                description = "The server's admin port (kaiku.admin.port, default 5290).")
        Integer adminPort;

        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "The server's data directory, holding admin.token (default ./data).")
        String dataDir;

        @Option(names = "--config", paramLabel = "FILE", description = "The server's HOCON file, for its admin port and data dir.")
        Path configFile;

        @Option(names = {"-v", "--verbose"}, description = "Print stack traces of failures.")
        boolean verbose;

        abstract AdminClient.Response call(AdminClient client) throws AdminClient.Unavailable;

        /** The line printed on success. */
        abstract String done(AdminClient.Response response);

        /** What a 400/404/409 is about (the JID, or the domain for list). */
        abstract String subject();

        int port;
        Path dir;

        /** The admin client of the server these flags name (sets {@link #port} and {@link #dir}). */
        AdminClient client() throws AdminClient.Unavailable {
            Map<String, Object> flags = new LinkedHashMap<>();
            Flags.put(flags, "--admin-port", adminPort);
            Flags.put(flags, "--data-dir", dataDir);
            Config config = ConfigLoader.load(flags, configFile);
            port = DeploySettings.fromConfig(config).adminPort();
            dir = Path.of(config.getString(ConfigLoader.DATA_DIR));
            return AdminClient.forDataDir(port, dir);
        }

        @Override
        public Integer call() {
            AdminClient.Response response;
            try {
                response = call(client());
            } catch (AdminClient.Unavailable e) {
                throw new CommandFailure(null, e.getMessage(), CommandFailure.RUNTIME);
            }
            return answer(response);
        }

        /** Prints the success line or throws the failure a response means. */
        int answer(AdminClient.Response response) {
            switch (response.status()) {
                case 200, 201 -> {
                    PrintWriter out = spec.commandLine().getOut();
                    String line = done(response);
                    if (!line.isEmpty()) {
                        out.println(line);
                    }
                    out.flush();
                    return 0;
                }
                case 400 -> throw new CommandFailure(subject(), response.error(), CommandFailure.USAGE);
                case 401 -> throw new CommandFailure(DeploySettings.ADMIN_PORT, "the server on port " + port
                        + " rejected the token in " + dir.resolve("admin.token")
                        + " (is it the server started with --data-dir " + dir + "?)", CommandFailure.RUNTIME);
                case 404, 409 -> throw new CommandFailure(subject(), response.error(), CommandFailure.RUNTIME);
                default -> throw new CommandFailure(null, "admin endpoint answered HTTP " + response.status() + ": "
                        + response.error(), CommandFailure.RUNTIME);
            }
        }

        /** The password argument, or a line read from standard input when it is "-". */
        static String password(String argument) {
            if (!"-".equals(argument)) {
                return argument;
            }
            try {
                String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                if (line == null || line.isEmpty()) {
                    throw new CommandFailure("PASSWORD", "no password on standard input", CommandFailure.USAGE);
                }
                return line;
            } catch (IOException e) {
                throw new CommandFailure("PASSWORD", "cannot read standard input: " + e.getMessage(), CommandFailure.RUNTIME);
            }
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Create an account.")
    static final class Add extends AdminCommand {
        @Parameters(index = "0", paramLabel = "JID", description = "Bare JID, e.g. alice@localhost.")
        String jid;

        @Parameters(index = "1", paramLabel = "PASSWORD", description = "The password, or - to read it from standard input.")
        String password;

        @Override
        AdminClient.Response call(AdminClient client) throws AdminClient.Unavailable {
            return client.addUser(jid, password(password));
        }

        @Override
        String done(AdminClient.Response response) {
            return jid + ": created";
        }

        @Override
        String subject() {
            return jid;
        }
    }

    /**
     * {@code kaiku user add-many PREFIX COUNT PASSWORD}: accounts PREFIX1..PREFIXCOUNT (from
     * {@code --first}) for load tests, a few requests in flight; accounts that exist already count
     * as done, so a re-run is cheap. Each account costs the server its SCRAM key derivations.
     */
    @Command(name = "add-many", mixinStandardHelpOptions = true,
            description = "Create accounts PREFIX<first>..PREFIX<first+COUNT-1>@DOMAIN with one password (load tests).")
    static final class AddMany extends AdminCommand {
        @Parameters(index = "0", paramLabel = "PREFIX", description = "Account name prefix, e.g. bench.")
        String prefix;

        @Parameters(index = "1", paramLabel = "COUNT", description = "How many accounts.")
        int count;

        @Parameters(index = "2", paramLabel = "PASSWORD", description = "The password of all of them, or - to read it from standard input.")
        String password;

        @Option(names = "--domain", defaultValue = "localhost", description = "Their domain (default ${DEFAULT-VALUE}).")
        String domain;

        @Option(names = "--first", defaultValue = "1", description = "Number of the first account (default ${DEFAULT-VALUE}).")
        int first;

        @Option(names = "--parallel", defaultValue = "4", description = "Requests in flight (default ${DEFAULT-VALUE}).")
        int parallel;

        @Override
        public Integer call() {
            if (count < 1 || parallel < 1 || parallel > 64) {
                throw new CommandFailure("COUNT", "COUNT must be at least 1 and --parallel 1 to 64", CommandFailure.USAGE);
            }
            if (!prefix.matches("[a-z][a-z0-9_.-]{0,30}")) {
                throw new CommandFailure("PREFIX", "must be lower-case letters, digits, '_', '.', '-'", CommandFailure.USAGE);
            }
            String pass = password(password);
            AdminClient client;
            try {
                client = client();
            } catch (AdminClient.Unavailable e) {
                throw new CommandFailure(null, e.getMessage(), CommandFailure.RUNTIME);
            }
            java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger created = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger existed = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicReference<RuntimeException> failure = new java.util.concurrent.atomic.AtomicReference<>();
            PrintWriter err = spec.commandLine().getErr();
            Runnable worker = () -> {
                int i;
                while (failure.get() == null && (i = next.getAndIncrement()) < count) {
                    String jid = prefix + (first + i) + "@" + domain;
                    try {
                        AdminClient.Response r = client.addUser(jid, pass);
                        if (r.status() == 201) {
                            created.incrementAndGet();
                        } else if (r.status() == 409) {
                            existed.incrementAndGet();
                        } else {
                            answer(r);
                        }
                    } catch (AdminClient.Unavailable e) {
                        failure.compareAndSet(null, new CommandFailure(null, e.getMessage(), CommandFailure.RUNTIME));
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e);
                    }
                    int done = created.get() + existed.get();
                    if (done % 1000 == 0 && done > 0) {
                        synchronized (err) {
                            err.println("kaiku: add-many: " + done + "/" + count);
                            err.flush();
                        }
                    }
                }
            };
            java.util.List<Thread> threads = new java.util.ArrayList<>();
            for (int t = 0; t < Math.min(parallel, count); t++) {
                Thread th = new Thread(worker, "add-many-" + t);
                th.start();
                threads.add(th);
            }
            try {
                for (Thread th : threads) {
                    th.join();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandFailure(null, "interrupted", CommandFailure.RUNTIME);
            }
            if (failure.get() != null) {
                throw failure.get();
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(prefix + first + ".." + prefix + (first + count - 1) + "@" + domain + ": " + created.get()
                    + " created, " + existed.get() + " existed");
            out.flush();
            return 0;
        }

        @Override
        AdminClient.Response call(AdminClient client) {
            throw new UnsupportedOperationException();
        }

        @Override
        String done(AdminClient.Response response) {
            return "";
        }

        @Override
        String subject() {
            return prefix + "*@" + domain;
        }
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true, description = "Change an account's password.")
    static final class Passwd extends AdminCommand {
        @Parameters(index = "0", paramLabel = "JID")
        String jid;

        @Parameters(index = "1", paramLabel = "PASSWORD", description = "The new password, or - to read it from standard input.")
        String password;

        @Override
        AdminClient.Response call(AdminClient client) throws AdminClient.Unavailable {
            return client.changePassword(jid, password(password));
        }

        @Override
        String done(AdminClient.Response response) {
            return jid + ": password changed";
        }

        @Override
        String subject() {
            return jid;
        }
    }

    @Command(name = "del", mixinStandardHelpOptions = true, description = "Delete an account: its sessions end and its roster, offline messages, archive and documents are erased.")
    static final class Del extends AdminCommand {
        @Parameters(index = "0", paramLabel = "JID")
        String jid;

        @Override
        AdminClient.Response call(AdminClient client) throws AdminClient.Unavailable {
            return client.deleteUser(jid);
        }

        @Override
        String done(AdminClient.Response response) {
            return jid + ": deleted";
        }

        @Override
        String subject() {
            return jid;
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Disable an account: its sessions end and it cannot log in until enabled again; nothing is erased.")
    static final class Disable extends AdminCommand {
        @Parameters(index = "0", paramLabel = "JID")
        String jid;

        @Override
        AdminClient.Response call(AdminClient client) throws AdminClient.Unavailable {
            return client.setDisabled(jid, true);
        }

        @Override
        String done(AdminClient.Response response) {
            return jid + ": disabled";
        }

        @Override
        String subject() {
            return jid;
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a disabled account again.")
    static final class Enable extends AdminCommand {
        @Parameters(index = "0", paramLabel = "JID")
        String jid;

        @Override
        AdminClient.Response call(AdminClient client) throws AdminClient.Unavailable {
            return client.setDisabled(jid, false);
        }

        @Override
        String done(AdminClient.Response response) {
            return jid + ": enabled";
        }

        @Override
        String subject() {
            return jid;
        }
    }

    @Command(name = "kick", mixinStandardHelpOptions = true, description = "End every session of an account; it may log in again at once.")
    static final class Kick extends AdminCommand {
        @Parameters(index = "0", paramLabel = "JID")
        String jid;

        @Override
        AdminClient.Response call(AdminClient client) throws AdminClient.Unavailable {
            return client.endSessions(jid);
        }

        @Override
        String done(AdminClient.Response response) {
            return jid + ": sessions ended";
        }

        @Override
        String subject() {
            return jid;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the accounts of a domain, one JID a line.")
    static final class ListUsers extends AdminCommand {
        @Parameters(index = "0", paramLabel = "DOMAIN")
        String domain;

        @Override
        AdminClient.Response call(AdminClient client) throws AdminClient.Unavailable {
            return client.listUsers(domain);
        }

        @Override
        String done(AdminClient.Response response) {
            return String.join(System.lineSeparator(), response.users());
        }

        @Override
        String subject() {
            return domain;
        }
    }
}
