package org.kaiku.deploy;

import com.typesafe.config.ConfigException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.kaiku.deploy.cli.CassandraCommand;
import org.kaiku.deploy.cli.CommandFailure;
import org.kaiku.deploy.cli.Flags;
import org.kaiku.deploy.cli.RunCommand;
import org.kaiku.deploy.cli.StatusCommand;
import org.kaiku.deploy.cli.UserCommand;
import org.kaiku.deploy.bench.BenchCommand;
import org.kaiku.deploy.config.StartupException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code kaiku} command. Failures print one line, {@code kaiku: <key>: <cause>}, on stderr
 * and exit with 2 for a bad value or usage, 1 for a runtime condition; stack traces only with
 * {@code --verbose}.
 */
@Command(name = "kaiku", mixinStandardHelpOptions = true, version = "Kaiku 0.1.0-SNAPSHOT",
        description = "Kaiku, a clustered XMPP server on Apache Pekko and Cassandra.",
        subcommands = {RunCommand.class, CassandraCommand.class, UserCommand.class, StatusCommand.class, BenchCommand.class})
public final class KaikuMain implements Runnable {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing command: run, cassandra, user, status or bench");
    }

    /** The system property that sizes Java's common ForkJoinPool (read once, at its first use). */
    static final String COMMON_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    public static void main(String[] args) {
        String parallelism = commonParallelism(Runtime.getRuntime().availableProcessors(),
                System.getProperty(COMMON_PARALLELISM));
        if (parallelism != null) {
            System.setProperty(COMMON_PARALLELISM, parallelism);
        }
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(execute(out, err, args));
    }

    /**
     * The common pool's parallelism to set before anything uses it, or null to leave it alone.
     * With 2 CPUs or fewer Java sizes that pool at 1, and then CompletableFuture runs every async
     * callback without an executor on a new thread, one thread start and exit per callback. Pekko
     * answers asks through Scala's converted stages, whose callbacks are always async (pipeToSelf
     * of an ask), so each login's bind cost a thread, ~0.13-0.19 ms of CPU (LOGIN-PROFILE.md).
     * Two workers avoid that; an operator's own setting is kept.
     */
    static String commonParallelism(int cpus, String configured) {
        return configured == null && cpus <= 2 ? "2" : null;
    }

    /** Runs one command line; returns the exit code (tests call this in-process). */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        try {
            return commandLine(out, err, args).execute(args);
        } catch (Error e) {
            // picocli hands only Exceptions to the handler; a broken class path (e.g. a
            // ServiceConfigurationError) still gets the one-line treatment.
            return failure(new IllegalStateException(e.toString(), e), err, isVerbose(args));
        }
    }

    private static boolean isVerbose(String... args) {
        return Arrays.asList(args).contains("--verbose") || Arrays.asList(args).contains("-v");
    }

    /** The configured picocli command line (tests use it to parse without executing). */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err, String... args) {
        boolean verbose = isVerbose(args);
        CommandLine cl = new CommandLine(new KaikuMain());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> usageError(ex, err));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> failure(ex, err, verbose));
        return cl;
    }

    private static int usageError(ParameterException ex, PrintWriter err) {
        String key = keyOf(ex.getArgSpec());
        String problem = ex.getCause() instanceof TypeConversionException tce ? tce.getMessage() : ex.getMessage();
        err.println(key == null ? "kaiku: " + problem : "kaiku: " + key + ": " + problem);
        CommandLine cmd = ex.getCommandLine();
        if (!UnmatchedArgumentException.printSuggestions(ex, err)) {
            err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
        }
        err.flush();
        return CommandFailure.USAGE;
    }

    private static String keyOf(ArgSpec arg) {
        if (arg instanceof OptionSpec option) {
            for (String name : option.names()) {
                if (Flags.key(name) != null) {
                    return Flags.key(name);
                }
            }
        }
        return null;
    }

    private static int failure(Exception ex, PrintWriter err, boolean verbose) {
        int code;
        if (ex instanceof StartupException se) {
            err.println(se.line());
            code = se.usage() ? CommandFailure.USAGE : CommandFailure.RUNTIME;
        } else if (ex instanceof CommandFailure cf) {
            err.println(cf.line());
            code = cf.exitCode();
        } else if (ex instanceof ConfigException ce) {
            err.println("kaiku: configuration: " + ce.getMessage());
            code = CommandFailure.USAGE;
        } else {
            err.println("kaiku: " + ex + (verbose ? "" : " (--verbose shows the stack trace)"));
            code = CommandFailure.RUNTIME;
        }
        if (verbose) {
            ex.printStackTrace(err);
        }
        err.flush();
        return code;
    }
}
