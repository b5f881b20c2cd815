package org.kaiku.deploy.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Recorder;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlWriter;

/**
 * Group chat (XEP-0045): every online user joins one room, then a few senders post to it at
 * rising rates; each message is delivered to every occupant (the sender gets its own reflection,
 * section 7.4), so a step of R messages a second offers R times the occupants deliveries a
 * second.
 *
 * <p>Joining (section 7.2): the first online user sends its presence to ROOM/NICK first, alone.
 * A server that creates the room for it answers with status 201 (section 10.1.1) and may keep it
 * locked until the owner configures it; the tool then accepts the default configuration with an
 * empty submitted form (the instant room of section 10.1.2), and waits for the result. The
 * others join at {@code joinRate} with at most {@code maxInFlight} joins unanswered; a join is
 * done at the occupant's own presence (from ROOM/its nick), failed at a presence error. Each
 * join asks for no history ({@code <history maxstanzas='0'/>}, section 7.2.15) so that no earlier
 * message is delivered twice. Join time (presence sent to own presence received, which comes
 * after the presences of everyone already in the room) is recorded.
 *
 * <p>Messages carry {@code kb STEP SEND_NANOS} as body, as in {@link ChatScenario}; every
 * delivery is recorded in the step's HdrHistogram. Loss is the step's messages times the
 * occupants, minus deliveries, once the step has drained. The knee is the highest step with no
 * loss that delivered at least 95% of its offered deliveries a second.
 */
final class MucScenario {
    static final String MUC = "http://jabber.org/protocol/muc";
    static final String MUC_USER = MUC + "#user";
    static final String MUC_OWNER = MUC + "#owner";
    private static final double KNEE_FRACTION = 0.95;
    private static final double SATURATED_FRACTION = 0.5;
    private static final int NONE = 0;
    private static final int JOINING = 1;
    private static final int JOINED = 2;
    private static final int REFUSED = 3;
    private static final int LEFT = 4;

    private final Fleet fleet;
    private final PrintWriter progress;
    private final CpuClock cpu;
    private final String room;
    private final Requests requests = new Requests();
    private final AtomicIntegerArray joinState;
    private final long[] joinSent;
    private final Recorder joinMicros = new Recorder(3);
    private final LongAdder joinsSent = new LongAdder();
    private final LongAdder joined = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder left = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private volatile boolean created;
    private volatile StepStats current;

    private static final class StepStats {
        final int step;
        final LongAdder sent = new LongAdder();
        final LongAdder delivered = new LongAdder();
        final LongAdder messageErrors = new LongAdder();
        final Recorder micros = new Recorder(3);
        final AtomicLong lastDelivery = new AtomicLong();

        StepStats(int step) {
            this.step = step;
        }
    }

    private MucScenario(Fleet fleet, String room, PrintWriter progress, CpuClock cpu) {
        this.fleet = fleet;
        this.room = room;
        this.progress = progress;
        this.cpu = cpu;
        this.joinState = new AtomicIntegerArray(fleet.clients.length);
        this.joinSent = new long[fleet.clients.length];
    }

    /**
     * @param room       the room's bare JID, e.g. bench@conference.localhost
     * @param rates      messages a second into the room, per step, rising
     * @param senders    how many occupants post (in turn)
     */
    static ObjectNode run(Fleet fleet, String room, double joinRate, int maxInFlight, double joinTimeoutSeconds,
                          List<Double> rates, double stepSeconds, double drainSeconds, int senders, long deadlineNanos,
                          PrintWriter progress, CpuClock cpu) throws InterruptedException {
        MucScenario s = new MucScenario(fleet, room, progress, cpu);
        fleet.onStanza(s::stanza);
        fleet.onMessage(s::message);
        ObjectNode out = Report.JSON.createObjectNode();
        out.put("room", room);
        if (s.join(out, joinRate, maxInFlight, joinTimeoutSeconds, deadlineNanos)) {
            s.steps(out, rates, stepSeconds, drainSeconds, senders, deadlineNanos);
        } else {
            out.put("loss", 0);
            out.putNull("knee");
        }
        out.put("left_room", s.left.sum());
        ObjectNode errs = out.putObject("errors");
        new TreeMap<>(s.errors).forEach((k, v) -> errs.put(k, v.sum()));
        return out;
    }

