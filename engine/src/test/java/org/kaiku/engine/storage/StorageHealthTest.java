package org.kaiku.engine.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StorageHealthTest {
    private final MutableClock clock = new MutableClock();
    private final StorageHealth health = new StorageHealth(clock, Duration.ofSeconds(1));

    @Test
    void goesDownOnAFailedProbeAndUpOnASuccessfulOneTellingListenersOncePerTransition() {
        List<Boolean> transitions = new ArrayList<>();
        health.onTransition(transitions::add);
        assertThat(health.isUp()).isTrue();

        health.probeFailed(new IllegalStateException("no node was available"));
        clock.advance(Duration.ofSeconds(3));
        health.probeFailed(new IllegalStateException("still none"));
        StorageHealth.Snapshot down = health.snapshot();
        assertThat(down.up()).isFalse();
        assertThat(down.downSince()).isEqualTo(Instant.EPOCH);
        assertThat(down.lastError()).isEqualTo("IllegalStateException: still none");
        assertThat(down.failedProbes()).isEqualTo(2);

        health.probeSucceeded();
        health.probeSucceeded();
        assertThat(health.isUp()).isTrue();
        assertThat(health.snapshot().downSince()).isNull();
        assertThat(transitions).containsExactly(false, true);
    }

    @Test
    void aFailedWriteRecordsItsErrorAndAsksForAProbeButDoesNotDecideTheState() {
        AtomicInteger probes = new AtomicInteger();
        health.setProbeNow(probes::incrementAndGet);
        health.writeFailed("archive append", new java.util.concurrent.CompletionException(new RuntimeException("timeout")));
        assertThat(health.isUp()).isTrue();
        assertThat(probes).hasValue(1);
        assertThat(health.snapshot().lastError()).isEqualTo("archive append: RuntimeException: timeout");
        assertThat(health.snapshot().failedWrites()).isEqualTo(1);

        health.probeFailed(new RuntimeException("down"));
        health.writeFailed("offline append", new RuntimeException("down"));
        assertThat(probes).as("no probe asked while down: the prober retries on its own").hasValue(1);
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.EPOCH;

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
