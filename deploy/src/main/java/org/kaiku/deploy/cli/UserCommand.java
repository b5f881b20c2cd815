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
 * {@code kaiku user add|passwd|del|list}: account administration through the running server's
 * admin endpoint (the server owns the credential store; the CLI never touches Cassandra).
 */
@Command(name = "user", mixinStandardHelpOptions = true,
        description = "Manage accounts on the running server.",
        subcommands = {UserCommand.Add.class, UserCommand.Passwd.class, UserCommand.Del.class, UserCommand.ListUsers.class})
public final class UserCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: add, passwd, del or list");
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

        @Override
        public Integer call() {
            Map<String, Object> flags = new LinkedHashMap<>();
            Flags.put(flags, "--admin-port", adminPort);
            Flags.put(flags, "--data-dir", dataDir);
            Config config = ConfigLoader.load(flags, configFile);
            int port = DeploySettings.fromConfig(config).adminPort();
            Path dir = Path.of(config.getString(ConfigLoader.DATA_DIR));
            AdminClient.Response response;
            try {
                response = call(AdminClient.forDataDir(port, dir));
            } catch (AdminClient.Unavailable e) {
                throw new CommandFailure(null, e.getMessage(), CommandFailure.RUNTIME);
            }
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

    @Command(name = "del", mixinStandardHelpOptions = true, description = "Delete an account.")
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
