package org.kaiku.deploy.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The sessions of one run spread over a few {@link EventLoop}s: starts them at a fixed rate
 * (never more than a bound still negotiating), counts what became of each, records login times
 * (connect to roster result, and TLS done to roster result, microseconds, HdrHistogram) and prints a progress line a second.
 * Every wait ends by count or by deadline.
 */
final class Fleet implements BenchClient.Listener, AutoCloseable {
    /** Receives chat message bodies (on a loop thread). */
    interface MessageSink {
        void message(BenchClient client, String body, long receivedNanos);
    }

    private final BenchConfig config;
    private final List<EventLoop> loops = new ArrayList<>();
    private final List<InetSocketAddress> sources;
    private final String userPrefix;
    private final int firstUser;
    private final PrintWriter progress;
    final BenchClient[] clients;

    final LongAdder started = new LongAdder();
    final LongAdder online = new LongAdder();
    final LongAdder failedBeforeOnline = new LongAdder();
    final LongAdder droppedAfterOnline = new LongAdder();
    final LongAdder created = new LongAdder();
    final LongAdder existed = new LongAdder();
    final Recorder loginMicros = new Recorder(3);
    final Recorder authMicros = new Recorder(3);
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    private final AtomicLong lastDoneNanos = new AtomicLong();
    /** Receives every other stanza of an online session (on a loop thread). */
    interface StanzaSink {
        void stanza(BenchClient client, XmlElement stanza, long receivedNanos);
    }

    private volatile MessageSink sink = (c, b, t) -> { };
    private volatile StanzaSink stanzaSink = (c, e, t) -> { };

    Fleet(BenchConfig config, int users, String userPrefix, int firstUser, List<InetSocketAddress> sources, int threads,
          PrintWriter progress) {
        this.config = config;
        this.userPrefix = userPrefix;
        this.firstUser = firstUser;
        this.sources = List.copyOf(sources);
        this.progress = progress;
        this.clients = new BenchClient[users];
        for (int i = 0; i < threads; i++) {
            loops.add(new EventLoop("kaiku-bench-" + i));
        }
    }

    void onMessage(MessageSink sink) {
        this.sink = sink;
    }

    void onStanza(StanzaSink sink) {
        this.stanzaSink = sink;
    }

    String domain() {
        return config.domain();
    }

    String userName(int i) {
        return userPrefix + (firstUser + i);
    }

    String bareJid(int i) {
        return userName(i) + "@" + config.domain();
    }

    long finished() {
        return online.sum() + failedBeforeOnline.sum() + created.sum() + existed.sum();
    }

