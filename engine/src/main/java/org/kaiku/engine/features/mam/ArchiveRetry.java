package org.kaiku.engine.features.mam;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
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
 * <p>Retried when storage comes back ({@link org.kaiku.engine.storage.StorageHealth}'s
 * transition) and after any later archive write succeeds, one pass at a time.
 */
final class ArchiveRetry {
    private static final Logger LOG = LoggerFactory.getLogger(ArchiveRetry.class);

    /** A failed write: the account and its row. */
    record Pending(String account, ArchivedMessage row) {
    }

    private final int capacity;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final AtomicBoolean passing = new AtomicBoolean();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private boolean overflowLogged;

    ArchiveRetry(int capacity) {
        this.capacity = capacity;
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
     * Hands every waiting row to {@code write} once (a write that fails again comes back through
     * {@link #add}); does nothing while another pass runs.
     */
    void retryAll(BiConsumer<String, ArchivedMessage> write) {
        if (!passing.compareAndSet(false, true)) {
            return;
        }
        try {
            List<Pending> batch;
            synchronized (this) {
                batch = new ArrayList<>(queue);
                queue.clear();
                overflowLogged = false;
            }
            if (!batch.isEmpty()) {
                LOG.info("writing {} archived messages again after a storage failure", batch.size());
            }
            for (Pending p : batch) {
                retried.incrementAndGet();
                write.accept(p.account(), p.row());
            }
        } finally {
            passing.set(false);
        }
    }
}
