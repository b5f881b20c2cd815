package org.kaiku.engine.features.register;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * How many accounts each remote address created within a sliding window, on this node. A cluster
 * behind a load balancer spreads one address over its nodes, so the cluster-wide figure can reach
 * the limit times the node count: the limit slows a script down, it does not stop a determined
 * one (that is what leaving in-band registration off, the default, is for). Entries of addresses
 * whose window has passed are dropped on the next use, so memory stays bounded by the addresses
 * of one window. Thread-safe: sessions on any dispatcher thread call it.
 */
final class AddressLimiter {
    private final int limit;
    private final long windowNanos;
    private final LongSupplier clock;
    private final Map<InetAddress, ArrayDeque<Long>> recent = new HashMap<>();

    AddressLimiter(int limit, Duration window, LongSupplier nanoClock) {
        this.limit = limit;
        this.windowNanos = window.toNanos();
        this.clock = nanoClock;
    }

    /** Takes one slot for {@code address}, or answers false when its window is full. */
    synchronized boolean tryAcquire(InetAddress address) {
        long now = clock.getAsLong();
        recent.values().removeIf(times -> {
            while (!times.isEmpty() && now - times.peekFirst() >= windowNanos) {
                times.pollFirst();
            }
            return times.isEmpty();
        });
        ArrayDeque<Long> times = recent.computeIfAbsent(address, a -> new ArrayDeque<>());
        if (times.size() >= limit) {
            return false;
        }
        times.addLast(now);
        return true;
    }

    /** Gives back the slot of a registration that did not create an account (a name taken, a store error). */
    synchronized void release(InetAddress address) {
        ArrayDeque<Long> times = recent.get(address);
        if (times != null && !times.isEmpty()) {
            times.pollLast();
        }
    }
}
