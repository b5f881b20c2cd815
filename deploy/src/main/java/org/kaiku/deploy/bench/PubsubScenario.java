package org.kaiku.deploy.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlWriter;

/**
 * Notifications (XEP-0060): one node with many subscribers, few of them online; items are
 * published one at a time and each is timed from publish to its last delivery.
 *
 * <ol>
 *   <li>The first online user creates the node (section 8.1.1, no configuration in the create
 *       request: servers differ in the fields they accept there), then configures it (section
 *       8.2.4): open access model, notifications with payloads as headline messages (not kept
 *       offline for the subscribers who are away), no last item sent on subscription or presence.
 *       A configuration the server refuses is reported and its defaults kept. If the node exists
 *       from an earlier run, it is deleted (section 8.4) and created again. If the service does
 *       not answer the create with success (service-unavailable, item-not-found,
 *       feature-not-implemented, no answer...), the scenario reports "not supported" with the
 *       answer and ends without failing.</li>
 *   <li>Subscribers who are offline (accounts after the online ones) are subscribed by the node
 *       owner, {@code batch} JIDs an iq (section 8.8.2, modify subscriptions), as a service would
 *       import them; ejabberd and Prosody both accept it (Prosody only from a node owner). If the
 *       service refuses that, or when asked to ({@code --offline-subscribe login}), the offline
 *       accounts instead log in {@code batch} at a time, subscribe themselves and log out.</li>
 *   <li>Every online user subscribes itself with its bare JID (section 6.1), at most
 *       {@code maxInFlight} requests unanswered; the time to the answer is recorded.</li>
 *   <li>The owner publishes {@code items} items (section 7.1), each after the previous one was
 *       delivered to every online subscriber or its wait timed out. A delivery is an event
 *       message from the service naming the item (section 7.1.2.1); the latency of each and the
 *       time to the last delivery of each item go into HdrHistograms.</li>
 * </ol>
 * With at most 5,000 subscribers the owner lists the node's subscriptions at the end (section
 * 8.8.1), and the count is reported, as proof that the offline subscriptions took.
 *
 * <p>Deliveries a second is all deliveries divided by the time from the first publish to the last
 * delivery of the last item. Loss is items times online subscribers minus deliveries.
 */
final class PubsubScenario {
    static final String PUBSUB = "http://jabber.org/protocol/pubsub";
    static final String OWNER = PUBSUB + "#owner";
    static final String EVENT = PUBSUB + "#event";
    private static final String PAYLOAD_NS = "urn:kaiku:bench";
    /** Past this many subscribers the owner's list of them is not fetched (one stanza of ~80 bytes each). */
    private static final int LIST_SUBSCRIPTIONS_UP_TO = 5000;
    /** Answers to the node creation that mean the service (or its pubsub) is not there. */
    private static final Set<String> UNSUPPORTED = Set.of("service-unavailable", "feature-not-implemented",
            "item-not-found", "remote-server-not-found", "recipient-unavailable", "timeout");

    private final Fleet fleet;
    private final String service;
    private final String node;
    private final PrintWriter progress;
    private final Requests requests = new Requests();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private volatile Item current;

    private static final class Item {
        final String id;
        final long publishedAt;
        final LongAdder delivered = new LongAdder();
        final AtomicLong lastDelivery = new AtomicLong();

        Item(String id, long publishedAt) {
            this.id = id;
            this.publishedAt = publishedAt;
        }
    }

    private final Recorder deliveryMicros = new Recorder(3);
    private final LongAdder strayEvents = new LongAdder();

    /** Opens a fleet of {@code count} sessions from the main fleet's account number {@code offset} on, logged in. */
    interface Logins {
        Fleet open(int count, int offset);
    }

    private final Logins logins;
    private final boolean byLogin;

    private PubsubScenario(Fleet fleet, String service, String node, PrintWriter progress, Logins logins, boolean byLogin) {
        this.fleet = fleet;
        this.logins = logins;
        this.byLogin = byLogin;
        this.service = service;
        this.node = node;
        this.progress = progress;
    }

