package org.kaiku.deploy.cli;

/**
 * A CLI command that could not do its job, printed as {@code kaiku: <subject>: <problem>} (or
 * {@code kaiku: <problem>} without a subject) with its exit code: 2 for bad input, 1 otherwise.
 */
public final class CommandFailure extends RuntimeException {
    public static final int RUNTIME = 1;
    public static final int USAGE = 2;

    private final String subject;
    private final int exitCode;

    public CommandFailure(String subject, String problem, int exitCode) {
        super(problem);
        this.subject = subject;
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    public String line() {
        return subject == null ? "kaiku: " + getMessage() : "kaiku: " + subject + ": " + getMessage();
    }
}
