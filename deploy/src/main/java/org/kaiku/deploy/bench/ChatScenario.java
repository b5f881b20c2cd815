package org.kaiku.deploy.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Recorder;

/**
 * One-to-one chat at rising rates. Every online user has {@code contacts} contacts, the next
 * online users round the ring, and writes to them in turn (a user whose login failed is neither a
 * sender nor a recipient: a message to it would wait in the server's offline store and count as
 * lost, blaming the chat for a failed login); the tool paces the whole fleet at each step's
 * rate (messages a second) for a fixed time, then waits for that step's messages to arrive
 * before the next step starts, so each step is measured on its own.
 *
 * <p>Each body is {@code kb STEP SEND_NANOS}, stamped on the sender's loop thread just before
 * the bytes are written; the receiver (same process, same clock) records now minus that stamp
 * in the step's HdrHistogram. Loss is sent minus delivered once the step has drained; since a
 * server may only drop, never invent, a negative figure would mean duplicates. The knee is the
 * highest step with no loss that delivered at least 95% of its offered rate.
 */
final class ChatScenario {
    private static final double KNEE_FRACTION = 0.95;
    private static final double SATURATED_FRACTION = 0.5;

    private final Fleet fleet;
    private final PrintWriter progress;
    private final CpuClock cpu;

    private ChatScenario(Fleet fleet, PrintWriter progress, CpuClock cpu) {
        this.fleet = fleet;
        this.progress = progress;
        this.cpu = cpu;
    }

    private static final class StepStats {
        final LongAdder sent = new LongAdder();
        final LongAdder delivered = new LongAdder();
        /**
         * A Recorder, not a ConcurrentHistogram: deliveries of an overloaded step go on arriving
         * while its percentiles are computed, and a histogram's iterator throws
         * ConcurrentModificationException when its counts change under it (the full-scale run
         * lost ejabberd's chat figures to that). The report reads a snapshot.
         */
        final Recorder micros = new Recorder(3);
        final AtomicLong lastDelivery = new AtomicLong();
    }

    static ObjectNode run(Fleet fleet, List<Double> rates, double stepSeconds, double drainSeconds, int contacts,
                          long deadlineNanos, PrintWriter progress, CpuClock cpu) throws InterruptedException {
        return new ChatScenario(fleet, progress, cpu).steps(rates, stepSeconds, drainSeconds, contacts, deadlineNanos);
    }

