package org.kaiku.persistence.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** The bound on writes in flight: queued in order, started as slots free, refused past the queue. */
class WriteLimiterTest {

    @Test
    void startsAtMostTheLimitQueuesTheRestInOrderAndRefusesPastTheQueue() {
        WriteLimiter limiter = new WriteLimiter("test", 2, 2);
        List<CompletableFuture<Integer>> writes = new ArrayList<>();
        List<Integer> started = new ArrayList<>();
        List<CompletionStage<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            CompletableFuture<Integer> write = new CompletableFuture<>();
            writes.add(write);
            results.add(limiter.submit(() -> {
                started.add(n);
                return write;
            }));
        }
        assertThat(started).containsExactly(0, 1);
        assertThat(limiter.inFlight()).isEqualTo(2);
        assertThat(limiter.queued()).isEqualTo(2);
        assertThat(results.get(4).toCompletableFuture()).isCompletedExceptionally();
        assertThat(writes.get(4)).isNotDone(); // never started

        writes.get(1).complete(11);
        assertThat(results.get(1).toCompletableFuture()).isCompletedWithValue(11);
        assertThat(started).containsExactly(0, 1, 2);
        writes.get(0).completeExceptionally(new IllegalStateException("timeout"));
        assertThat(results.get(0).toCompletableFuture()).isCompletedExceptionally();
        assertThat(started).containsExactly(0, 1, 2, 3);
        writes.get(2).complete(12);
        writes.get(3).complete(13);
        assertThat(results.get(3).toCompletableFuture()).isCompletedWithValue(13);
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.queued()).isZero();
    }

    @Test
    void aWriteThatThrowsFreesItsSlot() {
        WriteLimiter limiter = new WriteLimiter("test", 1, 1);
        CompletionStage<Object> failed = limiter.submit(() -> {
            throw new IllegalArgumentException("bad statement");
        });
        assertThat(failed.toCompletableFuture()).isCompletedExceptionally();
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.submit(() -> CompletableFuture.completedFuture(7)).toCompletableFuture()).isCompletedWithValue(7);
    }
}
