package org.kaiku.persistence.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.kaiku.engine.config.SettingsException;
import org.kaiku.engine.storage.ArchiveId;
import org.kaiku.engine.storage.ArchiveStore;
import org.kaiku.engine.storage.ArchivedMessage;
import org.kaiku.protocol.jid.Jid;

/**
 * Message archives (XEP-0313) in Cassandra, laid out for the two queries clients make: "my
 * messages in this time range" and "my messages with this partner in this time range", paged by
 * id in either direction.
 *
 * <p>Schema (ids are {@link ArchiveId}s: clustering {@code (ts, nonce)} = microseconds, random):
 * <pre>
 * archive_by_time    ((account, bucket), ts, nonce)            peer, outgoing, stanza
 * archive_by_peer    ((account, peer_bare, bucket), ts, nonce) peer, outgoing, stanza
 * archive_buckets    ((account, peer_bare), bucket)            -- peer_bare '' = all partners
 * </pre>
 * {@code bucket} is the UTC month of the id ({@code yyyymm}). A partition holds one account's
 * month (or one conversation's month), so it stays bounded however long an archive grows: a
 * heavy user with 10,000 messages a month of 2 KB makes ~20 MB partitions, a conversation far less.
 *
 * <p>Why a page touches few partitions: a query first reads the account's bucket index (one small
 * partition: one row per month that holds messages, at most 12 a year; for a 'with' query the
 * conversation's own index), restricted to the months the query's bounds cover. It then reads
 * the listed months in the page's direction, each as one slice of one partition
 * ({@code (ts, nonce) >= from AND <= to}, ascending or, for RSM before, descending), and stops
 * as soon as the page (plus one row, to know 'complete') is full. A page of 50 inside one month
 * reads one data partition; a page that crosses a month boundary reads two; months without
 * messages are never read, so an empty range over ten years costs the one index read. Flipped
 * pages change only the order results are sent in, not what is read. RSM after/before are
 * exclusive ids: they become the slice bounds, so the next page starts exactly where the last one
 * ended, without an offset. A full-JID 'with' reads the bare partner's partition and filters rows
 * by resource, the only case where rows are read and dropped (still one conversation's rows only).
 *
 * <p>Writes per archived message: one row in each data table and one in the index per stream
 * (all partners, this partner): four small idempotent writes sent as one unlogged batch (one
 * request from the driver; the coordinator applies it to the four partitions; no batch log,
 * since each write is idempotent and a partial batch is repaired by the client's retry or
 * leaves at worst an index row for a month without the message, which costs a query one empty
 * slice), LOCAL_QUORUM. The index rows are upserts of the same cell, merged away by compaction.
 *
 * <p>Back-pressure: appends are not waited for by delivery, so a burst could otherwise put
 * thousands of requests on the driver's connection at once (it then fails them with "no
 * connection available"). At most {@value #MAX_IN_FLIGHT} batches are in flight; later appends
 * wait in a FIFO queue of at most {@value #MAX_QUEUED} ({@link WriteLimiter}; memory: one stanza each, bounded by the
 * stanza size limit) and past that fail at once, which the archiver logs and counts. Point reads (an id
 * named by a client, for item-not-found) go to {@code archive_by_time} with the bucket taken
 * from the id itself: one partition, one row.
 *
 * <p>Retention ({@code kaiku.mam.retention}): every row is written with that TTL, the index rows
 * too (each write renews the index row, so it expires with the newest message of its month).
 * Messages thus disappear oldest first, never from the middle (XEP-0313 section 3.2), as long as
 * the setting does not shrink: a shorter retention applies to new messages only, older ones keep
 * the TTL they were written with. Expired cells are tombstones until compaction after
 * gc_grace_seconds; time-ordered writes into monthly partitions keep them in old partitions that
 * queries of recent pages never read.
 */
