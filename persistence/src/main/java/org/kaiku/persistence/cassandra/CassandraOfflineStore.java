package org.kaiku.persistence.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.kaiku.engine.storage.OfflineMessage;
import org.kaiku.engine.storage.OfflineStore;

/**
 * Offline messages (XEP-0160) in Cassandra: one partition per account, one row per message,
 * clustered by a time-based UUID, so fetching the oldest messages reads one partition in order.
 *
 * <p>Schema: {@code offline_messages(account, id, received_at, stanza)}, partition key the bare
 * JID, clustering key {@code id timeuuid} ascending. The id is made when {@link #append} is
 * called ({@code Uuids.timeBased()}, strictly increasing within this JVM), so the entity's
 * appends keep their order whatever order their writes complete in.
 *
 * <p>The quota is checked by a bounded read, not a counter: before each insert the store reads
 * at most {@code quota} ids of the partition (clustering keys only, a few tens of KB at the
 * default 1000) and refuses at the quota. A counter column would cost less per append, but
 * Cassandra counters are not idempotent: an increment that times out and is retried, or a
 * decrement lost with a failed delete, leaves the count wrong for good, which here would lock
 * an account's queue shut or let it grow past any bound; and a deleted counter cannot safely
 * be counted again. The read is exact except for appends in flight together (the single writer,
 * the account entity, does not wait for one before issuing the next): the quota can be overshot
 * by at most that many.
 *
 * <p>Deletes name the delivered ids, never a range: a range could also cover a message another
 * node stored meanwhile with an id inside it (its clock need only lag a little during a shard
 * hand-over), and losing a message is worse than the cost of row tombstones. That cost: the
 * first fetch of a delivery, and the quota read, step over the tombstones of earlier deliveries
 * until compaction purges them after the table's gc_grace_seconds (Cassandra's default, 10 days);
 * later fetches of the same delivery start after the last id read and skip them. An account that
 * receives 1000 messages a day while offline makes those reads step over ~10,000 tombstones,
 * below the 100,000 at which Cassandra fails a read.
 *
 * <p>Writes and reads are LOCAL_QUORUM, so a message is durable on a majority of the local
 * replicas before it counts as accepted, and the next fetch, from whatever node the account
 * moved to, sees it. Every statement is idempotent (the id is fixed before the insert), so the
 * driver may retry it.
 *
 * <p>Back-pressure: an append (quota read, then insert) is not waited for by the sender, so a
 * burst to offline accounts could put thousands of requests on the driver at once, which then
 * fails them with "no connection available". At most {@value #MAX_APPENDS_IN_FLIGHT} appends run at
 * once and up to {@value #MAX_APPENDS_QUEUED} wait ({@link WriteLimiter}); past that an append fails
 * at once, and the entity answers the sender with service-unavailable as for any failed append.
 */
public final class CassandraOfflineStore implements OfflineStore, AutoCloseable {

    /** Ids per DELETE statement: one mutation of one partition each. */
    static final int DELETE_CHUNK = 100;
    /** A bare JID is at most 1023 + 1 + 1023 bytes (RFC 7622 section 3). */
    private static final int MAX_ACCOUNT_BYTES = 2047;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    static final int MAX_APPENDS_IN_FLIGHT = 128;
    static final int MAX_APPENDS_QUEUED = 20_000;

    private final WriteLimiter appends = new WriteLimiter("offline", MAX_APPENDS_IN_FLIGHT, MAX_APPENDS_QUEUED);

    private final CqlSession session;
    private final PreparedStatement insert;
    private final PreparedStatement ids;
    private final PreparedStatement select;
    private final PreparedStatement selectAfter;
    private final PreparedStatement delete;
    private final PreparedStatement deleteAll;

    private CassandraOfflineStore(CqlSession session, String keyspace) {
        this.session = session;
        String table = keyspace + ".offline_messages";
        this.insert = session.prepare("INSERT INTO " + table + " (account, id, received_at, stanza) VALUES (?, ?, ?, ?)");
        this.ids = session.prepare("SELECT id FROM " + table + " WHERE account = ? LIMIT ?");
        this.select = session.prepare("SELECT id, received_at, stanza FROM " + table + " WHERE account = ? LIMIT ?");
        this.selectAfter = session.prepare("SELECT id, received_at, stanza FROM " + table
                + " WHERE account = ? AND id > ? LIMIT ?");
        this.delete = session.prepare("DELETE FROM " + table + " WHERE account = ? AND id IN ?");
        this.deleteAll = session.prepare("DELETE FROM " + table + " WHERE account = ?");
    }

