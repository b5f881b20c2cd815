package org.kaiku.engine.features.mam;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.kaiku.engine.storage.ArchiveId;
import org.kaiku.engine.storage.ArchivedMessage;

class ArchiveRetryTest {

    private static ArchivedMessage row(long micros) {
        return new ArchivedMessage(new ArchiveId(micros, 7), "bob@localhost", false, "<message/>");
    }

    @Test
    void keepsFailedRowsUpToItsCapacityAndCountsTheRestLost() {
        ArchiveRetry retry = new ArchiveRetry(2, 10);
        assertThat(retry.add("alice@localhost", row(1))).isTrue();
        assertThat(retry.add("alice@localhost", row(2))).isTrue();
        assertThat(retry.add("alice@localhost", row(3))).isFalse();
        assertThat(retry.lost()).isEqualTo(1);
        List<Long> written = new ArrayList<>();
        retry.retry((account, r) -> {
            written.add(r.id().micros());
            return CompletableFuture.completedFuture(null);
        });
        assertThat(written).containsExactly(1L, 2L);
        assertThat(retry.size()).isZero();
    }

    @Test
    void writesInBatchesTheNextOnlyAfterTheLastCompletedWithASuccess() {
        ArchiveRetry retry = new ArchiveRetry(100, 2);
        for (int i = 1; i <= 5; i++) {
            retry.add("alice@localhost", row(i));
        }
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        List<Long> written = new ArrayList<>();
        retry.retry((account, r) -> {
            written.add(r.id().micros());
            CompletableFuture<Void> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        });
        assertThat(written).containsExactly(1L, 2L);
        retry.retry((account, r) -> CompletableFuture.completedFuture(null));
        assertThat(written).as("no second batch while one runs").containsExactly(1L, 2L);

        pending.get(0).complete(null);
        assertThat(written).containsExactly(1L, 2L);
        pending.get(1).completeExceptionally(new RuntimeException("timeout"));
        assertThat(written).as("a batch with a success starts the next").containsExactly(1L, 2L, 3L, 4L);

        pending.get(2).completeExceptionally(new RuntimeException("down"));
        pending.get(3).completeExceptionally(new RuntimeException("down"));
        assertThat(written).as("a batch that all failed waits for the next probe").hasSize(4);
        assertThat(retry.size()).isEqualTo(1);
    }

    @Test
    void failureLogWritesOneLinePerIntervalWithTheCountLeftOut() {
        MessageArchiver.FailureLog log = new MessageArchiver.FailureLog();
        long s = 1_000_000_000L;
        assertThat(log.quietSince(0)).isZero();
        assertThat(log.quietSince(s)).isEqualTo(-1);
        assertThat(log.quietSince(2 * s)).isEqualTo(-1);
        assertThat(log.quietSince(11 * s)).isEqualTo(2);
    }
}
