package org.kaiku.engine.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.kaiku.protocol.xml.XmlElement;

/** The in-memory store keeps the contract's limits, and stored text reads back as it was written. */
class InMemoryAccountDataStoreTest {
    private final AccountDataStore store = new InMemoryAccountDataStore();

    @Test
    void putGetReplaceDelete() {
        assertThat(store.get("a@x", "k").toCompletableFuture().join()).isEmpty();
        store.put("a@x", "k", "<one xmlns='n'/>").toCompletableFuture().join();
        store.put("a@x", "k", "<two xmlns='n'/>").toCompletableFuture().join();
        store.put("b@x", "k", "<b xmlns='n'/>").toCompletableFuture().join();

        assertThat(store.get("a@x", "k").toCompletableFuture().join()).contains("<two xmlns='n'/>");
        store.delete("a@x", "k").toCompletableFuture().join();
        store.delete("a@x", "k").toCompletableFuture().join();
        assertThat(store.get("a@x", "k").toCompletableFuture().join()).isEmpty();
        assertThat(store.get("b@x", "k").toCompletableFuture().join()).contains("<b xmlns='n'/>");
    }

    @Test
    void refusesOversizedDocumentsCountingUtf8Bytes() {
        String fits = "<d xmlns='n'>" + "x".repeat(AccountDataStore.MAX_DOCUMENT_BYTES - 20) + "</d>";
        String tooBig = "<d xmlns='n'>" + "€".repeat(AccountDataStore.MAX_DOCUMENT_BYTES / 3) + "</d>";
        assertThat(AccountDataStore.utf8Length(fits)).isLessThanOrEqualTo(AccountDataStore.MAX_DOCUMENT_BYTES);
        assertThat(tooBig.length()).isLessThan(AccountDataStore.MAX_DOCUMENT_BYTES);
        assertThat(AccountDataStore.utf8Length("a\u00e9\u20ac\uD83D\uDE00")).isEqualTo(1 + 2 + 3 + 4);

        store.put("a@x", "k", fits).toCompletableFuture().join();
        assertLimit(store.put("a@x", "k", tooBig), AccountDataStore.LimitExceeded.Limit.DOCUMENT_SIZE);
        assertThat(store.get("a@x", "k").toCompletableFuture().join()).contains(fits);
    }

    @Test
    void refusesANewKeyBeyondTheDocumentCountButStillReplacesOldOnes() {
        for (int i = 0; i < AccountDataStore.MAX_DOCUMENTS; i++) {
            store.put("a@x", "k" + i, "<d xmlns='n'/>").toCompletableFuture().join();
        }
        assertLimit(store.put("a@x", "one-more", "<d xmlns='n'/>"), AccountDataStore.LimitExceeded.Limit.DOCUMENT_COUNT);
        store.put("a@x", "k0", "<e xmlns='n'/>").toCompletableFuture().join();
        store.put("b@x", "one-more", "<d xmlns='n'/>").toCompletableFuture().join();
        assertThat(store.get("a@x", "k0").toCompletableFuture().join()).contains("<e xmlns='n'/>");
    }

    @Test
    void refusesEmptyOrOverlongAccountsAndKeys() {
        assertThatThrownBy(() -> store.put("", "k", "<d/>").toCompletableFuture().join()).hasCauseInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.get("a@x", null).toCompletableFuture().join()).hasCauseInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.delete("a@x", "k".repeat(AccountDataStore.MAX_KEY_BYTES + 1)).toCompletableFuture().join())
                .hasCauseInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.put("a@x", "k", null).toCompletableFuture().join()).hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void xmlDocumentsRoundTripAndRefuseWhatAStreamWouldRefuse() {
        XmlElement e = XmlElement.builder("prefs", "urn:example").attr("q", "it's \"quoted\"")
                .child(XmlElement.builder("line", "urn:example").text("a < b & c\r\n\ttab").build())
                .child(XmlElement.builder("foreign", "urn:other").attr("xml:lang", "fi").text("hyvä").build())
                .build();
        String xml = XmlDocument.write(e);

        assertThat(xml).startsWith("<prefs xmlns=\"urn:example\"");
        assertThat(XmlDocument.read(xml)).isEqualTo(e);
        for (String bad : new String[] {"", "text", "<a xmlns='n'/><b xmlns='n'/>", "<a xmlns='n'>",
                "<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>", "<a xmlns='n'><!-- c --></a>"}) {
            assertThatThrownBy(() -> XmlDocument.read(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static void assertLimit(CompletionStage<Void> stage, AccountDataStore.LimitExceeded.Limit limit) {
        assertThatThrownBy(() -> stage.toCompletableFuture().join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(AccountDataStore.LimitExceeded.class, l -> assertThat(l.limit()).isEqualTo(limit));
    }
}
