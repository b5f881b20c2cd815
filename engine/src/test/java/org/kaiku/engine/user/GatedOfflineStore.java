package org.kaiku.engine.user;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.kaiku.engine.storage.InMemoryOfflineStore;
import org.kaiku.engine.storage.OfflineMessage;
import org.kaiku.engine.storage.OfflineStore;

/**
 * An {@link InMemoryOfflineStore} whose calls a test can hold back and release, or make fail,
 * to play out the orders of completion a real store allows. A held call does its work at
 * release time, as a slow write or read would.
 */
final class GatedOfflineStore implements OfflineStore {
    final InMemoryOfflineStore inner = new InMemoryOfflineStore();
    final AtomicInteger fetches = new AtomicInteger();
    final AtomicInteger removes = new AtomicInteger();
    private final List<Runnable> heldAppends = new ArrayList<>();
    private final List<Runnable> heldFetches = new ArrayList<>();
    private final List<Runnable> heldRemoves = new ArrayList<>();
    private boolean holdAppends;
    private boolean holdFetches;
    private boolean holdRemoves;
    private int failAppends;
    private int failRemoves;

    synchronized void holdAppends(boolean hold) {
        holdAppends = hold;
    }

    synchronized void holdFetches(boolean hold) {
        holdFetches = hold;
    }

    synchronized void holdRemoves(boolean hold) {
        holdRemoves = hold;
    }

    synchronized void failNextAppends(int n) {
        failAppends = n;
    }

    synchronized void failNextRemoves(int n) {
        failRemoves = n;
    }

    /** Lets every held call run, in the order they were made. */
    void releaseAll() {
        List<Runnable> run;
        synchronized (this) {
            run = new ArrayList<>(heldAppends);
            run.addAll(heldFetches);
            run.addAll(heldRemoves);
            heldAppends.clear();
            heldFetches.clear();
            heldRemoves.clear();
            holdAppends = false;
            holdFetches = false;
            holdRemoves = false;
        }
        run.forEach(Runnable::run);
    }

    synchronized int heldFetches() {
        return heldFetches.size();
    }

    synchronized int heldRemoves() {
        return heldRemoves.size();
    }

    @Override
    public CompletionStage<Append> append(String account, Instant receivedAt, String stanza, int quota) {
        CompletableFuture<Append> out = new CompletableFuture<>();
        synchronized (this) {
            if (failAppends > 0) {
                failAppends--;
                return CompletableFuture.failedFuture(new IllegalStateException("append failed (test)"));
            }
            if (holdAppends) {
                // not visible to a fetch before release: the worst case for a drain
                heldAppends.add(() -> inner.append(account, receivedAt, stanza, quota).whenComplete((r, e) -> out.complete(r)));
                return out;
            }
        }
        return inner.append(account, receivedAt, stanza, quota);
    }

    @Override
    public CompletionStage<List<OfflineMessage>> fetch(String account, String after, int limit) {
        fetches.incrementAndGet();
        synchronized (this) {
            if (holdFetches) {
                CompletableFuture<List<OfflineMessage>> out = new CompletableFuture<>();
                heldFetches.add(() -> inner.fetch(account, after, limit).whenComplete((r, e) -> out.complete(r)));
                return out;
            }
        }
        return inner.fetch(account, after, limit);
    }

    @Override
    public CompletionStage<Void> remove(String account, List<String> ids) {
        removes.incrementAndGet();
        synchronized (this) {
            if (failRemoves > 0) {
                failRemoves--;
                return CompletableFuture.failedFuture(new IllegalStateException("remove failed (test)"));
            }
            if (holdRemoves) {
                CompletableFuture<Void> out = new CompletableFuture<>();
                heldRemoves.add(() -> inner.remove(account, ids).whenComplete((r, e) -> out.complete(r)));
                return out;
            }
        }
        return inner.remove(account, ids);
    }

    @Override
    public CompletionStage<Void> purge(String account) {
        return inner.purge(account);
    }
}
