package org.kaiku.engine.storage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place on a node that knows whether its storage (Cassandra) can be reached: up, or down
 * since a moment with the last error seen. A prober (persistence's {@code CassandraHealthProbe}:
 * one cheap query a second) decides the state through {@link #probeSucceeded()} and {@link
 * #probeFailed}; the stores' users ({@link org.kaiku.engine.user.UserEntity}'s offline appends,
 * the message archiver, the iq handlers) report what they saw through {@link #writeFailed}, which
 * only records the error and asks the prober to look now, so a single timed-out write never
 * flips the state and the node's view changes only on a fact the prober saw.
 *
 * <p>Each transition is logged once: WARN when storage goes down, with its cause; INFO when it
 * is back, with the outage's length and the number of failed probes and writes meanwhile. While
 * it is down the prober keeps retrying; nothing else is logged per failed write beyond the
 * stores' own lines.
 *
 * <p>Thread-safe: read from actors, the admin endpoint and driver threads; transitions are
 * serialised on this object.
 */
public final class StorageHealth {
    private static final Logger LOG = LoggerFactory.getLogger(StorageHealth.class);

    /** A moment's view: {@code downSince} null when up. */
    public record Snapshot(boolean up, Instant downSince, String lastError, Instant lastErrorAt,
                           long failedProbes, long failedWrites, Duration retryEvery) {
    }

    private final Clock clock;
    private final Duration retryEvery;
    private final List<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> probeListeners = new CopyOnWriteArrayList<>();
    private final AtomicLong failedWrites = new AtomicLong();
    private volatile Runnable probeNow = () -> { };
    private volatile Instant downSince;
    private volatile String lastError;
    private volatile Instant lastErrorAt;
    private long failedProbes;
    private long writesAtDown;

    public StorageHealth(Clock clock, Duration retryEvery) {
        this.clock = clock;
        this.retryEvery = retryEvery;
    }

    /** A health nobody probes: always up (engine tests, in-memory stores). */
    public static StorageHealth untracked() {
        return new StorageHealth(Clock.systemUTC(), Duration.ZERO);
    }

    /** Whether storage is believed reachable now. */
    public boolean isUp() {
        return downSince == null;
    }

    public boolean isDown() {
        return downSince != null;
    }

    /** Called by the prober with a way to ask it for an immediate look. */
    public void setProbeNow(Runnable probe) {
        this.probeNow = probe;
    }

    /** Runs {@code listener} with {@code true} on each recovery and {@code false} on each outage. */
    public void onTransition(Consumer<Boolean> listener) {
        listeners.add(listener);
    }

    /** Runs {@code listener} after every successful probe (about once a second while storage is up). */
    public void onProbeSucceeded(Runnable listener) {
        probeListeners.add(listener);
    }

    /** The prober reached storage. */
    public void probeSucceeded() {
        try {
            recovered();
        } finally {
            probeListeners.forEach(Runnable::run);
        }
    }

    private void recovered() {
        Duration outage;
        long probes;
        long writes;
        synchronized (this) {
            if (downSince == null) {
                return;
            }
            outage = Duration.between(downSince, clock.instant());
            probes = failedProbes;
            writes = failedWrites.get() - writesAtDown;
            downSince = null;
            failedProbes = 0;
        }
        LOG.info("storage is back after an outage of {} ms ({} failed probes, {} failed writes meanwhile)",
                outage.toMillis(), probes, writes);
        listeners.forEach(l -> l.accept(true));
    }

    /** The prober could not reach storage. */
    public void probeFailed(Throwable cause) {
        String text = describe(cause);
        synchronized (this) {
            lastError = text;
            lastErrorAt = clock.instant();
            failedProbes++;
            if (downSince != null) {
                return;
            }
            downSince = lastErrorAt;
            writesAtDown = failedWrites.get();
        }
        LOG.warn("storage is DOWN: {}; refusing work that needs it (wait/resource-constraint), retrying every {} ms",
                text, retryEvery.toMillis());
        listeners.forEach(l -> l.accept(false));
    }

    /** A store operation failed ({@code what}: which one); the prober looks at once. */
    public void writeFailed(String what, Throwable cause) {
        failedWrites.incrementAndGet();
        lastError = what + ": " + describe(cause);
        lastErrorAt = clock.instant();
        if (isUp()) {
            probeNow.run();
        }
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(downSince == null, downSince, lastError, lastErrorAt, failedProbes, failedWrites.get(), retryEvery);
    }

    static String describe(Throwable cause) {
        Throwable t = cause;
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null ? "" : ": " + firstLine(message));
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
