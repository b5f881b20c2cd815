package org.kaiku.persistence.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.kaiku.engine.storage.OfflineMessage;
import org.kaiku.engine.storage.OfflineStore.Append;

/** The XEP-0160 offline queue on a real Cassandra node: order, quota, removal, schema reuse, bad input. */
@ExtendWith(CassandraNodeExtension.class)
class CassandraOfflineStoreTest {

    private static CassandraSettings settings;
    private static CassandraOfflineStore store;

    @BeforeAll
    static void connect(LocalCassandra node) {
        settings = CassandraSettings.local(node, "offline_test");
        store = CassandraOfflineStore.connect(settings);
    }

    @AfterAll
    static void close() {
        store.close();
    }

    private static String stanza(String body) {
        return "<message xmlns=\"jabber:client\" from=\"romeo@example.net/orchard\" to=\"juliet@example.com\" type=\"chat\">"
                + "<body>" + body + "</body></message>";
    }

    @Test
    void appendsIssuedTogetherComeBackInCallOrderAndOnlyDeliveredIdsAreRemoved() {
        Instant stamp = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<CompletableFuture<Append>> writes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            writes.add(store.append("juliet@order.example", stamp.plusMillis(i), stanza("m" + i + " &lt;ü&gt;"), 100)
                    .toCompletableFuture());
        }
        assertThat(writes.stream().map(CompletableFuture::join)).containsOnly(Append.STORED);

        List<OfflineMessage> first = get(store.fetch("juliet@order.example", null, 3));
        assertThat(first).extracting(OfflineMessage::stanza).containsExactly(
                stanza("m0 &lt;ü&gt;"), stanza("m1 &lt;ü&gt;"), stanza("m2 &lt;ü&gt;"));
        assertThat(first).extracting(OfflineMessage::receivedAt).containsExactly(stamp, stamp.plusMillis(1), stamp.plusMillis(2));

        get(store.remove("juliet@order.example", first.stream().map(OfflineMessage::id).toList()));
        List<OfflineMessage> rest = get(store.fetch("juliet@order.example", null, 10));
        assertThat(rest).extracting(OfflineMessage::stanza).containsExactly(stanza("m3 &lt;ü&gt;"), stanza("m4 &lt;ü&gt;"));
        assertThat(get(store.fetch("romeo@order.example", null, 10))).isEmpty();

        get(store.remove("juliet@order.example", first.stream().map(OfflineMessage::id).toList()));
        assertThat(get(store.fetch("juliet@order.example", null, 10))).hasSize(2);
    }

    @Test
    void theQuotaRefusesOneMoreAndFreesUpOnRemoval() {
        Instant now = Instant.now();
        for (int i = 0; i < 3; i++) {
            assertThat(get(store.append("full@quota.example", now, stanza("q" + i), 3))).isEqualTo(Append.STORED);
        }
        assertThat(get(store.append("full@quota.example", now, stanza("q3"), 3))).isEqualTo(Append.QUOTA_EXCEEDED);
        assertThat(get(store.append("other@quota.example", now, stanza("x"), 3))).isEqualTo(Append.STORED);
        assertThat(get(store.fetch("full@quota.example", null, 10))).extracting(OfflineMessage::stanza)
                .containsExactly(stanza("q0"), stanza("q1"), stanza("q2"));

        OfflineMessage oldest = get(store.fetch("full@quota.example", null, 1)).get(0);
        get(store.remove("full@quota.example", List.of(oldest.id())));
        assertThat(get(store.append("full@quota.example", now, stanza("q4"), 3))).isEqualTo(Append.STORED);
        assertThat(get(store.fetch("full@quota.example", null, 10))).extracting(OfflineMessage::stanza)
                .containsExactly(stanza("q1"), stanza("q2"), stanza("q4"));
    }

    @Test
    void aBacklogIsPagedAfterTheLastIdReadAndRemovedWhole() {
        int count = CassandraOfflineStore.DELETE_CHUNK * 2 + 50;
        Instant now = Instant.now();
        List<CompletableFuture<Append>> writes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            writes.add(store.append("busy@bulk.example", now, stanza("b" + i), count).toCompletableFuture());
        }
        assertThat(writes.stream().map(CompletableFuture::join)).containsOnly(Append.STORED);

        List<OfflineMessage> all = new ArrayList<>();
        String after = null;
        while (true) {
            List<OfflineMessage> page = get(store.fetch("busy@bulk.example", after, 100));
            all.addAll(page);
            if (page.size() < 100) {
                break;
            }
            after = page.get(page.size() - 1).id();
        }
        assertThat(all).extracting(OfflineMessage::stanza)
                .containsExactlyElementsOf(IntStream.range(0, count).mapToObj(i -> stanza("b" + i)).toList());
        assertThat(get(store.fetch("busy@bulk.example", null, count + 10))).isEqualTo(all);
        get(store.remove("busy@bulk.example", all.stream().map(OfflineMessage::id).toList()));
        assertThat(get(store.fetch("busy@bulk.example", null, count))).isEmpty();
    }

    @Test
    void aSecondConnectFindsTheSchemaAndTheData() {
        assertThat(get(store.append("nurse@reconnect.example", Instant.now(), stanza("kept"), 10))).isEqualTo(Append.STORED);
        try (CassandraOfflineStore again = CassandraOfflineStore.connect(settings)) {
            assertThat(get(again.fetch("nurse@reconnect.example", null, 10))).extracting(OfflineMessage::stanza)
                    .containsExactly(stanza("kept"));
        }
    }

    @Test
    void badInputFailsTheStageWithIllegalArgument() {
        Instant now = Instant.now();
        assertFailsWithIllegalArgument(store.append("", now, stanza("x"), 10));
        assertFailsWithIllegalArgument(store.append("a@bad.example", now, stanza("x"), 0));
        assertFailsWithIllegalArgument(store.append("a@bad.example", null, stanza("x"), 10));
        assertFailsWithIllegalArgument(store.append("x".repeat(2048), now, stanza("x"), 10));
        assertFailsWithIllegalArgument(store.fetch(null, null, 10));
        assertFailsWithIllegalArgument(store.fetch("a@bad.example", null, 0));
        assertFailsWithIllegalArgument(store.fetch("a@bad.example", "not-a-uuid", 10));
        assertFailsWithIllegalArgument(store.remove("a@bad.example", List.of("not-a-uuid")));
        assertThat(get(store.fetch("a@bad.example", null, 10))).isEmpty();
    }

    private static void assertFailsWithIllegalArgument(CompletionStage<?> stage) {
        assertThatThrownBy(() -> stage.toCompletableFuture().join())
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    private static <T> T get(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void purgeEmptiesOneAccountsQueueOnly() {
        Instant stamp = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        for (int i = 0; i < 3; i++) {
            assertThat(get(store.append("juliet@purge.example", stamp.plusMillis(i), stanza("p" + i), 100))).isEqualTo(Append.STORED);
        }
        assertThat(get(store.append("romeo@purge.example", stamp, stanza("kept"), 100))).isEqualTo(Append.STORED);

        get(store.purge("juliet@purge.example"));

        assertThat(get(store.fetch("juliet@purge.example", null, 10))).isEmpty();
        assertThat(get(store.fetch("romeo@purge.example", null, 10))).extracting(OfflineMessage::stanza).containsExactly(stanza("kept"));
        // the quota counts from zero again
        assertThat(get(store.append("juliet@purge.example", stamp, stanza("new"), 1))).isEqualTo(Append.STORED);
        get(store.purge("nobody@purge.example"));
    }
}
