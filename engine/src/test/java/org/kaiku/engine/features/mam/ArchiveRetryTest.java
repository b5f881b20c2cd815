package org.kaiku.engine.features.mam;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kaiku.engine.storage.ArchiveId;
import org.kaiku.engine.storage.ArchivedMessage;

class ArchiveRetryTest {

    private static ArchivedMessage row(long micros) {
        return new ArchivedMessage(new ArchiveId(micros, 7), "bob@localhost", false, "<message/>");
    }

    @Test
    void keepsFailedRowsInOrderUpToItsCapacityAndCountsTheRestLost() {
        ArchiveRetry retry = new ArchiveRetry(2);
        assertThat(retry.add("alice@localhost", row(1))).isTrue();
        assertThat(retry.add("alice@localhost", row(2))).isTrue();
        assertThat(retry.add("alice@localhost", row(3))).isFalse();
        assertThat(retry.lost()).isEqualTo(1);

        List<Long> written = new ArrayList<>();
        retry.retryAll((account, r) -> written.add(r.id().micros()));
        assertThat(written).containsExactly(1L, 2L);
        assertThat(retry.size()).isZero();
        assertThat(retry.retried()).isEqualTo(2);
    }

    @Test
    void aRowThatFailsAgainComesBackForTheNextPass() {
        ArchiveRetry retry = new ArchiveRetry(10);
        retry.add("alice@localhost", row(1));
        retry.retryAll(retry::add);
        assertThat(retry.size()).isEqualTo(1);
        List<Long> written = new ArrayList<>();
        retry.retryAll((account, r) -> written.add(r.id().micros()));
        assertThat(written).containsExactly(1L);
    }
}