    // ---- stanzas (loop threads) -------------------------------------------------------------

    private void stanza(BenchClient c, XmlElement e, long now) {
        if (requests.answer(e)) {
            return;
        }
        if (e.is("presence", Namespaces.CLIENT)) {
            presence(c, e, now);
        } else if (e.is("message", Namespaces.CLIENT) && "error".equals(e.attr("type"))) {
            error("message error: " + Requests.condition(e));
            StepStats st = current;
            if (st != null) {
                st.messageErrors.increment();
            }
        }
    }

    private void presence(BenchClient c, XmlElement e, long now) {
        String from = e.attr("from");
        if (from == null || !from.equals(room + "/" + c.user)) {
            return; // another occupant's presence
        }
        String type = e.attr("type");
        int i = c.index;
        if ("error".equals(type)) {
            if (joinState.compareAndSet(i, JOINING, REFUSED)) {
                refused.increment();
                error("join refused: " + Requests.condition(e));
            }
        } else if ("unavailable".equals(type)) {
            if (joinState.compareAndSet(i, JOINED, LEFT)) {
                left.increment();
                error("removed from the room: " + Requests.describe(e));
            }
        } else if (type == null && joinState.get(i) == JOINING) {
            // "created" first: the scenario's thread reads it as soon as the state says JOINED
            XmlElement x = e.child("x", MUC_USER);
            if (x != null) {
                for (XmlElement status : x.elements("status", MUC_USER)) {
                    if ("201".equals(status.attr("code"))) {
                        created = true;
                    }
                }
            }
            if (joinState.compareAndSet(i, JOINING, JOINED)) {
                joinMicros.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(now - joinSent[i])));
                joined.increment();
            }
        }
    }

    private void message(BenchClient c, String body, long received) {
        StepStats st = current;
        if (st == null || !body.startsWith("kb ")) {
            return;
        }
        int sp = body.indexOf(' ', 3);
        if (sp < 0) {
            return;
        }
        try {
            if (Integer.parseInt(body, 3, sp, 10) != st.step) {
                error("delivery of an earlier step's message");
                return;
            }
            long sentAt = Long.parseLong(body, sp + 1, body.length(), 10);
            st.delivered.increment();
            st.micros.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(received - sentAt)));
            st.lastDelivery.accumulateAndGet(received, Math::max);
        } catch (NumberFormatException e) {
            // not one of ours
        }
    }

    private void error(String what) {
        errors.computeIfAbsent(what.length() > 200 ? what.substring(0, 200) : what, k -> new LongAdder()).increment();
    }

    // ---- joining ----------------------------------------------------------------------------

    private void sendJoin(int i) {
        BenchClient c = fleet.clients[i];
        joinState.set(i, JOINING);
        joinSent[i] = System.nanoTime();
        joinsSent.increment();
        StringBuilder sb = new StringBuilder("<presence to='");
        XmlWriter.escapeAttr(room + "/" + c.user, sb);
        sb.append("'><x xmlns='").append(MUC).append("'><history maxstanzas='0'/></x></presence>");
        String xml = sb.toString();
        c.loop().execute(() -> c.sendStanza(xml));
    }

    private boolean join(ObjectNode out, double rate, int maxInFlight, double timeoutSeconds, long deadlineNanos)
            throws InterruptedException {
        List<Integer> online = new ArrayList<>();
        for (int i = 0; i < fleet.clients.length; i++) {
            if (fleet.clients[i] != null && fleet.clients[i].isOnline()) {
                online.add(i);
            }
        }
        ObjectNode j = out.putObject("join");
        j.put("attempted", online.size());
        if (online.isEmpty()) {
            out.put("stopped", "no user online");
            return false;
        }
        long t0 = System.nanoTime();
        int first = online.get(0);
        sendJoin(first);
        waitUntil(() -> joinState.get(first) != JOINING, timeoutSeconds, deadlineNanos);
        if (joinState.get(first) != JOINED) {
            out.put("stopped", "the first join (which creates the room) " + (joinState.get(first) == JOINING ? "got no answer" : "was refused"));
            finishJoin(j, t0);
            return false;
        }
        j.put("room_created", created);
        if (created) {
            // section 10.1.2: accept the default configuration, which unlocks the room
            BenchClient owner = fleet.clients[first];
            String id = requests.next("cfg");
            java.util.concurrent.CompletableFuture<XmlElement> configured = requests.future(id);
            String iq = "<iq type='set' id='" + id + "' to='" + XmlWriter.escapeAttr(room) + "'><query xmlns='" + MUC_OWNER
                    + "'><x xmlns='jabber:x:data' type='submit'/></query></iq>";
            owner.loop().execute(() -> owner.sendStanza(iq));
            XmlElement answer = requests.await(id, configured, timeoutSeconds);
            if (!Requests.isResult(answer)) {
                out.put("stopped", "the instant room configuration was refused: " + Requests.describe(answer));
                finishJoin(j, t0);
                return false;
            }
            j.put("instant_room", true);
        }
        long t1 = System.nanoTime();
        long nextProgress = t1 + TimeUnit.SECONDS.toNanos(1);
        int k = 1;
        while (k < online.size() && System.nanoTime() - deadlineNanos < 0) {
            long now = System.nanoTime();
            if (now - nextProgress >= 0) {
                joinProgress(t0);
                nextProgress += TimeUnit.SECONDS.toNanos(1);
            }
            long due = t1 + (long) ((k - 1) * 1e9 / rate);
            if (now - due < 0) {
                LockSupport.parkNanos(Math.min(due - now, TimeUnit.MILLISECONDS.toNanos(50)));
                continue;
            }
            if (joinsSent.sum() - joined.sum() - refused.sum() >= maxInFlight) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                continue;
            }
            sendJoin(online.get(k++));
        }
        waitUntil(() -> joined.sum() + refused.sum() >= joinsSent.sum(), timeoutSeconds, deadlineNanos);
        joinProgress(t0);
        finishJoin(j, t0);
        return joined.sum() > 0;
    }

    private void finishJoin(ObjectNode j, long t0) {
        long unanswered = joinsSent.sum() - joined.sum() - refused.sum();
        double seconds = Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
        j.put("joined", joined.sum());
        j.put("refused", refused.sum());
        j.put("unanswered", unanswered);
        j.put("elapsed_seconds", Fleet.round(seconds));
        j.put("joins_per_s", Fleet.round(joined.sum() / seconds));
        j.set("join_ms", Report.percentiles(joinMicros.getIntervalHistogram(), 1000.0));
    }

    private void joinProgress(long t0) {
        progress.printf("kaiku bench: muc join: %.0f s: %d sent, %d joined, %d refused%n", (System.nanoTime() - t0) / 1e9,
                joinsSent.sum(), joined.sum(), refused.sum());
        progress.flush();
    }

    private interface Condition {
        boolean met();
    }

    private static void waitUntil(Condition c, double seconds, long deadlineNanos) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (!c.met() && System.nanoTime() - end < 0 && System.nanoTime() - deadlineNanos < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private int occupants() {
        int n = 0;
        for (int i = 0; i < joinState.length(); i++) {
            if (joinState.get(i) == JOINED && fleet.clients[i].isOnline()) {
                n++;
            }
        }
        return n;
    }

    // ---- the ramp ---------------------------------------------------------------------------

    private void steps(ObjectNode out, List<Double> rates, double stepSeconds, double drainSeconds, int senderCount,
                       long deadlineNanos) throws InterruptedException {
        List<Integer> senders = new ArrayList<>();
        for (int i = 0; i < joinState.length() && senders.size() < senderCount; i++) {
            if (joinState.get(i) == JOINED) {
                senders.add(i);
            }
        }
        out.put("senders", senders.size());
        out.put("step_seconds", stepSeconds);
        ArrayNode steps = out.putArray("steps");
        ObjectNode knee = null;
        long totalLoss = 0;
        int cursor = 0;
        for (int s = 0; s < rates.size(); s++) {
            if (System.nanoTime() - deadlineNanos >= 0) {
                out.put("stopped", "deadline reached before step " + (s + 1));
                break;
            }
            int occupants = occupants();
            double rate = rates.get(s);
            double offered = rate * occupants;
            StepStats st = new StepStats(s);
            current = st;
            double cpu0 = cpu.serverSeconds();
            long t0 = System.nanoTime();
            long stepEnd = t0 + (long) (stepSeconds * 1e9);
            long planned = 0;
            long nextProgress = t0 + TimeUnit.SECONDS.toNanos(1);
            long now;
            while ((now = System.nanoTime()) - stepEnd < 0 && now - deadlineNanos < 0) {
                // message k goes at k / rate seconds, the first at once: rates here are a few a
                // second, and a step of T seconds must send rate * T messages, not one fewer
                long target = (long) (rate * (now - t0) / 1e9) + 1;
                if (target > planned) {
                    Map<EventLoop, List<BenchClient>> batches = new HashMap<>();
                    for (long k = planned; k < target; k++) {
                        BenchClient c = fleet.clients[senders.get(cursor++ % senders.size())];
                        batches.computeIfAbsent(c.loop(), l -> new ArrayList<>()).add(c);
                    }
                    final int stepNo = s;
                    batches.forEach((loop, batch) -> loop.execute(() -> {
                        for (BenchClient c : batch) {
                            if (c.isOnline()) {
                                c.sendMessage(room, "groupchat", "kb " + stepNo + " " + System.nanoTime());
                                st.sent.increment();
                            }
                        }
                    }));
                    planned = target;
                }
                if (now - nextProgress >= 0) {
                    progress.printf("kaiku bench: muc step %d (%.0f msg/s, %d occupants): %.0f s: %d sent, %d delivered%n",
                            s + 1, rate, occupants, (now - t0) / 1e9, st.sent.sum(), st.delivered.sum());
                    progress.flush();
                    nextProgress += TimeUnit.SECONDS.toNanos(1);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
            long sendEnd = System.nanoTime();
            fleet.forEachLoop((loop, mine) -> { }); // every batch handed over has now been written
            long expected = st.sent.sum() * occupants;
            long drainEnd = System.nanoTime() + (long) (drainSeconds * 1e9);
            while (st.delivered.sum() < expected && System.nanoTime() - drainEnd < 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            double cpuUsed = cpu0 >= 0 ? cpu.serverSeconds() - cpu0 : -1;
            long sent = st.sent.sum();
            long delivered = st.delivered.sum();
            long loss = sent * occupants - delivered;
            totalLoss += Math.max(0, loss);
            double sendSeconds = Math.max(1e-9, (sendEnd - t0) / 1e9);
            double deliverSeconds = Math.max(sendSeconds, (st.lastDelivery.get() - t0) / 1e9);
            double deliveredRate = delivered / deliverSeconds;
            ObjectNode step = steps.addObject();
            step.put("step", s + 1);
            step.put("offered_msg_per_s", rate);
            step.put("occupants", occupants);
            step.put("offered_deliveries_per_s", Fleet.round(offered));
            step.put("sent", sent);
            step.put("sent_per_s", Fleet.round(sent / sendSeconds));
            step.put("delivered", delivered);
            step.put("delivered_per_s", Fleet.round(deliveredRate));
            step.put("loss", Math.max(0, loss));
            step.put("duplicates", Math.max(0, -loss));
            step.put("message_errors", st.messageErrors.sum());
            step.set("latency_ms", Report.percentiles(st.micros.getIntervalHistogram(), 1000.0));
            if (cpuUsed >= 0 && delivered > 0) {
                step.put("server_cpu_seconds", Fleet.round(cpuUsed));
                step.put("server_cpu_us_per_delivery", Fleet.round(cpuUsed * 1e6 / delivered));
            }
            step.put("occupants_after", occupants());
            progress.printf("kaiku bench: muc step %d: %.0f msg/s to %d occupants, delivered %.1f/s, p50 %s ms, p99 %s ms, loss %d%n",
                    s + 1, rate, occupants, deliveredRate, step.get("latency_ms").path("p50").asText("-"),
                    step.get("latency_ms").path("p99").asText("-"), Math.max(0, loss));
            progress.flush();
            if (loss == 0 && deliveredRate >= KNEE_FRACTION * offered) {
                knee = step;
            }
            if (loss > 0 || deliveredRate < SATURATED_FRACTION * offered) {
                out.put("stopped", "step " + (s + 1) + (loss > 0 ? " lost deliveries" : " delivered under half its offered rate"));
                break;
            }
        }
        current = null;
        out.put("loss", totalLoss);
        if (knee != null) {
            out.set("knee", knee.deepCopy());
        } else {
            out.putNull("knee");
        }
    }
}
