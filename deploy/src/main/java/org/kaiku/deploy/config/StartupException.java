package org.kaiku.deploy.config;

/**
 * Why the server cannot start (or a CLI command cannot run), with the configuration key or
 * flag to blame. {@code usage} separates a value the operator must fix (exit code 2) from a
 * condition of the machine such as a port already taken (exit code 1).
 */
public final class StartupException extends RuntimeException {
    private final String key;
    private final boolean usage;

    public StartupException(String key, String problem, boolean usage) {
        this(key, problem, usage, null);
    }

    public StartupException(String key, String problem, boolean usage, Throwable cause) {
        super(problem, cause);
        this.key = key;
        this.usage = usage;
    }

    /** A bad value: the operator has to change the command line or the configuration. */
    public static StartupException badValue(String key, String problem) {
        return new StartupException(key, problem, true);
    }

    /** A runtime condition (port in use, node unreachable). */
    public static StartupException runtime(String key, String problem, Throwable cause) {
        return new StartupException(key, problem, false, cause);
    }

    /** The configuration key or flag the problem is about. */
    public String key() {
        return key;
    }

    /** The problem without the key. */
    public String problem() {
        return getMessage();
    }

    /** True when the operator supplied a bad value (exit code 2), false for runtime failures (1). */
    public boolean usage() {
        return usage;
    }

    /** The one line the CLI prints: {@code kaiku: <key>: <problem>}. */
    public String line() {
        return "kaiku: " + key + ": " + getMessage();
    }
}
