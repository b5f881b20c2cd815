package org.kaiku.engine.features.mam;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.kaiku.engine.storage.ArchivedMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Archive writes that failed (storage down or timing out), kept in memory to be written again,
 * so that a message delivered online during a Cassandra outage still reaches its archive once
 * Cassandra is back. Each row keeps the id (and so the place in the archive's order) it got on
 * arrival; writing a row again under the same id is an overwrite in Cassandra, so a write that
 * failed on the client's side but landed makes no duplicate.
 *
 * <p>Bounded: at most {@link #capacity} rows wait; a row past that is counted in {@link #lost()}
 * and logged (the first one of each run, then a count), and is the archive gap the operator must
 * know of. The buffer is memory: a node that stops during an outage loses the rows it held.
 *
 * <p>Paced: rows go back in batches of {@link #batch}, the next batch once the last one has
 * completed and at least one of its writes landed, so a Cassandra node that has just restarted
 * (cold caches, commit log replay) is not hit by the whole backlog at once, which was seen to time
 * its writes out. {@link #retry} is called on each successful probe of {@link
 * org.kaiku.engine.storage.StorageHealth} (once a second) and starts a batch unless one runs.
 */
final class ArchiveRetry {
    private static final Logger LOG = LoggerFactory.getLogger(ArchiveRetry.class);

    /** A failed write: the account and its row. */
    record Pending(String account, ArchivedMessage row) {
    }

    private final int capacity;
    private final int batch;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private boolean overflowLogged;
    private boolean resumeLogged;

    ArchiveRetry(int capacity, int batch) {
        this.capacity = capacity;
        this.batch = batch;
    }

    /** Keeps a failed write for later; false (and counted lost) when the buffer is full. */
    synchronized boolean add(String account, ArchivedMessage row) {
        if (queue.size() >= capacity) {
            lost.incrementAndGet();
            if (!overflowLogged) {
                overflowLogged = true;
                LOG.error("archive retry buffer full ({} rows): message {} of {} will be MISSING from the archive;"
                        + " further losses are only counted", capacity, row.id(), account);
            }
            return false;
        }
        if (queue.isEmpty() && !running.get()) {
            resumeLogged = false; // a new run of failures: say so again when it is written
        }
        queue.add(new Pending(account, row));
        return true;
    }

    synchronized int size() {
        return queue.size();
    }

    /** Rows that never reached the archive because the buffer was full. */
    long lost() {
        return lost.get();
    }

    /** Rows written again so far (successful or not). */
    long retried() {
        return retried.get();
    }

    /**
     * Writes the next batch through {@code write} (a failed one must come back through {@link
     * #add}); when all of it completed and any landed, the batch after it. Does nothing while a
     * batch runs or nothing waits.
     */
    void retry(BiFunction<String, ArchivedMessage, CompletionStage<Void>> write) {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        List<Pending> next = new ArrayList<>();
        int waiting;
        synchronized (this) {
            while (next.size() < batch && !queue.isEmpty()) {
                next.add(queue.poll());
            }
            waiting = queue.size() + next.size();
            overflowLogged = false;
            if (!next.isEmpty() && !resumeLogged) {
                resumeLogged = true;
                LOG.info("writing {} archived messages again after a storage failure, {} at a time", waiting, batch);
            }
        }
        if (next.isEmpty()) {
            running.set(false);
            return;
        }
        AtomicInteger left = new AtomicInteger(next.size());
        AtomicBoolean landed = new AtomicBoolean();
        for (Pending p : next) {
            retried.incrementAndGet();
            write.apply(p.account(), p.row()).whenComplete((ok, err) -> {
                if (err == null) {
                    landed.set(true);
                }
                if (left.decrementAndGet() == 0) {
                    running.set(false);
                    if (landed.get()) {
                        retry(write);
                    }
                }
            });
        }
    }
}
