package org.kaiku.engine.features.mam;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.kaiku.engine.module.IqHandler;
import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;
import org.kaiku.engine.storage.ArchiveId;
import org.kaiku.engine.storage.ArchiveStore;
import org.kaiku.engine.storage.ArchivedMessage;
import org.kaiku.engine.storage.XmlDocument;
import org.kaiku.protocol.ext.delay.Delay;
import org.kaiku.protocol.ext.forward.Forwarded;
import org.kaiku.protocol.ext.mam.Mam;
import org.kaiku.protocol.ext.mam.MamFin;
import org.kaiku.protocol.ext.mam.MamPrefs;
import org.kaiku.protocol.ext.mam.MamQuery;
import org.kaiku.protocol.ext.mam.MamResult;
import org.kaiku.protocol.ext.rsm.ResultSet;
import org.kaiku.protocol.ext.sid.StanzaId;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.StanzaError.Condition;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * XEP-0313 Message Archive Management for accounts, with XEP-0059 paging, XEP-0359 stanza ids
 * and XEP-0441 preferences. The archive lives in the {@link ArchiveStore}; the account's entity
 * fills it through this module's {@link MessageArchiver}. Only the owner reads an archive: the
 * iq must come from the account to its own bare JID (ACCOUNT scope; anyone else's iq reaches the
 * account's entity and is refused there).
 *
 * <ul>
 *   <li>Query (section 4): iq set with the form fields with/start/end/before-id/after-id/ids, an
 *       RSM set (max, after, before, empty before for the last page) and flip-page. Results go
 *       out as messages ahead of the iq result, which carries {@code <fin/>} with first/last and
 *       complete (true when the page reached the end of the set in its direction). No RSM count
 *       or index: counting a range means reading it, which is what paging avoids (XEP-0059
 *       section 2.2 allows leaving them out for that reason); an RSM index gets
 *       feature-not-implemented (section 2.6).</li>
 *   <li>Limits: a page holds at most kaiku.mam.max-page-size results; a larger max is clamped
 *       (section 4.3.1 lets the server limit and say so through 'complete'). More ids than that
 *       in one 'ids' field: policy-violation.</li>
 *   <li>Errors: unknown form field feature-not-implemented, bad date or JID bad-request (section
 *       4.1); an id in before-id, after-id, ids or RSM after/before that is not in the archive
 *       item-not-found (sections 4.1.3 and 4.3.2).</li>
 *   <li>Form (section 4.1.5): iq get of the query returns the fields.</li>
 *   <li>Metadata (section 5): first and last id and stamp, two one-row reads.</li>
 *   <li>Preferences (XEP-0441 section 2.1): get/set of default always/never/roster and the two
 *       lists, stored per account; applied to messages from the next one on.</li>
 * </ul>
 *
 * <p>Cost of a query: one point read per id the query names (to tell item-not-found), then the
 * store's page read (see the store for its partitions), and one message per result.
 */
@Xep(number = 313, version = "1.1.3", status = Xep.Status.PARTIAL,
        note = "user and persistent-room archives in Cassandra; no RSM count/index; groupchat not archived in users' archives; written behind delivery; a query waits for the account's writes in flight on its node (not on other nodes)")
@Xep(number = 59, version = "1.0", status = Xep.Status.PARTIAL, note = "in MAM queries; no count or index")
@Xep(number = 359, version = "0.7.0", status = Xep.Status.COMPLETE, note = "stanza-id by the account on archived messages; spoofed ones stripped")
@Xep(number = 441, version = "0.2.0", status = Xep.Status.COMPLETE,
        note = "cached per node, refreshed every kaiku.mam.prefs-refresh")
public final class MamModule implements XmppModule {

    private final Clock clock;
    private volatile MessageArchiver archiver;
    private volatile Handlers handlers;

    public MamModule() {
        this(Clock.systemUTC());
    }

    /** With another clock for archive ids (tests). */
    MamModule(Clock clock) {
        this.clock = clock;
    }

    /** The archiver the account entities use; null before {@link #register}. */
    public MessageArchiver archiver() {
        return archiver;
    }

    @Override
    public ModuleRegistration register(ModuleContext ctx) {
        MamSettings settings = MamSettings.fromConfig(ctx.config());
        PrefsCache prefs = new PrefsCache(ctx.stores().accountData(), settings.prefsRefresh(), System::nanoTime);
        ArchiveStore store = ctx.stores().archive();
        this.archiver = new MessageArchiver(store, prefs, clock, ctx.stores().health());
        Handlers h = new Handlers(store, prefs, settings, archiver);
        this.handlers = h;
        return ModuleRegistration.builder()
                .accountFeature(Mam.NAMESPACE)
                .accountFeature(Mam.EXTENDED)
                .accountFeature(StanzaId.NAMESPACE)
                .iq(IqHandler.Scope.ACCOUNT, Mam.NAMESPACE, "get", h::get)
                .iq(IqHandler.Scope.ACCOUNT, Mam.NAMESPACE, "set", h::set)
                .build();
    }

    /**
     * Answers a XEP-0313 query to a Multi-User Chat room's archive (the room's bare JID is the
     * request's 'to' and the archive's owner), after the room checked that the requester may read
     * it: the query form (get) or a query (set); results are pushed through {@code req.push()}.
     * Rooms have no preferences and no metadata here: feature-not-implemented.
     */
    public CompletionStage<XmlElement> answerForRoom(IqHandler.Request req) {
        Handlers h = handlers;
        XmlElement p = req.payload();
        if (h == null || !p.name().equals(MamQuery.ELEMENT)) {
            return Handlers.done(Handlers.error(req, StanzaError.of(Condition.FEATURE_NOT_IMPLEMENTED)));
        }
        if ("get".equals(req.iq().attr("type"))) {
            return Handlers.done(Stanzas.iqResult(req.iq(), XmlElement.builder(MamQuery.ELEMENT, Mam.NAMESPACE)
                    .child(Mam.queryForm().toElement()).build()));
        }
        try {
            return h.query(req, MamQuery.fromElement(p));
        } catch (MamQuery.Invalid e) {
            return Handlers.done(Handlers.error(req, e.toError()));
        }
    }

    private record Handlers(ArchiveStore store, PrefsCache prefs, MamSettings settings, MessageArchiver archiver) {

        CompletionStage<XmlElement> get(IqHandler.Request req) {
            XmlElement refused = refuse(req);
            if (refused != null) {
                return done(refused);
            }
            XmlElement p = req.payload();
            if (p.name().equals(MamQuery.ELEMENT)) {
                return done(Stanzas.iqResult(req.iq(), XmlElement.builder(MamQuery.ELEMENT, Mam.NAMESPACE)
                        .child(Mam.queryForm().toElement()).build()));
            }
            if (p.name().equals(MamPrefs.ELEMENT)) {
                return prefs.load(account(req)).handle((v, err) -> err != null
                        ? error(req, StanzaError.of(Condition.INTERNAL_SERVER_ERROR))
                        : Stanzas.iqResult(req.iq(), v.toElement()));
            }
            if (p.name().equals("metadata")) {
                return metadata(req);
            }
            return done(error(req, StanzaError.of(Condition.BAD_REQUEST, "unknown element " + p.name())));
        }

        CompletionStage<XmlElement> set(IqHandler.Request req) {
            XmlElement refused = refuse(req);
            if (refused != null) {
                return done(refused);
            }
            XmlElement p = req.payload();
            try {
                if (p.name().equals(MamQuery.ELEMENT)) {
                    return query(req, MamQuery.fromElement(p));
                }
                if (p.name().equals(MamPrefs.ELEMENT)) {
                    MamPrefs wanted = MamPrefs.fromElement(p);
                    return prefs.save(account(req), wanted).handle((v, err) -> err != null
                            ? error(req, StanzaError.of(Condition.INTERNAL_SERVER_ERROR))
                            : Stanzas.iqResult(req.iq(), wanted.toElement()));
                }
            } catch (MamQuery.Invalid e) {
                return done(error(req, e.toError()));
            }
            return done(error(req, StanzaError.of(Condition.BAD_REQUEST, "unknown element " + p.name())));
        }

        /**
         * A query waits first for the archive writes this node issued for the account and that
         * are still in flight (a few milliseconds), so a client that asks right after a message
         * reached it finds that message (XEP-0313 section 4.1.2 gives results up to the query);
         * delivery itself never waits for them. Writes issued on another node (the account's
         * entity may live elsewhere in a cluster) are not waited for.
         */
        private CompletionStage<XmlElement> query(IqHandler.Request req, MamQuery q) {
            return archiver.settled(account(req)).thenCompose(x -> queryNow(req, q));
        }

        private CompletionStage<XmlElement> queryNow(IqHandler.Request req, MamQuery q) {
            if (q.node() != null) {
                return done(error(req, StanzaError.of(Condition.ITEM_NOT_FOUND, "a user archive has no nodes")));
            }
            ResultSet rsm = q.set();
            if (rsm != null && rsm.index() != null) {
                return done(error(req, StanzaError.of(Condition.FEATURE_NOT_IMPLEMENTED, "no RSM index")));
            }
            int limit = Math.min(rsm == null || rsm.max() == null ? settings.defaultPageSize() : rsm.max(),
                    settings.maxPageSize());
            String account = account(req);
            if (!q.ids().isEmpty()) {
                return byIds(req, q, account);
            }
            List<String> named = new ArrayList<>();
            ArchiveId from = ArchiveId.MIN;
            ArchiveId to = ArchiveId.MAX;
            boolean fromEnd = false;
            if (q.start() != null) {
                from = ArchiveId.lowestAt(q.start());
            }
            if (q.end() != null) {
                to = ArchiveId.highestAt(q.end());
            }
            try {
                if (q.afterId() != null) {
                    from = ArchiveId.max(from, known(q.afterId(), named).next());
                }
                if (q.beforeId() != null) {
                    to = ArchiveId.min(to, known(q.beforeId(), named).previous());
                }
                if (rsm != null && rsm.after() != null) {
                    from = ArchiveId.max(from, known(rsm.after(), named).next());
                }
                if (rsm != null && rsm.before() != null) {
                    fromEnd = true;
                    if (!rsm.before().isEmpty()) {
                        to = ArchiveId.min(to, known(rsm.before(), named).previous());
                    }
                }
            } catch (MamQuery.Invalid e) {
                return done(error(req, e.toError()));
            }
            ArchiveStore.Query range = new ArchiveStore.Query(q.with(), from, to, limit, fromEnd);
            return allExist(account, named).thenCompose(missing -> missing.isPresent()
                    ? done(error(req, StanzaError.of(Condition.ITEM_NOT_FOUND, "not in the archive: " + missing.get())))
                    : store.query(account, range).thenApply(page -> answer(req, q, page.messages(), page.complete())))
                    .exceptionally(err -> error(req, StanzaError.of(Condition.INTERNAL_SERVER_ERROR)));
        }

        /** Single-item retrieval (section 4.1.3): every named id must exist; results in archive order. */
        private CompletionStage<XmlElement> byIds(IqHandler.Request req, MamQuery q, String account) {
            if (q.ids().size() > settings.maxPageSize()) {
                return done(error(req, StanzaError.of(Condition.POLICY_VIOLATION,
                        "at most " + settings.maxPageSize() + " ids per query")));
            }
            List<CompletableFuture<Optional<ArchivedMessage>>> reads = new ArrayList<>();
            for (String text : q.ids()) {
                Optional<ArchiveId> id = ArchiveId.parse(text);
                if (id.isEmpty()) {
                    return done(error(req, StanzaError.of(Condition.ITEM_NOT_FOUND, "not in the archive: " + text)));
                }
                reads.add(store.get(account, id.get()).toCompletableFuture());
            }
            return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(x -> {
                List<ArchivedMessage> found = new ArrayList<>();
                for (int i = 0; i < reads.size(); i++) {
                    Optional<ArchivedMessage> m = reads.get(i).join();
                    if (m.isEmpty()) {
                        return error(req, StanzaError.of(Condition.ITEM_NOT_FOUND, "not in the archive: " + q.ids().get(i)));
                    }
                    if (found.stream().noneMatch(f -> f.id().equals(m.get().id()))) {
                        found.add(m.get());
                    }
                }
                found.sort((a, b) -> a.id().compareTo(b.id()));
                return answer(req, q, found, true);
            }).exceptionally(err -> error(req, StanzaError.of(Condition.INTERNAL_SERVER_ERROR)));
        }

        /** Pushes the results (newest first when flipped), then builds the iq result with fin. */
        private XmlElement answer(IqHandler.Request req, MamQuery q, List<ArchivedMessage> page, boolean complete) {
            List<ArchivedMessage> order = new ArrayList<>(page);
            if (q.flipPage()) {
                java.util.Collections.reverse(order);
            }
            String archive = account(req);
            String requester = req.from().toString();
            for (ArchivedMessage m : order) {
                Forwarded fwd = new Forwarded(new Delay(null, m.stamp(), null), XmlDocument.read(m.stanza()));
                req.push().accept(new MamResult(q.queryId(), m.id().toString(), fwd)
                        .toMessage(UUID.randomUUID().toString(), archive, requester));
            }
            ResultSet set = page.isEmpty() ? ResultSet.answer(null, null, null, null)
                    : ResultSet.answer(page.get(0).id().toString(), null, page.get(page.size() - 1).id().toString(), null);
            return Stanzas.iqResult(req.iq(), new MamFin(complete, set).toElement());
        }

        private CompletionStage<XmlElement> metadata(IqHandler.Request req) {
            String account = account(req);
            CompletableFuture<ArchiveStore.Page> first = store.query(account,
                    new ArchiveStore.Query(null, ArchiveId.MIN, ArchiveId.MAX, 1, false)).toCompletableFuture();
            CompletableFuture<ArchiveStore.Page> last = store.query(account,
                    new ArchiveStore.Query(null, ArchiveId.MIN, ArchiveId.MAX, 1, true)).toCompletableFuture();
            return first.thenCombine(last, (a, b) -> {
                XmlElement.Builder md = XmlElement.builder("metadata", Mam.NAMESPACE);
                if (!a.messages().isEmpty() && !b.messages().isEmpty()) {
                    md.child(edge("start", a.messages().get(0)));
                    md.child(edge("end", b.messages().get(0)));
                }
                return Stanzas.iqResult(req.iq(), md.build());
            }).exceptionally(err -> error(req, StanzaError.of(Condition.INTERNAL_SERVER_ERROR)));
        }

        private static XmlElement edge(String name, ArchivedMessage m) {
            return XmlElement.builder(name, Mam.NAMESPACE).attr("id", m.id().toString())
                    .attr("timestamp", Delay.format(m.stamp())).build();
        }

        /** Parses an id the client named and notes it for the existence check. */
        private static ArchiveId known(String text, List<String> named) throws MamQuery.Invalid {
            ArchiveId id = ArchiveId.parse(text).orElseThrow(() -> new MamQuery.Invalid(Condition.ITEM_NOT_FOUND,
                    "not in the archive: " + text));
            named.add(text);
            return id;
        }

        /** The first named id that is not in the archive, if any (one point read each, in parallel). */
        private CompletionStage<Optional<String>> allExist(String account, List<String> named) {
            List<CompletableFuture<Optional<ArchivedMessage>>> reads = new ArrayList<>();
            for (String text : named) {
                reads.add(store.get(account, ArchiveId.parse(text).orElseThrow()).toCompletableFuture());
            }
            return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(x -> {
                for (int i = 0; i < reads.size(); i++) {
                    if (reads.get(i).join().isEmpty()) {
                        return Optional.of(named.get(i));
                    }
                }
                return Optional.empty();
            });
        }

        private static XmlElement refuse(IqHandler.Request req) {
            Jid from = req.from();
            Jid to = req.to();
            if (from == null || to == null || to.isDomain() || !from.bare().equals(to.bare())) {
                return error(req, StanzaError.of(Condition.FORBIDDEN));
            }
            return null;
        }

        private static String account(IqHandler.Request req) {
            return req.to().bare().toString();
        }

        private static XmlElement error(IqHandler.Request req, StanzaError error) {
            return Stanzas.errorReply(req.iq(), error);
        }

        private static CompletionStage<XmlElement> done(XmlElement reply) {
            return CompletableFuture.completedFuture(reply);
        }
    }
}