    /**
     * Starts sessions 0..n-1 at {@code rate} a second with at most {@code maxInFlight} still
     * negotiating, then waits until each is online (or registered) or failed, or until
     * {@code deadlineNanos}. Returns the phase's figures.
     */
    ObjectNode connectAll(String phase, BenchClient.Mode mode, double rate, int maxInFlight, long deadlineNanos) {
        int n = clients.length;
        long t0 = System.nanoTime();
        long nextProgress = t0 + TimeUnit.SECONDS.toNanos(1);
        int i = 0;
        while (i < n && System.nanoTime() - deadlineNanos < 0) {
            long now = System.nanoTime();
            if (now - nextProgress >= 0) {
                progress(phase, t0, n);
                nextProgress += TimeUnit.SECONDS.toNanos(1);
            }
            long due = t0 + (long) (i * 1e9 / rate);
            if (now - due < 0) {
                LockSupport.parkNanos(Math.min(due - now, TimeUnit.MILLISECONDS.toNanos(50)));
                continue;
            }
            if (started.sum() - finished() >= maxInFlight) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                continue;
            }
            EventLoop loop = loops.get(i % loops.size());
            BenchClient c = new BenchClient(i, userName(i), config, loop, sources.get(i % sources.size()), mode, this);
            clients[i] = c;
            started.increment();
            loop.execute(c::start);
            i++;
        }
        long lastStart = System.nanoTime();
        while (finished() < started.sum() && System.nanoTime() - deadlineNanos < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            if (System.nanoTime() - nextProgress >= 0) {
                progress(phase, t0, n);
                nextProgress += TimeUnit.SECONDS.toNanos(1);
            }
        }
        progress(phase, t0, n);
        long end = Math.max(lastDoneNanos.get(), t0);
        double seconds = Math.max(1e-9, (end - t0) / 1e9);
        Histogram h = loginMicros.getIntervalHistogram();
        Histogram auth = authMicros.getIntervalHistogram();
        ObjectNode out = Report.JSON.createObjectNode();
        out.put("attempted", started.sum());
        out.put("not_started_before_deadline", n - started.sum());
        out.put("offered_rate_per_s", rate);
        out.put("start_seconds", round((lastStart - t0) / 1e9));
        out.put("elapsed_seconds", round(seconds));
        if (mode == BenchClient.Mode.LOGIN) {
            out.put("online", online.sum());
            out.put("logins_per_s", round(online.sum() / seconds));
            out.set("login_ms", Report.percentiles(h, 1000.0));
            out.set("auth_ms", Report.percentiles(auth, 1000.0));
        } else {
            out.put("created", created.sum());
            out.put("existed", existed.sum());
        }
        out.put("failed", failedBeforeOnline.sum());
        out.put("unfinished", started.sum() - finished());
        out.set("failures", failureCounts());
        return out;
    }

    private void progress(String phase, long t0, int n) {
        double s = (System.nanoTime() - t0) / 1e9;
        long done = online.sum() + created.sum() + existed.sum();
        progress.printf("kaiku bench: %s: %.0f s: %d/%d started, %d done, %d failed, %.1f/s%n", phase, s,
                started.sum(), n, done, failedBeforeOnline.sum(), s > 0 ? done / s : 0.0);
        progress.flush();
    }

    ObjectNode failureCounts() {
        ObjectNode node = Report.JSON.createObjectNode();
        new TreeMap<>(failures).forEach((k, v) -> node.put(k, v.sum()));
        return node;
    }

    int onlineNow() {
        int count = 0;
        for (BenchClient c : clients) {
            if (c != null && c.isOnline()) {
                count++;
            }
        }
        return count;
    }

    /** Runs {@code action} on each loop with the online clients that loop owns; waits for all. */
    void forEachLoop(java.util.function.BiConsumer<EventLoop, List<BenchClient>> action) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(loops.size());
        for (EventLoop loop : loops) {
            List<BenchClient> mine = new ArrayList<>();
            for (BenchClient c : clients) {
                if (c != null && c.loop() == loop) {
                    mine.add(c);
                }
            }
            loop.execute(() -> {
                try {
                    action.accept(loop, mine);
                } finally {
                    done.countDown();
                }
            });
        }
        done.await(60, TimeUnit.SECONDS);
    }

    @Override
    public void online(BenchClient client, long loginNanos, long authNanos) {
        loginMicros.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(loginNanos)));
        authMicros.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(authNanos)));
        online.increment();
        lastDoneNanos.accumulateAndGet(System.nanoTime(), Math::max);
    }

    @Override
    public void registered(BenchClient client, boolean isNew) {
        (isNew ? created : existed).increment();
        lastDoneNanos.accumulateAndGet(System.nanoTime(), Math::max);
    }

    @Override
    public void message(BenchClient client, String body, long receivedNanos) {
        sink.message(client, body, receivedNanos);
    }

    @Override
    public void stanza(BenchClient client, XmlElement stanza, long receivedNanos) {
        stanzaSink.stanza(client, stanza, receivedNanos);
    }

    @Override
    public void failed(BenchClient client, BenchClient.State state, String reason) {
        if (state == BenchClient.State.ONLINE) {
            droppedAfterOnline.increment();
        } else {
            failedBeforeOnline.increment();
        }
        String key = state + ": " + reason.replaceAll("\\d+", "N");
        failures.computeIfAbsent(key.length() > 160 ? key.substring(0, 160) : key, k -> new LongAdder()).increment();
    }

    /** Closes every session politely, then the loops. */
    @Override
    public void close() {
        try {
            forEachLoop((loop, mine) -> mine.forEach(BenchClient::close));
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        loops.forEach(EventLoop::close);
    }

    static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }
}
