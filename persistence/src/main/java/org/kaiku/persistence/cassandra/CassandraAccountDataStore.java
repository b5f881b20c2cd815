package org.kaiku.persistence.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.kaiku.engine.storage.AccountDataStore;

/**
 * Per-account XML documents (vCards of XEP-0054, private XML of XEP-0049) in Cassandra.
 *
 * <p>Schema: {@code account_data(account, key, xml)} with the account as partition key and the
 * document key as clustering column. One partition per account because everything here is read
 * and written for one account at a time, the documents of an account are few and bounded
 * ({@value AccountDataStore#MAX_DOCUMENTS} of at most {@value AccountDataStore#MAX_DOCUMENT_BYTES}
 * bytes, so a partition stays under about 6.5 MB), the document count the limit needs is a read
 * of one partition, and removing an account later is one partition delete. A partition per
 * document would spread the same data over more partitions without any query needing it.
 *
 * <p>Writes are plain upserts and deletes at LOCAL_QUORUM, reads at LOCAL_QUORUM too, so a
 * client reading from any node of the data centre sees its own last write. No lightweight
 * transactions: a document is replaced whole and the last write wins, which is the semantics of
 * both XEPs; the count limit is checked by a read before the write, so racing puts of new keys may
 * overshoot it by the number in flight (the contract allows that).
 */
public final class CassandraAccountDataStore implements AccountDataStore, AutoCloseable {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private final CqlSession session;
    private final PreparedStatement select;
    private final PreparedStatement selectKeys;
    private final PreparedStatement selectKey;
    private final PreparedStatement insert;
    private final PreparedStatement delete;
    private final PreparedStatement deleteAll;

    private CassandraAccountDataStore(CqlSession session, String keyspace) {
        this.session = session;
        String table = keyspace + ".account_data";
        this.select = session.prepare("SELECT xml FROM " + table + " WHERE account = ? AND key = ?");
        this.selectKeys = session.prepare("SELECT key FROM " + table + " WHERE account = ? LIMIT " + MAX_DOCUMENTS);
        this.selectKey = session.prepare("SELECT key FROM " + table + " WHERE account = ? AND key = ?");
        this.insert = session.prepare("INSERT INTO " + table + " (account, key, xml) VALUES (?, ?, ?)");
        this.delete = session.prepare("DELETE FROM " + table + " WHERE account = ? AND key = ?");
        this.deleteAll = session.prepare("DELETE FROM " + table + " WHERE account = ?");
    }

    /** Connects, creates the keyspace and table when missing (idempotent), prepares statements. */
    public static CassandraAccountDataStore connect(CassandraSettings settings) {
        String ks = settings.keyspace();
        return CassandraSessions.open(settings, "kaiku-account-data", REQUEST_TIMEOUT, b -> b,
                java.util.List.of("CREATE TABLE IF NOT EXISTS " + ks + ".account_data ("
                        + "account text, key text, xml text, PRIMARY KEY ((account), key))"),
                session -> new CassandraAccountDataStore(session, ks));
    }

    @Override
    public CompletionStage<Optional<String>> get(String account, String key) {
        try {
            AccountDataStore.checkAddress(account, key);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return session.executeAsync(select.bind(account, key).setIdempotent(true)).thenApply(rs -> {
            Row row = rs.one();
            return row == null ? Optional.<String>empty() : Optional.ofNullable(row.getString(0));
        });
    }

    @Override
    public CompletionStage<Void> put(String account, String key, String xml) {
        try {
            AccountDataStore.checkPut(account, key, xml);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return session.executeAsync(selectKeys.bind(account).setIdempotent(true))
                .thenCompose(rs -> mayAdd(rs, account, key))
                .thenCompose(allowed -> {
                    if (!allowed) {
                        return CompletableFuture.<Void>failedFuture(AccountDataStore.tooManyDocuments());
                    }
                    return session.executeAsync(insert.bind(account, key, xml).setIdempotent(true)).thenApply(rs -> (Void) null);
                });
    }

    /** Whether {@code key} may be written: the account is under the count, or the key exists already. */
    private CompletionStage<Boolean> mayAdd(AsyncResultSet keys, String account, String key) {
        int count = 0;
        for (Row row : keys.currentPage()) {
            if (key.equals(row.getString(0))) {
                return CompletableFuture.completedFuture(true);
            }
            count++;
        }
        if (count < MAX_DOCUMENTS) {
            return CompletableFuture.completedFuture(true);
        }
        return session.executeAsync(selectKey.bind(account, key).setIdempotent(true)).thenApply(rs -> rs.one() != null);
    }

    @Override
    public CompletionStage<Void> delete(String account, String key) {
        try {
            AccountDataStore.checkAddress(account, key);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return session.executeAsync(delete.bind(account, key).setIdempotent(true)).thenApply(rs -> null);
    }

    @Override
    public void close() {
        session.close();
    }

    /** One partition deletion: every document of the account. */
    @Override
    public CompletionStage<Void> purge(String account) {
        if (account == null || account.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no account"));
        }
        return session.executeAsync(deleteAll.bind(account).setIdempotent(true)).thenApply(rs -> (Void) null);
    }
}