    private ObjectNode steps(List<Double> rates, double stepSeconds, double drainSeconds, int contacts, long deadlineNanos)
            throws InterruptedException {
        int n = fleet.clients.length;
        String[] jids = new String[n];
        List<Integer> senders = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            jids[i] = fleet.bareJid(i);
            if (fleet.clients[i] != null && fleet.clients[i].isOnline()) {
                senders.add(i);
            }
        }
        int ring = Math.max(1, Math.min(contacts, senders.size() - 1));
        int[] position = new int[n];
        for (int k = 0; k < senders.size(); k++) {
            position[senders.get(k)] = k;
        }
        StepStats[] stats = new StepStats[rates.size()];
        for (int s = 0; s < stats.length; s++) {
            stats[s] = new StepStats();
        }
        fleet.onMessage((client, body, received) -> {
            if (!body.startsWith("kb ")) {
                return;
            }
            int sp = body.indexOf(' ', 3);
            if (sp < 0) {
                return;
            }
            int step;
            long sentAt;
            try {
                step = Integer.parseInt(body, 3, sp, 10);
                sentAt = Long.parseLong(body, sp + 1, body.length(), 10);
            } catch (NumberFormatException e) {
                return;
            }
            if (step < 0 || step >= stats.length) {
                return;
            }
            StepStats st = stats[step];
            st.delivered.increment();
            st.micros.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(received - sentAt)));
            st.lastDelivery.accumulateAndGet(received, Math::max);
        });

        ObjectNode out = Report.JSON.createObjectNode();
        out.put("senders", senders.size());
        out.put("contacts_per_user", ring);
        out.put("step_seconds", stepSeconds);
        ArrayNode steps = out.putArray("steps");
        ObjectNode knee = null;
        long totalLoss = 0;
        int[] written = new int[n];
        int cursor = 0;
        if (senders.isEmpty()) {
            out.put("stopped", "no user online");
        }
        for (int s = 0; s < rates.size() && !senders.isEmpty(); s++) {
            if (System.nanoTime() - deadlineNanos >= 0) {
                out.put("stopped", "deadline reached before step " + (s + 1));
                break;
            }
            double rate = rates.get(s);
            StepStats st = stats[s];
            final int stepNo = s;
            double cpu0 = cpu.serverSeconds();
            long t0 = System.nanoTime();
            long stepEnd = t0 + (long) (stepSeconds * 1e9);
            long planned = 0;
            long nextProgress = t0 + TimeUnit.SECONDS.toNanos(1);
            long now;
            while ((now = System.nanoTime()) - stepEnd < 0 && now - deadlineNanos < 0) {
                long target = (long) (rate * (now - t0) / 1e9);
                if (target > planned) {
                    Map<EventLoop, List<int[]>> batches = new HashMap<>();
                    for (long k = planned; k < target; k++) {
                        int from = senders.get(cursor++ % senders.size());
                        int to = senders.get((position[from] + 1 + (written[from]++ % ring)) % senders.size());
                        BenchClient c = fleet.clients[from];
                        batches.computeIfAbsent(c.loop(), l -> new ArrayList<>()).add(new int[] {from, to});
                    }
                    batches.forEach((loop, batch) -> loop.execute(() -> {
                        for (int[] pair : batch) {
                            BenchClient c = fleet.clients[pair[0]];
                            if (c.isOnline()) {
                                c.sendMessage(jids[pair[1]], "kb " + stepNo + " " + System.nanoTime());
                                st.sent.increment();
                            }
                        }
                    }));
                    planned = target;
                }
                if (now - nextProgress >= 0) {
                    progress.printf("kaiku bench: chat step %d (%.0f msg/s): %.0f s: %d sent, %d delivered%n", s + 1, rate,
                            (now - t0) / 1e9, st.sent.sum(), st.delivered.sum());
                    progress.flush();
                    nextProgress += TimeUnit.SECONDS.toNanos(1);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
            long sendEnd = System.nanoTime();
            fleet.forEachLoop((loop, mine) -> { }); // every batch handed over has now been written
            long drainEnd = System.nanoTime() + (long) (drainSeconds * 1e9);
            while (st.delivered.sum() < st.sent.sum() && System.nanoTime() - drainEnd < 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            double cpuUsed = cpu0 >= 0 ? cpu.serverSeconds() - cpu0 : -1;
            long sent = st.sent.sum();
            long delivered = st.delivered.sum();
            long loss = sent - delivered;
            totalLoss += Math.max(0, loss);
            double sendSeconds = Math.max(1e-9, (sendEnd - t0) / 1e9);
            double deliverSeconds = Math.max(sendSeconds, (st.lastDelivery.get() - t0) / 1e9);
            double deliveredRate = delivered / deliverSeconds;
            ObjectNode step = steps.addObject();
            step.put("step", s + 1);
            step.put("offered_per_s", rate);
            step.put("sent", sent);
            step.put("sent_per_s", Fleet.round(sent / sendSeconds));
            step.put("delivered", delivered);
            step.put("delivered_per_s", Fleet.round(deliveredRate));
            step.put("loss", Math.max(0, loss));
            step.put("duplicates", Math.max(0, -loss));
            step.set("latency_ms", Report.percentiles(st.micros.getIntervalHistogram(), 1000.0));
            if (cpuUsed >= 0 && delivered > 0) {
                // over the step and its drain: what delivering these messages cost the server
                step.put("server_cpu_seconds", Fleet.round(cpuUsed));
                step.put("server_cpu_us_per_message", Fleet.round(cpuUsed * 1e6 / delivered));
            }
            step.put("sessions_online", fleet.onlineNow());
            progress.printf("kaiku bench: chat step %d: offered %.0f/s, delivered %.1f/s, p50 %s ms, p99 %s ms, loss %d%n",
                    s + 1, rate, deliveredRate, step.get("latency_ms").path("p50").asText("-"),
                    step.get("latency_ms").path("p99").asText("-"), Math.max(0, loss));
            progress.flush();
            boolean kept = loss == 0 && deliveredRate >= KNEE_FRACTION * rate;
            if (kept) {
                knee = step;
            }
            if (loss > 0 || deliveredRate < SATURATED_FRACTION * rate) {
                out.put("stopped", "step " + (s + 1) + (loss > 0 ? " lost messages" : " delivered under half its offered rate"));
                break;
            }
        }
        out.put("loss", totalLoss);
        if (knee != null) {
            out.set("knee", knee.deepCopy());
        } else {
            out.putNull("knee");
        }
        return out;
    }
}
