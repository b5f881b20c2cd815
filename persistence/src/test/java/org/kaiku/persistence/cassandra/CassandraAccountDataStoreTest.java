package org.kaiku.persistence.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.kaiku.engine.storage.AccountDataStore;
import org.kaiku.engine.storage.AccountDataStore.LimitExceeded;

/** The account data contract on a real Cassandra node. */
@ExtendWith(CassandraNodeExtension.class)
class CassandraAccountDataStoreTest {
    private static CassandraSettings settings;
    private static CassandraAccountDataStore store;

    @BeforeAll
    static void connect(LocalCassandra node) {
        settings = CassandraSettings.local(node, "account_data_test");
        store = CassandraAccountDataStore.connect(settings);
    }

    @AfterAll
    static void close() {
        store.close();
    }

    @Test
    void putGetReplaceAndDeleteOneDocument() {
        String vcard = "<vCard xmlns=\"vcard-temp\"><FN>Juliet &amp; \u00e4 \uD83C\uDF39</FN></vCard>";
        assertThat(get(store.get("juliet@crud.example", "vcard-temp"))).isEmpty();

        get(store.put("juliet@crud.example", "vcard-temp", vcard));
        assertThat(get(store.get("juliet@crud.example", "vcard-temp"))).contains(vcard);
        get(store.put("juliet@crud.example", "vcard-temp", "<vCard xmlns=\"vcard-temp\"/>"));
        assertThat(get(store.get("juliet@crud.example", "vcard-temp"))).contains("<vCard xmlns=\"vcard-temp\"/>");

        get(store.delete("juliet@crud.example", "vcard-temp"));
        assertThat(get(store.get("juliet@crud.example", "vcard-temp"))).isEmpty();
        get(store.delete("juliet@crud.example", "vcard-temp"));
    }

    @Test
    void accountsAndKeysDoNotSeeEachOthersDocuments() {
        get(store.put("romeo@keys.example", "a", "<a xmlns=\"n\"/>"));
        get(store.put("romeo@keys.example", "b", "<b xmlns=\"n\"/>"));
        get(store.put("tybalt@keys.example", "a", "<t xmlns=\"n\"/>"));

        assertThat(get(store.get("romeo@keys.example", "a"))).contains("<a xmlns=\"n\"/>");
        assertThat(get(store.get("romeo@keys.example", "b"))).contains("<b xmlns=\"n\"/>");
        assertThat(get(store.get("tybalt@keys.example", "a"))).contains("<t xmlns=\"n\"/>");
        assertThat(get(store.get("tybalt@keys.example", "b"))).isEmpty();
    }

    @Test
    void aDocumentOfExactlyTheLimitFitsAndOneByteMoreDoesNot() {
        String prefix = "<d xmlns=\"n\">";
        String suffix = "</d>";
        String exact = prefix + "x".repeat(AccountDataStore.MAX_DOCUMENT_BYTES - prefix.length() - suffix.length()) + suffix;
        String over = prefix + "\u00e9" + exact.substring(prefix.length() + 1);

        get(store.put("big@size.example", "doc", exact));
        assertThat(get(store.get("big@size.example", "doc"))).contains(exact);
        assertLimit(store.put("big@size.example", "doc", over), LimitExceeded.Limit.DOCUMENT_SIZE);
        assertThat(get(store.get("big@size.example", "doc"))).contains(exact);
    }

    @Test
    void aFullAccountRefusesNewKeysButReplacesAndAcceptsAgainAfterADelete() {
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < AccountDataStore.MAX_DOCUMENTS; i++) {
            writes.add(store.put("hoarder@count.example", String.format("k%03d", i), "<d xmlns=\"n\"/>").toCompletableFuture());
        }
        writes.forEach(CompletableFuture::join);

        assertLimit(store.put("hoarder@count.example", "k999", "<d xmlns=\"n\"/>"), LimitExceeded.Limit.DOCUMENT_COUNT);
        assertLimit(store.put("hoarder@count.example", "a-first", "<d xmlns=\"n\"/>"), LimitExceeded.Limit.DOCUMENT_COUNT);
        get(store.put("hoarder@count.example", "k099", "<replaced xmlns=\"n\"/>"));
        get(store.put("hoarder@count.example", "k000", "<replaced xmlns=\"n\"/>"));
        assertThat(get(store.get("hoarder@count.example", "k099"))).contains("<replaced xmlns=\"n\"/>");
        assertThat(get(store.get("hoarder@count.example", "k999"))).isEmpty();

        get(store.delete("hoarder@count.example", "k050"));
        get(store.put("hoarder@count.example", "k999", "<d xmlns=\"n\"/>"));
        assertThat(get(store.get("hoarder@count.example", "k999"))).isPresent();
    }

    @Test
    void badInputFailsTheStageWithIllegalArgument() {
        assertFailsWith(store.put("", "k", "<d/>"), IllegalArgumentException.class);
        assertFailsWith(store.put("a@bad.example", "", "<d/>"), IllegalArgumentException.class);
        assertFailsWith(store.put("a@bad.example", "k", null), IllegalArgumentException.class);
        assertFailsWith(store.get(null, "k"), IllegalArgumentException.class);
        assertFailsWith(store.delete("a@bad.example", "k".repeat(AccountDataStore.MAX_KEY_BYTES + 1)), IllegalArgumentException.class);
        assertFailsWith(store.get("a".repeat(AccountDataStore.MAX_ACCOUNT_BYTES + 1), "k"), IllegalArgumentException.class);
    }

    @Test
    void aSecondConnectFindsTheSchemaAndTheData() {
        get(store.put("nurse@reconnect.example", "k", "<d xmlns=\"n\"/>"));

        try (CassandraAccountDataStore again = CassandraAccountDataStore.connect(settings)) {
            assertThat(get(again.get("nurse@reconnect.example", "k"))).contains("<d xmlns=\"n\"/>");
        }
    }

    private static void assertLimit(CompletionStage<Void> stage, LimitExceeded.Limit limit) {
        assertThatThrownBy(() -> stage.toCompletableFuture().join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(LimitExceeded.class, l -> assertThat(l.limit()).isEqualTo(limit));
    }

    private static void assertFailsWith(CompletionStage<?> stage, Class<? extends Throwable> type) {
        assertThatThrownBy(() -> stage.toCompletableFuture().join()).isInstanceOf(CompletionException.class).hasCauseInstanceOf(type);
    }

    private static <T> T get(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void purgeRemovesEveryDocumentOfOneAccountOnly() {
        get(store.put("juliet@purge.example", "vcard-temp", "<vCard xmlns=\"vcard-temp\"/>"));
        get(store.put("juliet@purge.example", "storage:bookmarks", "<storage xmlns=\"storage:bookmarks\"/>"));
        get(store.put("romeo@purge.example", "vcard-temp", "<vCard xmlns=\"vcard-temp\"><FN>R</FN></vCard>"));

        get(store.purge("juliet@purge.example"));

        assertThat(get(store.get("juliet@purge.example", "vcard-temp"))).isEmpty();
        assertThat(get(store.get("juliet@purge.example", "storage:bookmarks"))).isEmpty();
        assertThat(get(store.get("romeo@purge.example", "vcard-temp"))).isPresent();
    }
}
