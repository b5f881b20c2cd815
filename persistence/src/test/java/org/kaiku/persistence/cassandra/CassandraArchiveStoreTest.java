package org.kaiku.persistence.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.kaiku.engine.config.SettingsException;
import org.kaiku.engine.storage.ArchiveId;
import org.kaiku.engine.storage.ArchiveStore;
import org.kaiku.engine.storage.ArchiveStore.Page;
import org.kaiku.engine.storage.ArchiveStore.Query;
import org.kaiku.engine.storage.ArchivedMessage;
import org.kaiku.engine.storage.InMemoryArchiveStore;
import org.kaiku.protocol.jid.Jid;

/**
 * XEP-0313 archives on a real Cassandra node: paging both ways across month partitions, the
 * 'with' filters, point reads, the bucket index keeping empty ranges cheap, TTL, and the same
 * answers as the in-memory store for the same data.
 */
@ExtendWith(CassandraNodeExtension.class)
class CassandraArchiveStoreTest {

    private static CassandraArchiveStore store;
    private static CassandraArchiveStore expiring;
    private static final InMemoryArchiveStore reference = new InMemoryArchiveStore();
    private static final String ALICE = "alice@archive.example";
    /** 30 messages: the last days of November, December, March (January and February empty). */
    private static final List<ArchivedMessage> messages = new ArrayList<>();

