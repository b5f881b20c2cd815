package org.kaiku.engine.features.mam;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.kaiku.engine.storage.AccountDataStore;
import org.kaiku.engine.storage.XmlDocument;
import org.kaiku.protocol.ext.mam.MamPrefs;
import org.kaiku.protocol.ext.mam.MamQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each account's archiving preferences (XEP-0441), kept in the {@link AccountDataStore} under
 * {@value #KEY} and cached on this node, so the archiver decides about a message without a read.
 *
 * <p>A cached copy is used as long as it exists; once older than the refresh interval it is read
 * again in the background while the old copy keeps serving ("stale while revalidate"). A set on
 * this node replaces the copy at once; a set on another node of the cluster (the prefs iq is
 * answered where the client is connected, the account's entity may live elsewhere) reaches this
 * node's copy within one refresh interval. An account with no document has the defaults
 * (archive everything). A failed read leaves the old copy, or none.
 *
 * <p>Memory: one small record per account seen; past {@value #MAX_ENTRIES} accounts the cache
 * is emptied and fills again on demand.
 */
final class PrefsCache {
    /** The AccountDataStore key of the preferences document. */
    static final String KEY = "urn:xmpp:mam:2#prefs";
    static final int MAX_ENTRIES = 200_000;
    private static final Logger LOG = LoggerFactory.getLogger(PrefsCache.class);

    private record Entry(MamPrefs prefs, long loadedAt) {
    }

    private final AccountDataStore store;
    private final long refreshNanos;
    private final LongSupplier nanoTime;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<MamPrefs>> loading = new ConcurrentHashMap<>();

    PrefsCache(AccountDataStore store, Duration refresh, LongSupplier nanoTime) {
        this.store = store;
        this.refreshNanos = refresh.toNanos();
        this.nanoTime = nanoTime;
    }

    /** The cached preferences, starting a read when there are none or they are due for one. */
    Optional<MamPrefs> cached(String account) {
        Entry e = cache.get(account);
        if (e == null) {
            CompletableFuture<MamPrefs> read = load(account).toCompletableFuture();
            return read.isDone() && !read.isCompletedExceptionally() ? Optional.of(read.join()) : Optional.empty();
        }
        if (nanoTime.getAsLong() - e.loadedAt() > refreshNanos) {
            load(account);
        }
        return Optional.of(e.prefs());
    }

    /** Reads the preferences from the store (one read in flight per account) and caches them. */
    CompletionStage<MamPrefs> load(String account) {
        CompletableFuture<MamPrefs> mine = new CompletableFuture<>();
        CompletableFuture<MamPrefs> running = loading.putIfAbsent(account, mine);
        if (running != null) {
            return running;
        }
        store.get(account, KEY).whenComplete((doc, err) -> {
            loading.remove(account, mine);
            if (err != null) {
                if (cache.containsKey(account)) {
                    // a refresh: the old copy keeps serving (e.g. through a storage outage, which
                    // StorageHealth reports once)
                    LOG.debug("refreshing the archive preferences of {} failed: {}", account, err.toString());
                } else {
                    LOG.warn("reading the archive preferences of {} failed: {}", account, err.toString());
                }
                mine.completeExceptionally(err);
                return;
            }
            MamPrefs prefs = doc.map(PrefsCache::parse).orElse(MamPrefs.defaults());
            remember(account, prefs);
            mine.complete(prefs);
        });
        return mine;
    }

    /** Writes new preferences, then caches them. */
    CompletionStage<Void> save(String account, MamPrefs prefs) {
        return store.put(account, KEY, XmlDocument.write(prefs.toElement())).thenRun(() -> remember(account, prefs));
    }

    private void remember(String account, MamPrefs prefs) {
        if (cache.size() >= MAX_ENTRIES) {
            cache.clear();
        }
        cache.put(account, new Entry(prefs, nanoTime.getAsLong()));
    }

    private static MamPrefs parse(String xml) {
        try {
            return MamPrefs.fromElement(XmlDocument.read(xml));
        } catch (MamQuery.Invalid | RuntimeException e) {
            LOG.warn("stored archive preferences unreadable, using the defaults: {}", e.toString());
            return MamPrefs.defaults();
        }
    }
}
