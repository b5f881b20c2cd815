package org.kaiku.engine.features.register;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The per-address registration limit over a sliding window, on a clock the test moves. */
class AddressLimiterTest {
    private final AtomicLong now = new AtomicLong();
    private final AddressLimiter limiter = new AddressLimiter(2, Duration.ofMinutes(10), now::get);

    @Test
    void eachAddressHasItsOwnWindow() throws Exception {
        InetAddress a = InetAddress.getByName("127.0.0.2");
        InetAddress b = InetAddress.getByName("::1");
        assertThat(limiter.tryAcquire(a)).isTrue();
        now.addAndGet(Duration.ofMinutes(6).toNanos());
        assertThat(limiter.tryAcquire(a)).isTrue();
        assertThat(limiter.tryAcquire(a)).isFalse();
        assertThat(limiter.tryAcquire(b)).isTrue();
        // the first slot of a leaves the window; the second is still in it
        now.addAndGet(Duration.ofMinutes(5).toNanos());
        assertThat(limiter.tryAcquire(a)).isTrue();
        assertThat(limiter.tryAcquire(a)).isFalse();
    }

    @Test
    void aReleasedSlotCanBeTakenAgain() throws Exception {
        InetAddress a = InetAddress.getByName("127.0.0.3");
        assertThat(limiter.tryAcquire(a)).isTrue();
        assertThat(limiter.tryAcquire(a)).isTrue();
        limiter.release(a);
        assertThat(limiter.tryAcquire(a)).isTrue();
        assertThat(limiter.tryAcquire(a)).isFalse();
    }
}