public final class CassandraArchiveStore implements ArchiveStore, AutoCloseable {
    /** The config key of the retention: a duration, or "forever". */
    public static final String RETENTION_KEY = "kaiku.mam.retention";
    /** Cassandra's largest TTL (20 years). */
    static final long MAX_TTL_SECONDS = 630_720_000L;
    /** Rows fetched per driver page when a query must filter (full-JID 'with'). */
    static final int FILTER_PAGE = 500;
    static final int MAX_IN_FLIGHT = 256;
    static final int MAX_QUEUED = 50_000;
    private static final int MAX_ACCOUNT_BYTES = 2047;
    private static final int LAST_BUCKET = 999912;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final CqlSession session;
    private final int ttlSeconds;
    private final PreparedStatement insertByTime;
    private final PreparedStatement insertByPeer;
    private final PreparedStatement insertBucket;
    private final PreparedStatement get;
    private final PreparedStatement bucketsAsc;
    private final PreparedStatement bucketsDesc;
    private final PreparedStatement sliceTimeAsc;
    private final PreparedStatement sliceTimeDesc;
    private final PreparedStatement slicePeerAsc;
    private final PreparedStatement slicePeerDesc;
    private final WriteLimiter writes = new WriteLimiter("archive", MAX_IN_FLIGHT, MAX_QUEUED);
    private final PreparedStatement allBuckets;
    private final PreparedStatement peersOfMonth;
    private final PreparedStatement dropMonth;
    private final PreparedStatement dropConversationMonth;
    private final PreparedStatement dropIndex;

