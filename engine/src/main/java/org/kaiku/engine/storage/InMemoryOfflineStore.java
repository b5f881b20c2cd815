package org.kaiku.engine.storage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link OfflineStore} in memory, for engine tests. Not for production: nothing survives the
 * JVM. Ids are a zero-padded counter, so their order is the order of {@link #append} calls.
 */
public final class InMemoryOfflineStore implements OfflineStore {
    private final AtomicLong sequence = new AtomicLong();
    private final Map<String, NavigableMap<String, OfflineMessage>> queues = new HashMap<>();

    @Override
    public CompletionStage<Append> append(String account, Instant receivedAt, String stanza, int quota) {
        String id = String.format("%019d", sequence.incrementAndGet());
        synchronized (queues) {
            NavigableMap<String, OfflineMessage> queue = queues.computeIfAbsent(account, a -> new TreeMap<>());
            if (queue.size() >= quota) {
                return CompletableFuture.completedFuture(Append.QUOTA_EXCEEDED);
            }
            queue.put(id, new OfflineMessage(id, receivedAt, stanza));
        }
        return CompletableFuture.completedFuture(Append.STORED);
    }

    @Override
    public CompletionStage<List<OfflineMessage>> fetch(String account, String after, int limit) {
        synchronized (queues) {
            List<OfflineMessage> out = new ArrayList<>();
            NavigableMap<String, OfflineMessage> queue = queues.getOrDefault(account, new TreeMap<>());
            for (OfflineMessage m : (after == null ? queue : queue.tailMap(after, false)).values()) {
                if (out.size() >= limit) {
                    break;
                }
                out.add(m);
            }
            return CompletableFuture.completedFuture(List.copyOf(out));
        }
    }

    @Override
    public CompletionStage<Void> remove(String account, List<String> ids) {
        Set<String> gone = new HashSet<>(ids);
        synchronized (queues) {
            NavigableMap<String, OfflineMessage> queue = queues.get(account);
            if (queue != null) {
                queue.keySet().removeAll(gone);
                if (queue.isEmpty()) {
                    queues.remove(account);
                }
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> purge(String account) {
        synchronized (queues) {
            queues.remove(account);
        }
        return CompletableFuture.completedFuture(null);
    }

    /** How many messages the account has stored (tests). */
    public int size(String account) {
        synchronized (queues) {
            NavigableMap<String, OfflineMessage> queue = queues.get(account);
            return queue == null ? 0 : queue.size();
        }
    }
}