    /** Connects, creates the keyspace and table when missing (idempotent), prepares statements. */
    public static CassandraOfflineStore connect(CassandraSettings settings) {
        String ks = settings.keyspace();
        return CassandraSessions.open(settings, "kaiku-offline", REQUEST_TIMEOUT, b -> b,
                List.of("CREATE TABLE IF NOT EXISTS " + ks + ".offline_messages ("
                        + "account text, id timeuuid, received_at timestamp, stanza text, "
                        + "PRIMARY KEY ((account), id)) WITH CLUSTERING ORDER BY (id ASC)"),
                session -> new CassandraOfflineStore(session, ks));
    }

    @Override
    public CompletionStage<Append> append(String account, Instant receivedAt, String stanza, int quota) {
        UUID id = Uuids.timeBased();
        try {
            checkAccount(account);
            if (receivedAt == null || stanza == null) {
                throw new IllegalArgumentException("receivedAt and stanza are required");
            }
            if (quota <= 0) {
                throw new IllegalArgumentException("quota must be positive, got " + quota);
            }
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return appends.submit(() -> session.executeAsync(ids.bind(account, quota).setIdempotent(true))
                .thenCompose(rs -> countUpTo(rs, 0, quota))
                .thenCompose(stored -> stored >= quota
                        ? CompletableFuture.completedFuture(Append.QUOTA_EXCEEDED)
                        : session.executeAsync(insert.bind(account, id, receivedAt, stanza).setIdempotent(true))
                                .thenApply(done -> Append.STORED)));
    }

    @Override
    public CompletionStage<List<OfflineMessage>> fetch(String account, String after, int limit) {
        UUID afterId;
        try {
            checkAccount(account);
            if (limit <= 0) {
                throw new IllegalArgumentException("limit must be positive, got " + limit);
            }
            afterId = after == null ? null : UUID.fromString(after);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        List<OfflineMessage> out = new ArrayList<>();
        var statement = afterId == null ? select.bind(account, limit) : selectAfter.bind(account, afterId, limit);
        return session.executeAsync(statement.setIdempotent(true))
                .thenCompose(rs -> collect(rs, out))
                .thenApply(List::copyOf);
    }

    @Override
    public CompletionStage<Void> remove(String account, List<String> messageIds) {
        List<UUID> uuids = new ArrayList<>();
        try {
            checkAccount(account);
            for (String id : messageIds) {
                uuids.add(UUID.fromString(id));
            }
        } catch (IllegalArgumentException | NullPointerException e) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("not an offline message id: " + e.getMessage(), e));
        }
        List<CompletableFuture<AsyncResultSet>> deletes = new ArrayList<>();
        for (int i = 0; i < uuids.size(); i += DELETE_CHUNK) {
            List<UUID> chunk = uuids.subList(i, Math.min(uuids.size(), i + DELETE_CHUNK));
            deletes.add(session.executeAsync(delete.bind(account, List.copyOf(chunk)).setIdempotent(true)).toCompletableFuture());
        }
        return CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new));
    }

    /** One partition deletion: the account's whole queue, one tombstone. */
    @Override
    public CompletionStage<Void> purge(String account) {
        try {
            checkAccount(account);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return session.executeAsync(deleteAll.bind(account).setIdempotent(true)).thenApply(rs -> (Void) null);
    }

    @Override
    public void close() {
        session.close();
    }

    private static CompletionStage<Integer> countUpTo(AsyncResultSet rs, int counted, int bound) {
        int total = counted + rs.remaining();
        if (total >= bound || !rs.hasMorePages()) {
            return CompletableFuture.completedFuture(total);
        }
        return rs.fetchNextPage().thenCompose(next -> countUpTo(next, total, bound));
    }

    private static CompletionStage<List<OfflineMessage>> collect(AsyncResultSet rs, List<OfflineMessage> into) {
        for (Row row : rs.currentPage()) {
            into.add(new OfflineMessage(row.getUuid("id").toString(), row.getInstant("received_at"), row.getString("stanza")));
        }
        return rs.hasMorePages()
                ? rs.fetchNextPage().thenCompose(next -> collect(next, into))
                : CompletableFuture.completedFuture(into);
    }

    private static void checkAccount(String account) {
        if (account == null || account.isEmpty()) {
            throw new IllegalArgumentException("account must not be empty");
        }
        if (account.getBytes(StandardCharsets.UTF_8).length > MAX_ACCOUNT_BYTES) {
            throw new IllegalArgumentException("account is longer than " + MAX_ACCOUNT_BYTES + " bytes");
        }
    }
}
