package org.kaiku.persistence.cassandra;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Bounds the writes a store has in flight at once. Writes nobody waits for on the message path
 * (archive appends, offline appends) can otherwise put thousands of requests on the driver's
 * connections in a burst, and the driver then fails them with "no connection available". At most
 * {@code maxInFlight} run; later ones wait in a FIFO queue of at most {@code maxQueued} and, past
 * that, fail at once with {@link Full}, which the caller turns into its usual failure answer.
 * Memory: one pending write each (its statement and stanza), bounded by {@code maxQueued}.
 */
final class WriteLimiter {
    /** The queue is full: the write was not started. */
    static final class Full extends IllegalStateException {
        Full(String message) {
            super(message);
        }

        /**
         * No stack trace: under overload every refused write makes one, and in the full-scale
         * benchmark filling them in was the largest source of exception allocation (JFR).
         */
        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private final String name;
    private final int maxInFlight;
    private final int maxQueued;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger queued = new AtomicInteger();
    private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();

    WriteLimiter(String name, int maxInFlight, int maxQueued) {
        this.name = name;
        this.maxInFlight = maxInFlight;
        this.maxQueued = maxQueued;
    }

    /** Runs {@code write} now or once a slot frees; its outcome completes the returned stage. */
    <T> CompletionStage<T> submit(Supplier<? extends CompletionStage<T>> write) {
        CompletableFuture<T> done = new CompletableFuture<>();
        Runnable start = () -> {
            CompletionStage<T> stage;
            try {
                stage = write.get();
            } catch (RuntimeException e) {
                stage = CompletableFuture.failedFuture(e);
            }
            stage.whenComplete((value, err) -> {
                inFlight.decrementAndGet();
                if (err != null) {
                    done.completeExceptionally(err);
                } else {
                    done.complete(value);
                }
                drain();
            });
        };
        if (inFlight.incrementAndGet() <= maxInFlight) {
            start.run();
            return done;
        }
        inFlight.decrementAndGet();
        if (queued.incrementAndGet() > maxQueued) {
            queued.decrementAndGet();
            return CompletableFuture.failedFuture(new Full(name + " write queue full (" + maxQueued + " waiting for Cassandra)"));
        }
        waiting.add(start);
        drain();
        return done;
    }

    /** Starts queued writes while fewer than {@code maxInFlight} run. */
    private void drain() {
        while (!waiting.isEmpty()) {
            if (inFlight.incrementAndGet() > maxInFlight) {
                inFlight.decrementAndGet();
                return;
            }
            Runnable next = waiting.poll();
            if (next == null) {
                inFlight.decrementAndGet();
                return;
            }
            queued.decrementAndGet();
            next.run();
        }
    }

    int inFlight() {
        return inFlight.get();
    }

    int queued() {
        return queued.get();
    }
}
