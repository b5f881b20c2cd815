package org.kaiku.engine.auth;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.kaiku.protocol.sasl.ScramCredential;
import org.kaiku.protocol.sasl.ScramMechanism;

/** A {@link CredentialStore} in memory, for engine unit tests. Not for production: nothing survives. */
public final class InMemoryCredentialStore implements CredentialStore {
    private final ConcurrentMap<String, Map<ScramMechanism, ScramCredential>> accounts = new ConcurrentHashMap<>();
    private final java.util.Set<String> disabled = ConcurrentHashMap.newKeySet();

    private static String key(String domain, String username) {
        return username + "@" + domain;
    }

    @Override
    public CompletionStage<Stored> account(String domain, String username) {
        String key = key(domain, username);
        return CompletableFuture.completedFuture(new Stored(accounts.getOrDefault(key, Map.of()), disabled.contains(key)));
    }

    @Override
    public synchronized CompletionStage<Boolean> setDisabled(String domain, String username, boolean off) {
        String key = key(domain, username);
        if (!accounts.containsKey(key)) {
            return CompletableFuture.completedFuture(false);
        }
        if (off) {
            disabled.add(key);
        } else {
            disabled.remove(key);
        }
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public CompletionStage<List<String>> listDisabled(String domain) {
        return list(domain).thenApply(all -> all.stream().filter(u -> disabled.contains(key(domain, u))).toList());
    }

    @Override
    public CompletionStage<Boolean> create(String domain, String username, Map<ScramMechanism, ScramCredential> credentials) {
        return CompletableFuture.completedFuture(accounts.putIfAbsent(key(domain, username), Map.copyOf(credentials)) == null);
    }

    @Override
    public CompletionStage<Boolean> update(String domain, String username, Map<ScramMechanism, ScramCredential> credentials) {
        return CompletableFuture.completedFuture(accounts.replace(key(domain, username), Map.copyOf(credentials)) != null);
    }

    @Override
    public CompletionStage<Boolean> delete(String domain, String username) {
        disabled.remove(key(domain, username));
        return CompletableFuture.completedFuture(accounts.remove(key(domain, username)) != null);
    }

    @Override
    public CompletionStage<List<String>> list(String domain) {
        List<String> out = new ArrayList<>();
        for (String k : accounts.keySet()) {
            int at = k.lastIndexOf('@');
            if (k.substring(at + 1).equals(domain)) {
                out.add(k.substring(0, at));
            }
        }
        Collections.sort(out);
        return CompletableFuture.completedFuture(out);
    }
}