    static ObjectNode run(Fleet fleet, String service, String node, int subscribers, int items, int batch,
                          int maxInFlight, double timeoutSeconds, long deadlineNanos, PrintWriter progress, CpuClock cpu,
                          Logins logins, boolean byLogin) throws InterruptedException {
        PubsubScenario s = new PubsubScenario(fleet, service, node, progress, logins, byLogin);
        fleet.onStanza(s::stanza);
        ObjectNode out = Report.JSON.createObjectNode();
        out.put("service", service);
        out.put("node", node);
        out.put("subscribers", subscribers);
        s.run(out, subscribers, items, batch, maxInFlight, timeoutSeconds, deadlineNanos, cpu);
        ObjectNode errs = out.putObject("errors");
        new TreeMap<>(s.errors).forEach((k, v) -> errs.put(k, v.sum()));
        return out;
    }

    private void stanza(BenchClient c, XmlElement e, long now) {
        if (requests.answer(e)) {
            return;
        }
        if (!e.is("message", Namespaces.CLIENT)) {
            return;
        }
        if ("error".equals(e.attr("type"))) {
            error("message error: " + Requests.condition(e));
            return;
        }
        XmlElement event = e.child("event", EVENT);
        if (event == null || !service.equals(e.attr("from"))) {
            return;
        }
        XmlElement itemsEl = event.child("items", EVENT);
        if (itemsEl == null) {
            return; // a subscription or configuration notice
        }
        Item it = current;
        for (XmlElement item : itemsEl.elements("item", EVENT)) {
            if (it != null && it.id.equals(item.attr("id"))) {
                it.delivered.increment();
                deliveryMicros.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(now - it.publishedAt)));
                it.lastDelivery.accumulateAndGet(now, Math::max);
            } else {
                strayEvents.increment();
            }
        }
    }

    private void error(String what) {
        errors.computeIfAbsent(what.length() > 200 ? what.substring(0, 200) : what, k -> new LongAdder()).increment();
    }

    /** A request sent and the answer to come. */
    private record Sent(String id, CompletableFuture<XmlElement> answer) {
    }

    /** Sends {@code body} (an iq's payload) from {@code c}. */
    private Sent request(BenchClient c, String type, String body) {
        String id = requests.next("ps");
        CompletableFuture<XmlElement> answer = requests.future(id);
        String xml = "<iq type='" + type + "' id='" + id + "' to='" + XmlWriter.escapeAttr(service) + "'>" + body + "</iq>";
        c.loop().execute(() -> c.sendStanza(xml));
        return new Sent(id, answer);
    }

    private XmlElement await(Sent sent, double seconds) throws InterruptedException {
        return requests.await(sent.id(), sent.answer(), seconds);
    }

    private XmlElement call(BenchClient c, String type, String body, double seconds) throws InterruptedException {
        return await(request(c, type, body), seconds);
    }

    private void run(ObjectNode out, int subscribers, int items, int batch, int maxInFlight, double timeoutSeconds,
                     long deadlineNanos, CpuClock cpu) throws InterruptedException {
        List<BenchClient> online = new ArrayList<>();
        for (BenchClient c : fleet.clients) {
            if (c != null && c.isOnline()) {
                online.add(c);
            }
        }
        if (online.isEmpty()) {
            out.putNull("supported");
            out.put("stopped", "no user online");
            return;
        }
        BenchClient owner = online.get(0);
        String nodeAttr = "node='" + XmlWriter.escapeAttr(node) + "'";

        // 1. the node
        String create = "<pubsub xmlns='" + PUBSUB + "'><create " + nodeAttr + "/></pubsub>";
        XmlElement answer = call(owner, "set", create, timeoutSeconds);
        if ("conflict".equals(Requests.condition(answer))) {
            XmlElement deleted = call(owner, "set", "<pubsub xmlns='" + OWNER + "'><delete " + nodeAttr + "/></pubsub>", timeoutSeconds);
            out.put("deleted_earlier_node", Requests.isResult(deleted));
            answer = call(owner, "set", create, timeoutSeconds);
        }
        if (!Requests.isResult(answer)) {
            String condition = Requests.condition(answer);
            out.put("create_answer", Requests.describe(answer));
            if (UNSUPPORTED.contains(condition)) {
                out.put("supported", false);
                out.put("stopped", "not supported: creating a node at " + service + " was answered " + condition);
                progress.printf("kaiku bench: pubsub: not supported: %s%n", Requests.describe(answer));
                progress.flush();
                return;
            }
            out.put("stopped", "creating the node was refused: " + condition);
            return;
        }
        out.put("supported", true);
        XmlElement configured = call(owner, "set", "<pubsub xmlns='" + OWNER + "'><configure " + nodeAttr + ">"
                + "<x xmlns='jabber:x:data' type='submit'>"
                + field("FORM_TYPE", PUBSUB + "#node_config")
                + field("pubsub#access_model", "open")
                + field("pubsub#deliver_notifications", "1")
                + field("pubsub#deliver_payloads", "1")
                + field("pubsub#notification_type", "headline")
                + field("pubsub#send_last_published_item", "never")
                + "</x></configure></pubsub>", timeoutSeconds);
        out.put("configured", Requests.isResult(configured) ? "yes" : "refused, server defaults kept: " + Requests.describe(configured));

        // 2. offline subscribers, by the owner (or, if asked or refused, by themselves)
        int offline = Math.max(0, subscribers - fleet.clients.length);
        long t0 = System.nanoTime();
        ObjectNode others = out.putObject("offline_subscriptions");
        others.put("requested", offline);
        others.put("how", byLogin ? "login" : "owner");
        int done = byLogin ? offline : 0;
        List<Sent> inFlight = new ArrayList<>();
        String refusedWith = null;
        for (int from = done; from < offline && refusedWith == null && System.nanoTime() - deadlineNanos < 0; from += batch) {
            StringBuilder sb = new StringBuilder("<pubsub xmlns='" + OWNER + "'><subscriptions " + nodeAttr + ">");
            for (int k = from; k < Math.min(offline, from + batch); k++) {
                sb.append("<subscription jid='").append(XmlWriter.escapeAttr(fleet.bareJid(fleet.clients.length + k)))
                        .append("' subscription='subscribed'/>");
            }
            inFlight.add(request(owner, "set", sb.append("</subscriptions></pubsub>").toString()));
            if (inFlight.size() >= 4) {
                XmlElement a = await(inFlight.remove(0), timeoutSeconds);
                if (!Requests.isResult(a)) {
                    refusedWith = Requests.describe(a);
                }
            }
            done = Math.min(offline, from + batch);
            if (from / batch % 20 == 0) {
                progress.printf("kaiku bench: pubsub: %d/%d offline subscriptions sent%n", done, offline);
                progress.flush();
            }
        }
        for (Sent sent : inFlight) {
            XmlElement a = await(sent, timeoutSeconds);
            if (!Requests.isResult(a) && refusedWith == null) {
                refusedWith = Requests.describe(a);
            }
        }
        if (refusedWith != null) {
            // the owner may not subscribe others here: the accounts do it themselves
            others.put("refused", refusedWith);
            others.put("how", "login");
            progress.printf("kaiku bench: pubsub: the owner may not subscribe others (%s): the accounts log in to subscribe%n",
                    refusedWith);
            progress.flush();
        }
        if (byLogin || refusedWith != null) {
            long missing = subscribeByLogin(offline, batch, nodeAttr, maxInFlight, timeoutSeconds, deadlineNanos);
            others.put("not_subscribed", missing);
            done = (int) (offline - missing);
        }
        others.put("seconds", Fleet.round((System.nanoTime() - t0) / 1e9));
        others.put("sent", done);
        if (done < offline) {
            out.put("stopped", (System.nanoTime() - deadlineNanos >= 0 ? "deadline reached after " : "only ") + done + " of "
                    + offline + " offline subscriptions made");
            return;
        }

        // 3. online subscribers, each by itself
        Recorder subscribeMicros = new Recorder(3);
        LongAdder subscribed = new LongAdder();
        LongAdder subscribeFailed = new LongAdder();
        t0 = System.nanoTime();
        int next = subscribeEach(online, nodeAttr, maxInFlight, timeoutSeconds, deadlineNanos, subscribeMicros, subscribed,
                subscribeFailed);
        double subSeconds = Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
        ObjectNode subs = out.putObject("online_subscriptions");
        subs.put("requested", next);
        subs.put("subscribed", subscribed.sum());
        subs.put("failed", subscribeFailed.sum());
        subs.put("subscriptions_per_s", Fleet.round(subscribed.sum() / subSeconds));
        subs.set("subscribe_ms", Report.percentiles(subscribeMicros.getIntervalHistogram(), 1000.0));
        long receivers = subscribed.sum();
        out.put("online_subscribers", receivers);
        progress.printf("kaiku bench: pubsub: %d offline and %d online subscribers%n", offline, receivers);
        progress.flush();
        if (receivers == 0) {
            out.put("stopped", "no online subscriber");
            return;
        }

        // 4. publish, one item at a time
        Histogram fanout = new Histogram(3);
        Recorder publishMicros = new Recorder(3);
        ArrayNode perItem = out.putArray("items");
        long delivered = 0;
        long loss = 0;
        double cpu0 = cpu.serverSeconds();
        long first = System.nanoTime();
        long lastEnd = first;
        int published = 0;
        for (int k = 0; k < items && System.nanoTime() - deadlineNanos < 0; k++) {
            Item it = new Item("kb-" + k, System.nanoTime());
            current = it;
            Sent publish = request(owner, "set", "<pubsub xmlns='" + PUBSUB + "'><publish " + nodeAttr + "><item id='" + it.id
                    + "'><bench xmlns='" + PAYLOAD_NS + "'>" + k + "</bench></item></publish></pubsub>");
            XmlElement ack = await(publish, timeoutSeconds);
            if (Requests.isResult(ack)) {
                publishMicros.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - it.publishedAt)));
            } else {
                error("publish: " + Requests.condition(ack));
                out.put("stopped", "publishing item " + (k + 1) + " was answered " + Requests.describe(ack));
                current = null;
                break;
            }
            long wait = System.nanoTime() + (long) (timeoutSeconds * 1e9);
            while (it.delivered.sum() < receivers && System.nanoTime() - wait < 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            current = null;
            published++;
            long got = it.delivered.sum();
            delivered += got;
            loss += Math.max(0, receivers - got);
            long last = it.lastDelivery.get();
            if (got > 0) {
                fanout.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(last - it.publishedAt)));
                lastEnd = Math.max(lastEnd, last);
            }
            ObjectNode row = perItem.addObject();
            row.put("item", k + 1);
            row.put("delivered", got);
            row.put("to_last_delivery_ms", got > 0 ? Fleet.round((last - it.publishedAt) / 1e6) : -1);
            progress.printf("kaiku bench: pubsub: item %d: %d/%d delivered, last after %.1f ms%n", k + 1, got, receivers,
                    got > 0 ? (last - it.publishedAt) / 1e6 : -1.0);
            progress.flush();
        }
        double cpuUsed = cpu0 >= 0 ? cpu.serverSeconds() - cpu0 : -1;
        double seconds = Math.max(1e-9, (lastEnd - first) / 1e9);
        ObjectNode pub = out.putObject("publish");
        pub.put("items", published);
        pub.put("delivered", delivered);
        pub.put("loss", loss);
        pub.put("stray_events", strayEvents.sum());
        pub.put("deliveries_per_s", Fleet.round(delivered / seconds));
        pub.set("to_last_delivery_ms", Report.percentiles(fanout, 1000.0));
        pub.set("delivery_latency_ms", Report.percentiles(deliveryMicros.getIntervalHistogram(), 1000.0));
        pub.set("publish_ack_ms", Report.percentiles(publishMicros.getIntervalHistogram(), 1000.0));
        if (cpuUsed >= 0 && delivered > 0) {
            pub.put("server_cpu_seconds", Fleet.round(cpuUsed));
            pub.put("server_cpu_us_per_delivery", Fleet.round(cpuUsed * 1e6 / delivered));
        }
        out.put("loss", loss);
        if (subscribers <= LIST_SUBSCRIPTIONS_UP_TO) {
            // section 8.8.1: the owner's view, proof that the offline subscriptions took (small runs only: one
            // stanza); last, since an answer past the client's stanza limit would close the owner's session
            XmlElement list = call(owner, "get", "<pubsub xmlns='" + OWNER + "'><subscriptions " + nodeAttr + "/></pubsub>",
                    timeoutSeconds);
            XmlElement ps = list == null ? null : list.child("pubsub", OWNER);
            XmlElement subsEl = ps == null ? null : ps.child("subscriptions", OWNER);
            out.put("subscriptions_listed", subsEl == null ? -1 : subsEl.elements("subscription", OWNER).size());
        }
    }

    /**
     * Each of {@code clients} subscribes its own bare JID (section 6.1), at most {@code maxInFlight}
     * unanswered; returns how many asked, once all were answered or the timeout passed.
     */
    private int subscribeEach(List<BenchClient> clients, String nodeAttr, int maxInFlight, double timeoutSeconds,
                              long deadlineNanos, Recorder micros, LongAdder ok, LongAdder failed) {
        long before = ok.sum() + failed.sum();
        int next = 0;
        while (next < clients.size() && System.nanoTime() - deadlineNanos < 0) {
            if (next - (ok.sum() + failed.sum() - before) >= maxInFlight) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                continue;
            }
            BenchClient c = clients.get(next++);
            long sentAt = System.nanoTime();
            CompletableFuture<XmlElement> f = request(c, "set", "<pubsub xmlns='" + PUBSUB + "'><subscribe " + nodeAttr
                    + " jid='" + XmlWriter.escapeAttr(c.bareJid()) + "'/></pubsub>").answer();
            if (f != null) {
                f.whenComplete((a, x) -> {
                    if (Requests.isResult(a)) {
                        micros.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - sentAt)));
                        ok.increment();
                    } else {
                        failed.increment();
                        error("subscribe: " + Requests.condition(a));
                    }
                });
            }
        }
        long end = System.nanoTime() + (long) (timeoutSeconds * 1e9);
        while (ok.sum() + failed.sum() - before < next && System.nanoTime() - end < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        return next;
    }

    /**
     * The offline accounts subscribe themselves: {@code chunk} at a time log in, subscribe and
     * log out (for a service that does not let an owner subscribe others). Returns the failures.
     */
    private long subscribeByLogin(int offline, int chunk, String nodeAttr, int maxInFlight, double timeoutSeconds,
                                  long deadlineNanos) throws InterruptedException {
        Recorder micros = new Recorder(3);
        LongAdder ok = new LongAdder();
        LongAdder failed = new LongAdder();
        long notOnline = 0;
        for (int from = 0; from < offline && System.nanoTime() - deadlineNanos < 0; from += chunk) {
            int n = Math.min(chunk, offline - from);
            try (Fleet f = logins.open(n, fleet.clients.length + from)) {
                f.onStanza((c, e, t) -> requests.answer(e));
                List<BenchClient> in = new ArrayList<>();
                for (BenchClient c : f.clients) {
                    if (c != null && c.isOnline()) {
                        in.add(c);
                    }
                }
                notOnline += n - in.size();
                subscribeEach(in, nodeAttr, maxInFlight, timeoutSeconds, deadlineNanos, micros, ok, failed);
            }
            progress.printf("kaiku bench: pubsub: %d/%d offline accounts subscribed by logging in%n", ok.sum(), offline);
            progress.flush();
        }
        if (notOnline > 0) {
            error("offline account could not log in to subscribe");
        }
        return offline - ok.sum();
    }

    private static String field(String var, String value) {
        return "<field var='" + var + "'" + (var.equals("FORM_TYPE") ? " type='hidden'" : "") + "><value>" + value + "</value></field>";
    }
}
