package org.kaiku.engine.storage;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An {@link AccountDataStore} in memory, for engine tests. Not for production: nothing survives
 * the JVM. Applies the same limits as the Cassandra store, exactly (one lock, so the document
 * count cannot be overshot here).
 */
public final class InMemoryAccountDataStore implements AccountDataStore {
    private final Map<String, Map<String, String>> accounts = new HashMap<>();

    @Override
    public CompletionStage<Optional<String>> get(String account, String key) {
        try {
            AccountDataStore.checkAddress(account, key);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        synchronized (accounts) {
            return CompletableFuture.completedFuture(Optional.ofNullable(accounts.getOrDefault(account, Map.of()).get(key)));
        }
    }

    @Override
    public CompletionStage<Void> put(String account, String key, String xml) {
        try {
            AccountDataStore.checkPut(account, key, xml);
            synchronized (accounts) {
                Map<String, String> documents = accounts.computeIfAbsent(account, a -> new HashMap<>());
                if (!documents.containsKey(key) && documents.size() >= MAX_DOCUMENTS) {
                    throw AccountDataStore.tooManyDocuments();
                }
                documents.put(key, xml);
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> delete(String account, String key) {
        try {
            AccountDataStore.checkAddress(account, key);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        synchronized (accounts) {
            Map<String, String> documents = accounts.get(account);
            if (documents != null) {
                documents.remove(key);
                if (documents.isEmpty()) {
                    accounts.remove(account);
                }
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> purge(String account) {
        synchronized (accounts) {
            accounts.remove(account);
        }
        return CompletableFuture.completedFuture(null);
    }
}