    private CassandraArchiveStore(CqlSession session, String ks, Duration retention) {
        this.session = session;
        this.ttlSeconds = (int) retention.toSeconds();
        String cols = "ts, nonce, peer, outgoing, stanza";
        this.insertByTime = session.prepare("INSERT INTO " + ks + ".archive_by_time (account, bucket, " + cols
                + ") VALUES (?, ?, ?, ?, ?, ?, ?) USING TTL ?");
        this.insertByPeer = session.prepare("INSERT INTO " + ks + ".archive_by_peer (account, peer_bare, bucket, " + cols
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?");
        this.insertBucket = session.prepare("INSERT INTO " + ks + ".archive_buckets (account, peer_bare, bucket) "
                + "VALUES (?, ?, ?) USING TTL ?");
        this.get = session.prepare("SELECT " + cols + " FROM " + ks + ".archive_by_time "
                + "WHERE account = ? AND bucket = ? AND ts = ? AND nonce = ?");
        String buckets = "SELECT bucket FROM " + ks + ".archive_buckets WHERE account = ? AND peer_bare = ? "
                + "AND bucket >= ? AND bucket <= ?";
        this.bucketsAsc = session.prepare(buckets + " ORDER BY bucket ASC");
        this.bucketsDesc = session.prepare(buckets + " ORDER BY bucket DESC");
        String range = " AND (ts, nonce) >= (?, ?) AND (ts, nonce) <= (?, ?)";
        String byTime = "SELECT " + cols + " FROM " + ks + ".archive_by_time WHERE account = ? AND bucket = ?" + range;
        this.sliceTimeAsc = session.prepare(byTime + " ORDER BY ts ASC, nonce ASC");
        this.sliceTimeDesc = session.prepare(byTime + " ORDER BY ts DESC, nonce DESC");
        String byPeer = "SELECT " + cols + " FROM " + ks + ".archive_by_peer WHERE account = ? AND peer_bare = ? AND bucket = ?" + range;
        this.slicePeerAsc = session.prepare(byPeer + " ORDER BY ts ASC, nonce ASC");
        this.slicePeerDesc = session.prepare(byPeer + " ORDER BY ts DESC, nonce DESC");
        this.allBuckets = session.prepare("SELECT bucket FROM " + ks + ".archive_buckets WHERE account = ? AND peer_bare = ?");
        this.peersOfMonth = session.prepare("SELECT peer FROM " + ks + ".archive_by_time WHERE account = ? AND bucket = ?");
        this.dropMonth = session.prepare("DELETE FROM " + ks + ".archive_by_time WHERE account = ? AND bucket = ?");
        this.dropConversationMonth = session.prepare("DELETE FROM " + ks + ".archive_by_peer "
                + "WHERE account = ? AND peer_bare = ? AND bucket = ?");
        this.dropIndex = session.prepare("DELETE FROM " + ks + ".archive_buckets WHERE account = ? AND peer_bare = ?");
    }

    /**
     * Connects, creates the tables when missing (idempotent), prepares statements.
     *
     * @param retention how long messages are kept; {@link Duration#ZERO} keeps them forever
     */
    public static CassandraArchiveStore connect(CassandraSettings settings, Duration retention) {
        if (retention.isNegative() || retention.toSeconds() > MAX_TTL_SECONDS) {
            throw new IllegalArgumentException("retention must be between 0 (forever) and 20 years");
        }
        String ks = settings.keyspace();
        String data = "ts bigint, nonce bigint, peer text, outgoing boolean, stanza text, ";
        // A node opens one driver session per store plus the journal's: five with this one, past
        // the driver's default leak warning at four. They are not leaked; raise this session's threshold.
        return CassandraSessions.open(settings, "kaiku-archive", REQUEST_TIMEOUT,
                b -> b.withInt(DefaultDriverOption.SESSION_LEAK_THRESHOLD, 8), List.of(
                        "CREATE TABLE IF NOT EXISTS " + ks + ".archive_by_time (account text, bucket int, " + data
                                + "PRIMARY KEY ((account, bucket), ts, nonce)) WITH CLUSTERING ORDER BY (ts ASC, nonce ASC)",
                        "CREATE TABLE IF NOT EXISTS " + ks + ".archive_by_peer (account text, peer_bare text, bucket int, " + data
                                + "PRIMARY KEY ((account, peer_bare, bucket), ts, nonce)) WITH CLUSTERING ORDER BY (ts ASC, nonce ASC)",
                        "CREATE TABLE IF NOT EXISTS " + ks + ".archive_buckets (account text, peer_bare text, bucket int, "
                                + "PRIMARY KEY ((account, peer_bare), bucket)) WITH CLUSTERING ORDER BY (bucket ASC)"),
                session -> new CassandraArchiveStore(session, ks, retention));
    }

    /**
     * Reads {@value #RETENTION_KEY}: "forever" (or 0) keeps messages for good, a duration of at
     * least one second and at most Cassandra's 20-year TTL limit keeps them that long.
     *
     * @throws SettingsException naming the key for anything else
     */
    public static Duration retention(Config root) {
        String text;
        try {
            text = root.getString(RETENTION_KEY).strip();
        } catch (ConfigException e) {
            throw new SettingsException(RETENTION_KEY, e.getMessage(), e);
        }
        if (text.equalsIgnoreCase("forever")) {
            return Duration.ZERO;
        }
        Duration d;
        try {
            d = root.getDuration(RETENTION_KEY);
        } catch (ConfigException e) {
            throw new SettingsException(RETENTION_KEY, "'" + text + "' is neither \"forever\" nor a duration such as 365d");
        }
        if (d.isZero()) {
            return Duration.ZERO;
        }
        if (d.isNegative() || d.toSeconds() < 1 || d.toSeconds() > MAX_TTL_SECONDS) {
            throw new SettingsException(RETENTION_KEY, "must be \"forever\" or between 1s and 7300d (Cassandra's TTL limit), got " + text);
        }
        return d;
    }

    /** The UTC month of a time in microseconds, as yyyymm. */
    static int bucket(long micros) {
        long seconds = Math.floorDiv(micros, 1_000_000L);
        if (seconds >= 253_402_300_800L) { // 10000-01-01
            return LAST_BUCKET;
        }
        ZonedDateTime t = Instant.ofEpochSecond(Math.max(0, seconds)).atZone(ZoneOffset.UTC);
        return t.getYear() * 100 + t.getMonthValue();
    }

    @Override
    public CompletionStage<Void> append(String account, ArchivedMessage m) {
        String peerBare;
        try {
            checkAccount(account);
            peerBare = Jid.tryParse(m.with()).map(j -> j.bare().toString())
                    .orElseThrow(() -> new IllegalArgumentException("not a JID: " + m.with()));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        ArchiveId id = m.id();
        int bucket = bucket(id.micros());
        BatchStatement batch = BatchStatement.newInstance(DefaultBatchType.UNLOGGED,
                insertByTime.bind(account, bucket, id.micros(), id.nonce(), m.with(), m.outgoing(), m.stanza(), ttlSeconds),
                insertByPeer.bind(account, peerBare, bucket, id.micros(), id.nonce(), m.with(), m.outgoing(), m.stanza(), ttlSeconds),
                insertBucket.bind(account, "", bucket, ttlSeconds),
                insertBucket.bind(account, peerBare, bucket, ttlSeconds)).setIdempotent(true);
        return writes.submit(() -> session.executeAsync(batch).thenApply(rs -> (Void) null));
    }

    /**
     * Deletes the account's archive. The partner index is keyed by conversation, so the partners
     * are first collected from the account's own months (reading the 'peer' column of every row:
     * deleting an account costs one read of its archive); then each conversation month, each month,
     * and the indexes last, so that a purge that fails half way can simply be run again. Every
     * delete drops a whole partition (one tombstone each).
     */
    @Override
    public CompletionStage<Void> purge(String account) {
        try {
            checkAccount(account);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return rows(allBuckets.bind(account, "")).thenCompose(monthRows -> {
            List<Integer> months = monthRows.stream().map(r -> r.getInt("bucket")).toList();
            java.util.Set<String> peers = java.util.concurrent.ConcurrentHashMap.newKeySet();
            List<CompletableFuture<Void>> reads = new ArrayList<>();
            for (int month : months) {
                reads.add(rows(peersOfMonth.bind(account, month)).thenAccept(rs -> rs.forEach(r ->
                        Jid.tryParse(r.getString("peer")).ifPresent(j -> peers.add(j.bare().toString())))).toCompletableFuture());
            }
            return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenCompose(x -> {
                List<CompletableFuture<?>> conversations = new ArrayList<>();
                for (String peer : peers) {
                    conversations.add(rows(allBuckets.bind(account, peer)).thenCompose(peerMonths -> {
                        List<CompletableFuture<?>> drops = new ArrayList<>();
                        for (Row r : peerMonths) {
                            drops.add(exec(dropConversationMonth.bind(account, peer, r.getInt("bucket"))).toCompletableFuture());
                        }
                        return CompletableFuture.allOf(drops.toArray(CompletableFuture[]::new));
                    }).thenCompose(y -> exec(dropIndex.bind(account, peer))).toCompletableFuture());
                }
                for (int month : months) {
                    conversations.add(exec(dropMonth.bind(account, month)).toCompletableFuture());
                }
                return CompletableFuture.allOf(conversations.toArray(CompletableFuture[]::new));
            }).thenCompose(x -> exec(dropIndex.bind(account, ""))).thenApply(rs -> (Void) null);
        });
    }

    /** Every row of a query, all pages. */
    private CompletionStage<List<Row>> rows(BoundStatement statement) {
        List<Row> out = new ArrayList<>();
        return exec(statement).thenCompose(rs -> collect(rs, out));
    }

    private static CompletionStage<List<Row>> collect(AsyncResultSet rs, List<Row> out) {
        rs.currentPage().forEach(out::add);
        if (!rs.hasMorePages()) {
            return CompletableFuture.completedFuture(out);
        }
        return rs.fetchNextPage().thenCompose(next -> collect(next, out));
    }

    @Override
    public CompletionStage<Optional<ArchivedMessage>> get(String account, ArchiveId id) {
        try {
            checkAccount(account);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return exec(get.bind(account, bucket(id.micros()), id.micros(), id.nonce()))
                .thenApply(rs -> Optional.ofNullable(rs.one()).map(CassandraArchiveStore::message));
    }

    @Override
    public CompletionStage<Page> query(String account, Query q) {
        try {
            checkAccount(account);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (q.from().compareTo(q.to()) > 0) {
            return CompletableFuture.completedFuture(new Page(List.of(), true));
        }
        String peerBare = q.with() == null ? "" : q.with().bare().toString();
        int fromBucket = bucket(q.from().micros());
        int toBucket = bucket(q.to().micros());
        PreparedStatement buckets = q.fromEnd() ? bucketsDesc : bucketsAsc;
        List<Integer> months = new ArrayList<>();
        return exec(buckets.bind(account, peerBare, fromBucket, toBucket))
                .thenCompose(rs -> collectBuckets(rs, months))
                .thenCompose(done -> {
                    List<ArchivedMessage> page = new ArrayList<>();
                    return readBuckets(account, peerBare, q, months, 0, page).thenApply(complete -> {
                        if (q.fromEnd()) {
                            Collections.reverse(page);
                        }
                        return new Page(page, complete);
                    });
                });
    }

    /** Reads months in order until the page plus one row is found; completes with 'complete'. */
    private CompletionStage<Boolean> readBuckets(String account, String peerBare, Query q, List<Integer> months, int i,
                                                 List<ArchivedMessage> page) {
        if (i == months.size()) {
            return CompletableFuture.completedFuture(true);
        }
        int want = q.limit() + 1 - page.size();
        boolean filter = q.with() != null && !q.with().isBare();
        BoundStatement slice = (q.with() == null
                ? (q.fromEnd() ? sliceTimeDesc : sliceTimeAsc).bind(account, months.get(i),
                        q.from().micros(), q.from().nonce(), q.to().micros(), q.to().nonce())
                : (q.fromEnd() ? slicePeerDesc : slicePeerAsc).bind(account, peerBare, months.get(i),
                        q.from().micros(), q.from().nonce(), q.to().micros(), q.to().nonce()))
                .setPageSize(filter ? FILTER_PAGE : Math.max(want, 1));
        return exec(slice).thenCompose(rs -> collectRows(rs, q, page)).thenCompose(full -> {
            if (full) {
                page.remove(page.size() - 1);
                return CompletableFuture.completedFuture(false);
            }
            return readBuckets(account, peerBare, q, months, i + 1, page);
        });
    }

    /** Adds matching rows until the page holds limit + 1; true when it does. */
    private static CompletionStage<Boolean> collectRows(AsyncResultSet rs, Query q, List<ArchivedMessage> page) {
        for (Row row : rs.currentPage()) {
            ArchivedMessage m = message(row);
            if (ArchiveStore.matches(q.with(), m.with())) {
                page.add(m);
                if (page.size() == q.limit() + 1) {
                    return CompletableFuture.completedFuture(true);
                }
            }
        }
        return rs.hasMorePages()
                ? rs.fetchNextPage().thenCompose(next -> collectRows(next, q, page))
                : CompletableFuture.completedFuture(false);
    }

    private static CompletionStage<Void> collectBuckets(AsyncResultSet rs, List<Integer> into) {
        for (Row row : rs.currentPage()) {
            into.add(row.getInt("bucket"));
        }
        return rs.hasMorePages()
                ? rs.fetchNextPage().thenCompose(next -> collectBuckets(next, into))
                : CompletableFuture.completedFuture(null);
    }

    private static ArchivedMessage message(Row row) {
        return new ArchivedMessage(new ArchiveId(row.getLong("ts"), row.getLong("nonce")), row.getString("peer"),
                row.getBoolean("outgoing"), row.getString("stanza"));
    }

    private CompletableFuture<AsyncResultSet> exec(BoundStatement statement) {
        return session.executeAsync(statement.setIdempotent(true)).toCompletableFuture();
    }

    /** The TTL, in seconds, written with each row (0: none). */
    int ttlSeconds() {
        return ttlSeconds;
    }

    /** The driver session, for tests that inspect the tables. */
    CqlSession session() {
        return session;
    }

    @Override
    public void close() {
        session.close();
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
