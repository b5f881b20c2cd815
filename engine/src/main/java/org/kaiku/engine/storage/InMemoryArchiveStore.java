package org.kaiku.engine.storage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/** An {@link ArchiveStore} in memory, for engine tests. Nothing survives the JVM; no retention. */
public final class InMemoryArchiveStore implements ArchiveStore {
    private final Map<String, NavigableMap<ArchiveId, ArchivedMessage>> archives = new ConcurrentHashMap<>();

    @Override
    public CompletionStage<Void> append(String account, ArchivedMessage message) {
        archives.computeIfAbsent(account, a -> new ConcurrentSkipListMap<>()).put(message.id(), message);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> purge(String account) {
        archives.remove(account);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Optional<ArchivedMessage>> get(String account, ArchiveId id) {
        NavigableMap<ArchiveId, ArchivedMessage> archive = archives.get(account);
        return CompletableFuture.completedFuture(archive == null ? Optional.empty() : Optional.ofNullable(archive.get(id)));
    }

    @Override
    public CompletionStage<Page> query(String account, Query q) {
        NavigableMap<ArchiveId, ArchivedMessage> archive = archives.get(account);
        if (archive == null || q.from().compareTo(q.to()) > 0) {
            return CompletableFuture.completedFuture(new Page(List.of(), true));
        }
        NavigableMap<ArchiveId, ArchivedMessage> range = archive.subMap(q.from(), true, q.to(), true);
        List<ArchivedMessage> page = new ArrayList<>();
        boolean complete = true;
        for (ArchivedMessage m : q.fromEnd() ? range.descendingMap().values() : range.values()) {
            if (!ArchiveStore.matches(q.with(), m.with())) {
                continue;
            }
            if (page.size() == q.limit()) {
                complete = false;
                break;
            }
            page.add(m);
        }
        if (q.fromEnd()) {
            Collections.reverse(page);
        }
        return CompletableFuture.completedFuture(new Page(page, complete));
    }
}
