package org.kaiku.persistence.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.kaiku.protocol.sasl.ScramCredential;
import org.kaiku.protocol.sasl.ScramMechanism;

@ExtendWith(CassandraNodeExtension.class)
class CassandraCredentialStoreTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static CassandraSettings settings;
    private static CassandraCredentialStore store;

    @BeforeAll
    static void connect(LocalCassandra node) {
        settings = CassandraSettings.local(node, "credentials_test");
        store = CassandraCredentialStore.connect(settings);
    }

    @AfterAll
    static void close() {
        store.close();
    }

    @Test
    void anAccountIsDisabledAndEnabledAgainWithItsCredentialsKept() {
        Map<ScramMechanism, ScramCredential> creds = credentials("pencil");
        assertThat(get(store.setDisabled("off.example", "romeo", true))).as("no such account").isFalse();
        assertThat(get(store.create("off.example", "romeo", creds))).isTrue();
        assertThat(get(store.create("off.example", "tybalt", credentials("sword")))).isTrue();
        assertThat(get(store.account("off.example", "romeo"))).isEqualTo(new org.kaiku.engine.auth.CredentialStore.Stored(creds, false));

        assertThat(get(store.setDisabled("off.example", "romeo", true))).isTrue();
        assertThat(get(store.account("off.example", "romeo")).disabled()).isTrue();
        assertThat(get(store.account("off.example", "romeo")).credentials()).isEqualTo(creds);
        assertThat(get(store.listDisabled("off.example"))).containsExactly("romeo");
        // a password change keeps the mark
        assertThat(get(store.update("off.example", "romeo", credentials("quill")))).isTrue();
        assertThat(get(store.account("off.example", "romeo")).disabled()).isTrue();

        assertThat(get(store.setDisabled("off.example", "romeo", false))).isTrue();
        assertThat(get(store.account("off.example", "romeo")).disabled()).isFalse();
        assertThat(get(store.listDisabled("off.example"))).isEmpty();

        // a deleted account's mark goes with it: a new account of the same name starts enabled
        assertThat(get(store.setDisabled("off.example", "tybalt", true))).isTrue();
        assertThat(get(store.delete("off.example", "tybalt"))).isTrue();
        assertThat(get(store.create("off.example", "tybalt", credentials("sword")))).isTrue();
        assertThat(get(store.account("off.example", "tybalt")).disabled()).isFalse();
    }

    @Test
    void reconnectingToAnExistingSchemaAddsNothingTwice() {
        CassandraCredentialStore.connect(settings).close();
        assertThat(get(store.account("off.example", "nobody")).credentials()).isEmpty();
    }

    @Test
    void createReadUpdateDeleteAnAccount() {
        Map<ScramMechanism, ScramCredential> first = credentials("pencil");
        Map<ScramMechanism, ScramCredential> second = credentials("ink");

        assertThat(get(store.credentials("crud.example", "juliet"))).isEmpty();
        assertThat(get(store.create("crud.example", "juliet", first))).isTrue();
        Map<ScramMechanism, ScramCredential> read = get(store.credentials("crud.example", "juliet"));
        assertThat(read).isEqualTo(first);
        assertThat(read.get(ScramMechanism.SHA_256).verifyPassword("pencil")).isTrue();

        assertThat(get(store.update("crud.example", "juliet", second))).isTrue();
        Map<ScramMechanism, ScramCredential> updated = get(store.credentials("crud.example", "juliet"));
        assertThat(updated).isEqualTo(second);
        assertThat(updated.get(ScramMechanism.SHA_1).verifyPassword("pencil")).isFalse();
        assertThat(updated.get(ScramMechanism.SHA_1).verifyPassword("ink")).isTrue();

        assertThat(get(store.delete("crud.example", "juliet"))).isTrue();
        assertThat(get(store.credentials("crud.example", "juliet"))).isEmpty();
        assertThat(get(store.delete("crud.example", "juliet"))).isFalse();
    }

    @Test
    void updateReplacesTheWholeSetOfMechanisms() {
        Map<ScramMechanism, ScramCredential> all = credentials("secret");
        ScramCredential onlySha512 = all.get(ScramMechanism.SHA_512);
        assertThat(get(store.create("replace.example", "romeo", all))).isTrue();

        assertThat(get(store.update("replace.example", "romeo", Map.of(ScramMechanism.SHA_512, onlySha512)))).isTrue();

        assertThat(get(store.credentials("replace.example", "romeo"))).containsOnlyKeys(ScramMechanism.SHA_512);
    }

    @Test
    void createIsAnLwtSoASecondCreateLosesAndKeepsTheFirstCredentials() {
        Map<ScramMechanism, ScramCredential> original = credentials("original");

        assertThat(get(store.create("lwt.example", "mercutio", original))).isTrue();
        assertThat(get(store.create("lwt.example", "mercutio", credentials("hijack")))).isFalse();

        assertThat(get(store.credentials("lwt.example", "mercutio"))).isEqualTo(original);
    }

    @Test
    void concurrentCreatesOfOneAccountHaveExactlyOneWinner() {
        List<CompletableFuture<Boolean>> racers = new ArrayList<>();
        List<Map<ScramMechanism, ScramCredential>> candidates = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Map<ScramMechanism, ScramCredential> c = Map.of(ScramMechanism.SHA_256,
                    ScramCredential.create(ScramMechanism.SHA_256, "racer" + i, 64, RANDOM));
            candidates.add(c);
            racers.add(store.create("race.example", "tybalt", c).toCompletableFuture());
        }
        List<Boolean> results = racers.stream().map(CompletableFuture::join).toList();

        assertThat(results).containsOnlyOnce(true);
        Map<ScramMechanism, ScramCredential> stored = get(store.credentials("race.example", "tybalt"));
        assertThat(stored).isEqualTo(candidates.get(results.indexOf(true)));
    }

    @Test
    void updateAndDeleteOfAMissingAccountAnswerFalseAndCreateNothing() {
        assertThat(get(store.update("missing.example", "nobody", credentials("x")))).isFalse();
        assertThat(get(store.delete("missing.example", "nobody"))).isFalse();
        assertThat(get(store.credentials("missing.example", "nobody"))).isEmpty();
        assertThat(get(store.list("missing.example"))).isEmpty();
    }

    @Test
    void listReturnsTheSortedUsernamesOfOneDomainOnly() {
        List<String> names = IntStream.range(0, 100).mapToObj(i -> String.format("user%03d", i)).toList();
        Map<ScramMechanism, ScramCredential> cheap = Map.of(ScramMechanism.SHA_1,
                ScramCredential.create(ScramMechanism.SHA_1, "pw", 16, RANDOM));
        List<CompletableFuture<Boolean>> writes = new ArrayList<>();
        List<String> reversed = new ArrayList<>(names);
        Collections.reverse(reversed);
        for (String name : reversed) {
            writes.add(store.create("list.example", name, cheap).toCompletableFuture());
        }
        writes.add(store.create("other.example", "user000", cheap).toCompletableFuture());
        writes.add(store.create("list.example.org", "intruder", cheap).toCompletableFuture());
        writes.add(store.create("list.example", "ärger", cheap).toCompletableFuture());
        assertThat(writes.stream().map(CompletableFuture::join)).containsOnly(true);
        assertThat(names.stream().map(CassandraCredentialStore::bucket).distinct().count())
                .as("the names spread over many buckets").isGreaterThan(CassandraCredentialStore.BUCKETS / 2);

        List<String> listed = get(store.list("list.example"));

        List<String> expected = new ArrayList<>(names);
        expected.add("ärger");
        assertThat(listed).containsExactlyElementsOf(expected).isSorted();
        assertThat(get(store.delete("list.example", "user050"))).isTrue();
        assertThat(get(store.list("list.example"))).hasSize(100).doesNotContain("user050");
        assertThat(get(store.list("other.example"))).containsExactly("user000");
    }

    @Test
    void aSecondConnectFindsTheSchemaAndTheData() {
        assertThat(get(store.create("reconnect.example", "nurse", credentials("pw")))).isTrue();

        try (CassandraCredentialStore again = CassandraCredentialStore.connect(settings)) {
            assertThat(get(again.credentials("reconnect.example", "nurse"))).containsOnlyKeys(ScramMechanism.values());
            assertThat(get(again.create("reconnect.example", "nurse", credentials("pw")))).isFalse();
        }
    }

    @Test
    void badInputFailsTheStageWithIllegalArgument() {
        ScramCredential sha1 = ScramCredential.create(ScramMechanism.SHA_1, "pw", 16, RANDOM);
        assertFailsWithIllegalArgument(store.create("bad.example", "empty", Map.of()));
        assertFailsWithIllegalArgument(store.create("bad.example", "mismatch", Map.of(ScramMechanism.SHA_256, sha1)));
        assertFailsWithIllegalArgument(store.create("bad.example", "", Map.of(ScramMechanism.SHA_1, sha1)));
        assertFailsWithIllegalArgument(store.credentials(null, "x"));
        assertFailsWithIllegalArgument(store.update("bad.example", "x".repeat(1024), Map.of(ScramMechanism.SHA_1, sha1)));
        assertFailsWithIllegalArgument(store.delete("", "x"));
        assertFailsWithIllegalArgument(store.list(""));
        assertThat(get(store.list("bad.example"))).isEmpty();
    }

    private static Map<ScramMechanism, ScramCredential> credentials(String password) {
        return ScramCredential.createAll(password, 64, RANDOM);
    }

    private static void assertFailsWithIllegalArgument(CompletionStage<?> stage) {
        assertThatThrownBy(() -> stage.toCompletableFuture().join())
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    private static <T> T get(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