    @BeforeAll
    static void connect(LocalCassandra node) {
        CassandraSettings settings = CassandraSettings.local(node, "archive_test");
        store = CassandraArchiveStore.connect(settings, Duration.ZERO);
        expiring = CassandraArchiveStore.connect(settings, Duration.ofDays(30));
        Instant[] starts = {Instant.parse("2025-11-30T23:59:50Z"), Instant.parse("2025-12-31T23:59:55Z"),
                Instant.parse("2026-03-01T00:00:00Z")};
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        long nonce = 7;
        for (int i = 0; i < 30; i++) {
            Instant t = starts[i / 10].plusSeconds(i % 10);
            String peer = i % 3 == 0 ? "bob@archive.example/phone" : i % 3 == 1 ? "bob@archive.example/desk" : "carol@other.example";
            nonce = nonce * 6364136223846793005L + 1442695040888963407L;
            ArchivedMessage m = new ArchivedMessage(new ArchiveId(ArchiveId.micros(t), nonce), peer, i % 2 == 0,
                    "<message xmlns=\"jabber:client\"><body>m" + i + "</body></message>");
            messages.add(m);
            writes.add(store.append(ALICE, m).toCompletableFuture());
            reference.append(ALICE, m);
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
    }

    @AfterAll
    static void close() {
        store.close();
        expiring.close();
    }

    private static <T> T get(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> bodies(Page p) {
        return p.messages().stream().map(m -> m.stanza().replaceAll(".*<body>(.*)</body>.*", "$1")).toList();
    }

    private static Page both(Query q) {
        Page cassandra = get(store.query(ALICE, q));
        assertThat(cassandra).as("same answer as the in-memory store for %s", q).isEqualTo(get(reference.query(ALICE, q)));
        return cassandra;
    }

    @Test
    void pagesForwardAcrossMonthsWithoutGapsOrRepeats() {
        List<String> seen = new ArrayList<>();
        ArchiveId from = ArchiveId.MIN;
        int pages = 0;
        while (true) {
            Page p = both(new Query(null, from, ArchiveId.MAX, 7, false));
            seen.addAll(bodies(p));
            pages++;
            if (p.complete()) {
                break;
            }
            from = p.messages().get(p.messages().size() - 1).id().next();
        }
        assertThat(pages).isEqualTo(5);
        assertThat(seen).containsExactlyElementsOf(messages.stream().map(m -> m.stanza().replaceAll(".*<body>(.*)</body>.*", "$1")).toList());
    }

    @Test
    void pagesBackwardFromTheEndAcrossMonths() {
        List<String> seen = new ArrayList<>();
        ArchiveId to = ArchiveId.MAX;
        while (true) {
            Page p = both(new Query(null, ArchiveId.MIN, to, 4, true));
            List<String> b = new ArrayList<>(bodies(p));
            b.addAll(seen);
            seen = b;
            if (p.complete()) {
                break;
            }
            to = p.messages().get(0).id().previous();
        }
        assertThat(seen).hasSize(30).startsWith("m0", "m1").endsWith("m28", "m29");
        Page last = both(new Query(null, ArchiveId.MIN, ArchiveId.MAX, 3, true));
        assertThat(bodies(last)).containsExactly("m27", "m28", "m29");
        assertThat(last.complete()).isFalse();
    }

    @Test
    void withFiltersByBareOrFullJidAndTimeRanges() {
        Jid bob = Jid.parse("bob@archive.example");
        Page bobs = both(new Query(bob, ArchiveId.MIN, ArchiveId.MAX, 100, false));
        assertThat(bobs.messages()).hasSize(20).allMatch(m -> m.with().startsWith("bob@"));
        Page phone = both(new Query(Jid.parse("bob@archive.example/phone"), ArchiveId.MIN, ArchiveId.MAX, 3, false));
        assertThat(bodies(phone)).containsExactly("m0", "m3", "m6");
        assertThat(phone.complete()).isFalse();
        Page phoneFromEnd = both(new Query(Jid.parse("bob@archive.example/phone"), ArchiveId.MIN, ArchiveId.MAX, 2, true));
        assertThat(bodies(phoneFromEnd)).containsExactly("m24", "m27");
        assertThat(both(new Query(Jid.parse("nobody@archive.example"), ArchiveId.MIN, ArchiveId.MAX, 10, false)).messages()).isEmpty();

        Page december = both(new Query(null, ArchiveId.lowestAt(Instant.parse("2025-12-01T00:00:00Z")),
                ArchiveId.highestAt(Instant.parse("2026-01-01T00:00:02Z")), 100, false));
        assertThat(bodies(december)).containsExactly("m10", "m11", "m12", "m13", "m14", "m15", "m16", "m17");
        assertThat(december.complete()).isTrue();
        Page carolAcrossNewYear = both(new Query(Jid.parse("carol@other.example"), ArchiveId.lowestAt(Instant.parse("2025-12-31T23:59:58Z")),
                ArchiveId.MAX, 2, false));
        assertThat(bodies(carolAcrossNewYear)).containsExactly("m14", "m17");

        Page none = both(new Query(null, ArchiveId.lowestAt(Instant.parse("2026-01-02T00:00:00Z")),
                ArchiveId.highestAt(Instant.parse("2026-02-28T23:59:59Z")), 10, false));
        assertThat(none.messages()).isEmpty();
        assertThat(none.complete()).isTrue();
        Page countOnly = both(new Query(null, ArchiveId.MIN, ArchiveId.MAX, 0, false));
        assertThat(countOnly.messages()).isEmpty();
        assertThat(countOnly.complete()).isFalse();
    }

    @Test
    void theBucketIndexListsOnlyMonthsWithMessages() {
        List<Integer> all = new ArrayList<>();
        for (Row r : store.session().execute("SELECT bucket FROM archive_test.archive_buckets WHERE account = ? AND peer_bare = ''", ALICE)) {
            all.add(r.getInt("bucket"));
        }
        assertThat(all).containsExactly(202511, 202512, 202601, 202603);
        List<Integer> carol = new ArrayList<>();
        for (Row r : store.session().execute("SELECT bucket FROM archive_test.archive_buckets WHERE account = ? AND peer_bare = ?",
                ALICE, "carol@other.example")) {
            carol.add(r.getInt("bucket"));
        }
        assertThat(carol).containsExactly(202511, 202512, 202601, 202603);
        assertThat(CassandraArchiveStore.bucket(0)).isEqualTo(197001);
        assertThat(CassandraArchiveStore.bucket(Long.MAX_VALUE)).isEqualTo(999912);
        assertThat(CassandraArchiveStore.bucket(ArchiveId.micros(Instant.parse("2025-12-31T23:59:59.999999Z")))).isEqualTo(202512);
    }

    @Test
    void pointReadsFindExactlyTheStoredIds() {
        ArchivedMessage m = messages.get(12);
        assertThat(get(store.get(ALICE, m.id()))).contains(m);
        assertThat(get(store.get(ALICE, m.id().next()))).isEmpty();
        assertThat(get(store.get("someone@archive.example", m.id()))).isEmpty();
        assertThat(get(store.append(ALICE, m))).as("appending the same id again is harmless").isNull();
        assertThat(both(new Query(null, ArchiveId.MIN, ArchiveId.MAX, 100, false)).messages()).hasSize(30);
    }

    @Test
    void aBurstOfAppendsWaitsForTheConnectionInsteadOfFailing() {
        String account = "burst@archive.example";
        Instant t0 = Instant.parse("2026-02-01T00:00:00Z");
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        int n = CassandraArchiveStore.MAX_IN_FLIGHT * 8;
        for (int i = 0; i < n; i++) {
            writes.add(store.append(account, new ArchivedMessage(new ArchiveId(ArchiveId.micros(t0) + i, i), "bob@archive.example/x",
                    false, "<message xmlns=\"jabber:client\"><body>b" + i + "</body></message>")).toCompletableFuture());
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
        Page newest = get(store.query(account, new Query(null, ArchiveId.MIN, ArchiveId.MAX, 2, true)));
        assertThat(bodies(newest)).containsExactly("b" + (n - 2), "b" + (n - 1));
        Page oldest = get(store.query(account, new Query(Jid.parse("bob@archive.example"), ArchiveId.MIN, ArchiveId.MAX, 1, false)));
        assertThat(bodies(oldest)).containsExactly("b0");
    }

    @Test
    void retentionWritesEveryRowWithTheTtl() {
        String bob = "bob@ttl.example";
        ArchivedMessage m = new ArchivedMessage(new ArchiveId(ArchiveId.micros(Instant.now()), 1), "alice@ttl.example/x", false,
                "<message xmlns=\"jabber:client\"><body>short-lived</body></message>");
        get(expiring.append(bob, m));
        long thirtyDays = Duration.ofDays(30).toSeconds();
        int bucket = CassandraArchiveStore.bucket(m.id().micros());
        Row byTime = expiring.session().execute("SELECT TTL(stanza) AS t FROM archive_test.archive_by_time WHERE account = ? AND bucket = ?",
                bob, bucket).one();
        Row byPeer = expiring.session().execute("SELECT TTL(stanza) AS t FROM archive_test.archive_by_peer WHERE account = ? AND peer_bare = ? "
                + "AND bucket = ?", bob, "alice@ttl.example", bucket).one();
        Row index = expiring.session().execute("SELECT bucket FROM archive_test.archive_buckets WHERE account = ? AND peer_bare = ''",
                bob).one();
        for (Row r : List.of(byTime, byPeer)) {
            assertThat(r.getInt("t")).isBetween((int) thirtyDays - 60, (int) thirtyDays);
        }
        assertThat(index).isNotNull();
        Row forever = store.session().execute("SELECT TTL(stanza) AS t FROM archive_test.archive_by_time WHERE account = ? AND bucket = ?",
                ALICE, 202512).one();
        assertThat(forever.isNull("t")).as("no TTL when retention is forever").isTrue();
    }

    @Test
    void retentionSettingIsCheckedAtStart() {
        assertThat(CassandraArchiveStore.retention(ConfigFactory.load())).isEqualTo(Duration.ZERO);
        assertThat(CassandraArchiveStore.retention(ConfigFactory.parseMap(Map.of("kaiku.mam.retention", "365d"))))
                .isEqualTo(Duration.ofDays(365));
        for (String bad : List.of("sometimes", "-1d", "10000d", "500ms")) {
            assertThatThrownBy(() -> CassandraArchiveStore.retention(ConfigFactory.parseMap(Map.of("kaiku.mam.retention", bad))))
                    .isInstanceOfSatisfying(SettingsException.class, e -> assertThat(e.key()).isEqualTo("kaiku.mam.retention"));
        }
    }

    @Test
    void badInputFailsTheStage() {
        assertThat(store.append("", messages.get(0)).toCompletableFuture()).isCompletedExceptionally();
        assertThat(store.append(ALICE, new ArchivedMessage(messages.get(0).id(), "@@", false, "<x/>")).toCompletableFuture())
                .isCompletedExceptionally();
        assertThat(store.query("", new Query(null, ArchiveId.MIN, ArchiveId.MAX, 1, false)).toCompletableFuture())
                .isCompletedExceptionally();
        assertThat(both(new Query(null, ArchiveId.MAX, ArchiveId.MIN, 5, false))).isEqualTo(new ArchiveStore.Page(List.of(), true));
    }

    @Test
    void purgeRemovesEveryMonthAndConversationOfOneAccountOnly() {
        String dora = "dora@archive.example";
        Instant[] months = {Instant.parse("2025-10-15T10:00:00Z"), Instant.parse("2026-01-20T10:00:00Z")};
        List<ArchivedMessage> hers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String peer = i % 2 == 0 ? "bob@archive.example/phone" : "erin@other.example";
            ArchivedMessage m = new ArchivedMessage(new ArchiveId(ArchiveId.micros(months[i % 2].plusSeconds(i)), 1000 + i), peer,
                    true, "<message xmlns=\"jabber:client\"><body>d" + i + "</body></message>");
            hers.add(m);
            get(store.append(dora, m));
        }
        assertThat(get(store.query(dora, new Query(null, ArchiveId.MIN, ArchiveId.MAX, 100, false))).messages()).hasSize(6);

        get(store.purge(dora));

        assertThat(get(store.query(dora, new Query(null, ArchiveId.MIN, ArchiveId.MAX, 100, false))).messages()).isEmpty();
        for (String peer : List.of("bob@archive.example", "erin@other.example")) {
            assertThat(get(store.query(dora, new Query(Jid.parse(peer), ArchiveId.MIN, ArchiveId.MAX, 100, false))).messages())
                    .isEmpty();
        }
        assertThat(get(store.get(dora, hers.get(0).id()))).isEmpty();
        // Alice's archive, same keyspace, same peers: untouched
        assertThat(get(store.query(ALICE, new Query(null, ArchiveId.MIN, ArchiveId.MAX, 100, false))).messages()).hasSize(30);
        // purging again, or an account that never had an archive, is no error
        get(store.purge(dora));
        get(store.purge("nobody@archive.example"));
    }
}
