package org.kaiku.engine.features.caps;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.kaiku.protocol.ext.caps.EntityCaps;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.xml.XmlElement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's cache of clients' entity capabilities (XEP-0115 section 5.4): which disco#info
 * features a verification string stands for, so that PEP can filter notifications by the
 * {@code +notify} features of each resource (XEP-0163 section 4) without asking the client.
 *
 * <p>How an entry gets in: when a local client sends available presence with a {@code <c/>}
 * whose hash this server computes and whose string is not known, the server asks that full JID
 * for disco#info of NODE#VER (from the server's domain) and, when the answer is well-formed and
 * hashes to the same string, caches it. An answer that does not match is not cached (the next
 * client advertising the string is asked instead); an error or no answer within {@value
 * #QUERY_TIMEOUT_SECONDS} s is forgotten. One question per string is in flight on a node at a
 * time, and at most {@value #MAX_PENDING} questions at once on a node: a client
 * flooding made-up strings costs it its own answers only.
 *
 * <p>Where it lives: a Distributed Data LWWMap (key {@code kaiku-caps}) from "HASH VER" to the
 * newline-joined features, written locally and gossiped (about 2 s), so a string verified on one
 * node is known on every node; each node keeps a read copy in memory from its subscription. At
 * most {@value #MAX_ENTRIES} strings are kept (clients' versions: a few hundred in practice);
 * past that new ones are verified but not stored. Nothing is written to Cassandra: after a
 * full-cluster restart the strings are asked again, once each.
 */
public final class CapsCache {
    private static final Logger LOG = LoggerFactory.getLogger(CapsCache.class);
    static final Key<LWWMap<String, String>> KEY = LWWMapKey.create("kaiku-caps");
    static final int MAX_ENTRIES = 10_000;
    static final int MAX_PENDING = 1_000;
    static final int QUERY_TIMEOUT_SECONDS = 30;
    private static final String INFO = "http://jabber.org/protocol/disco#info";

    private final String domain;
    private final Consumer<XmlElement> route;
    private final ActorRef<Replicator.Command> replicator;
    private final SelfUniqueAddress self;
    private final ActorRef<Replicator.UpdateResponse<LWWMap<String, String>>> ignore;
    private final ActorSystem<?> system;
    private final Map<String, Set<String>> known = new ConcurrentHashMap<>();
    private final Map<String, Question> asked = new ConcurrentHashMap<>();
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicLong ids = new AtomicLong();

    private record Question(Jid to, EntityCaps caps) {
    }

    private CapsCache(ActorSystem<?> system, String domain, Consumer<XmlElement> route) {
        DistributedData dd = DistributedData.get(system);
        this.system = system;
        this.domain = domain;
        this.route = route;
        this.replicator = dd.replicator();
        this.self = dd.selfUniqueAddress();
        this.ignore = system.ignoreRef();
    }

    /** The cache of this node, subscribed to the cluster's entries. */
    public static CapsCache start(ActorSystem<?> system, String domain, Consumer<XmlElement> route) {
        CapsCache cache = new CapsCache(system, domain, route);
        system.systemActorOf(cache.subscriber(), "caps-cache", Props.empty());
        return cache;
    }

    /**
     * A local client's presence went out (RFC 6121 section 4.2/4.4, broadcast: no 'to'): if it
     * announces a verification string that is neither known nor being asked, ask its sender.
     */
    public void observe(Jid from, XmlElement presence) {
        if (from == null || from.resource() == null || presence.attr("to") != null || presence.attr("type") != null) {
            return;
        }
        EntityCaps caps = EntityCaps.of(presence).orElse(null);
        if (caps == null || !caps.verifiable() || known.containsKey(key(caps))) {
            return;
        }
        if (asked.size() >= MAX_PENDING || !inFlight.add(key(caps))) {
            return;
        }
        String id = "caps-" + Long.toString(ids.incrementAndGet(), 36);
        asked.put(id, new Question(from, caps));
        system.scheduler().scheduleOnce(Duration.ofSeconds(QUERY_TIMEOUT_SECONDS), () -> forget(id), system.executionContext());
        route.accept(XmlElement.builder("iq", "jabber:client").attr("type", "get").attr("id", id)
                .attr("from", domain).attr("to", from.toString())
                .child(XmlElement.builder("query", INFO).attr("node", caps.discoNode()).build())
                .build());
    }

    /**
     * An iq result or error addressed to the server: true when it answers one of this cache's
     * questions (then it is consumed here), false otherwise.
     */
    public boolean onResponse(XmlElement iq) {
        String id = iq.attr("id");
        if (id == null || !id.startsWith("caps-")) {
            return false;
        }
        Question q = asked.get(id);
        Jid from = Jid.tryParse(iq.attr("from")).orElse(null);
        if (q == null || !q.to().equals(from)) {
            return q != null; // an answer from someone else than the one asked: ignored
        }
        forget(id);
        XmlElement query = iq.child("query", INFO);
        if (!"result".equals(iq.attr("type")) || query == null) {
            return true;
        }
        if (!q.caps().matches(query)) {
            LOG.debug("{} answered for {} with features that do not hash to it: not cached", from, q.caps().ver());
            return true;
        }
        Set<String> features = new LinkedHashSet<>();
        query.elements("feature", INFO).forEach(f -> features.add(f.attr("var")));
        String k = key(q.caps());
        if (known.size() < MAX_ENTRIES) {
            known.put(k, Set.copyOf(features));
            String joined = String.join("\n", features);
            replicator.tell(new Replicator.Update<>(KEY, LWWMap.<String, String>empty(), Replicator.writeLocal(), ignore,
                    map -> map.put(self, k, joined)));
        }
        return true;
    }

    /** The features a verified string stands for; empty when it is not (yet) known here. */
    public Optional<Set<String>> features(EntityCaps caps) {
        return Optional.ofNullable(known.get(key(caps)));
    }

    /** Strings known on this node. */
    public int size() {
        return known.size();
    }

    private void forget(String id) {
        Question q = asked.remove(id);
        if (q != null) {
            inFlight.remove(key(q.caps()));
        }
    }

    private static String key(EntityCaps caps) {
        return caps.hash() + " " + caps.ver();
    }

    private Behavior<Replicator.SubscribeResponse<LWWMap<String, String>>> subscriber() {
        return Behaviors.setup(ctx -> {
            replicator.tell(new Replicator.Subscribe<>(KEY, ctx.getSelf()));
            return Behaviors.receiveMessage(response -> {
                if (response instanceof Replicator.Changed<LWWMap<String, String>> changed) {
                    changed.get(KEY).getEntries().forEach((k, joined) -> {
                        if (known.size() < MAX_ENTRIES) {
                            known.computeIfAbsent(k, x -> Set.copyOf(Arrays.asList(joined.isEmpty() ? new String[0] : joined.split("\n"))));
                        }
                    });
                }
                return Behaviors.same();
            });
        });
    }
}
