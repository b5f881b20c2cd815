package org.kaiku.engine.features.mam;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.kaiku.engine.storage.ArchiveId;
import org.kaiku.engine.storage.ArchiveStore;
import org.kaiku.engine.storage.ArchivedMessage;
import org.kaiku.engine.storage.StorageHealth;
import org.kaiku.engine.storage.XmlDocument;
import org.kaiku.protocol.ext.mam.MamPrefs;
import org.kaiku.protocol.ext.sid.StanzaId;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts an account's messages into its archive (XEP-0313 section 7.1.1: messages of type normal
 * or chat with a body or a XEP-0334 store hint, sent or received; not errors, headlines or groupchat) and stamps the
 * delivered copy with the XEP-0359 {@code <stanza-id by='account'/>} under which it was archived
 * (XEP-0313 section 3.3). The account's entity calls it: {@link #incoming} on the way to its
 * resources, {@link #outgoing} for what its clients sent (after the message was routed).
 * XEP-0441 preferences decide per partner (see {@link PrefsCache}).
 *
 * <p>What is written where, and when the client hears back (the speed/durability trade): one
 * archive append per archived message (in Cassandra three small writes, see the store), issued
 * and not waited for. Online delivery does not wait for it: the id is made in memory first
 * (time-ordered, {@link ArchiveId}), the delivered copy carries it at once and the write
 * completes behind. Cost of the alternative, waiting: a quorum write (milliseconds, more when
 * a replica is slow) added to every chat message, which XMPP gives the sender no
 * acknowledgement for anyway. Cost of not waiting: if the write fails (the store is down past
 * the driver's retries) the message was delivered but is missing from the archive, and its
 * stanza-id names nothing: a later query with it as after-id gets item-not-found, and a client
 * syncing from it starts over from its last good id. Failures are logged with the account and id
 * (at most one line per {@value FailureLog#EVERY_SECONDS} s, with the count left out: an outage
 * fails every write) and counted ({@link #failedWrites}), reported to {@link StorageHealth}, and kept in a bounded
 * in-memory buffer ({@link ArchiveRetry}, {@value #RETRY_CAPACITY} rows) that is written again
 * when storage comes back, under the same id: an outage of Cassandra leaves no gap unless the
 * buffer overflows ({@link #lostWrites}, logged) or the node stops before storage returns. A
 * message that could not be archived is never refused or delayed for it. The account's entity
 * does watch the first write (the completion handed out by
 * {@link #incoming(Jid, XmlElement, Predicate, Consumer)}) to acknowledge a sender that uses
 * XEP-0198 only once the message is in the archive; when that write fails the sender gets
 * resource-constraint although the retry buffer may store the message later, so a sender that
 * sends it again can leave it twice in the archive (and the recipient may already have it).
 *
 * <p>What is archived is what was accepted for the account: the decision is made when the
 * message reaches the account's entity, before the delivery rules run; a message then refused
 * (offline quota full, XEP-0160) stays in the archive although its sender got an error.
 *
 * <p>Spoofing (XEP-0359 section 5): a {@code <stanza-id/>} whose 'by' is the account is removed
 * from every incoming message before anything else, archived or not.
 *
 * <p>Preferences not yet cached on this node (the first message for an account after the node
 * started, if the entity's warm-up read has not finished): the id is still made at arrival (so
 * order holds), the message is delivered without a stanza-id, and is archived once the read
 * says so.
 */
public final class MessageArchiver {
    private static final Logger LOG = LoggerFactory.getLogger(MessageArchiver.class);

    private final ArchiveStore store;
    private final PrefsCache prefs;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong lastMicros = new AtomicLong();
    private final AtomicLong failedWrites = new AtomicLong();
    private final StorageHealth health;
    private final ArchiveRetry retry = new ArchiveRetry(RETRY_CAPACITY, RETRY_BATCH);
    private final FailureLog failureLog = new FailureLog();

    /** Failed archive writes kept for a retry once storage is back. */
    static final int RETRY_CAPACITY = 50_000;
    /** Failed archive writes written again at once (see {@link ArchiveRetry}'s pacing). */
    static final int RETRY_BATCH = 100;

    MessageArchiver(ArchiveStore store, PrefsCache prefs, Clock clock) {
        this(store, prefs, clock, StorageHealth.untracked());
    }

    MessageArchiver(ArchiveStore store, PrefsCache prefs, Clock clock, StorageHealth health) {
        this.store = store;
        this.prefs = prefs;
        this.clock = clock;
        this.health = health;
        // While rows wait, each successful probe starts a paced pass over them (ArchiveRetry).
        health.onProbeSucceeded(() -> retry.retry(this::write));
    }

    /** Starts reading an account's preferences, so its first message finds them cached. */
    public void warm(Jid account) {
        prefs.cached(account.bare().toString());
    }

    /**
     * A message for {@code account} on its way to delivery: stripped of spoofed stanza-ids,
     * archived if the rules and preferences say so, and returned as it is to be delivered.
     *
     * @param inRoster whether a bare JID is in the account's roster (for the 'roster' default)
     */
    public XmlElement incoming(Jid account, XmlElement message, Predicate<Jid> inRoster) {
        return incoming(account, message, inRoster, w -> { });
    }

    /**
     * As {@link #incoming(Jid, XmlElement, Predicate)}, handing the archive write to {@code
     * written} when one is made: it completes with true once the append is in the store, with
     * false when the preferences (read first, if not cached) said not to archive, and
     * exceptionally when the append or that read failed. Not called for a message that is not
     * archivable at all. The account's entity waits on it to tell a sender that used XEP-0198
     * that its message is durable; delivery never waits on it.
     */
    public XmlElement incoming(Jid account, XmlElement message, Predicate<Jid> inRoster,
                               Consumer<CompletionStage<Boolean>> written) {
        String by = account.bare().toString();
        XmlElement clean = StanzaId.stripSpoofed(message, by);
        if (!archivable(clean)) {
            return clean;
        }
        Jid from = Jid.tryParse(Stanzas.from(clean)).orElse(null);
        if (from == null) {
            return clean;
        }
        Optional<ArchiveId> id = archive(by, from, false, clean, inRoster, written);
        return id.map(i -> new StanzaId(i.toString(), by).addTo(clean)).orElse(clean);
    }

    /**
     * A message the account's client sent (already routed). Not archived here when it goes to
     * the account itself: then {@link #incoming} archives it once (section 7.1.1).
     */
    public void outgoing(Jid account, XmlElement message, Predicate<Jid> inRoster) {
        String by = account.bare().toString();
        if (!archivable(message)) {
            return;
        }
        Jid to = Jid.tryParse(Stanzas.to(message)).orElse(null);
        if (to == null || to.bare().equals(account.bare())) {
            return;
        }
        archive(by, to, true, StanzaId.stripSpoofed(message, by), inRoster, w -> { });
    }

    /** How many archive writes failed since start (retries included). */
    public long failedWrites() {
        return failedWrites.get();
    }

    /** Archive rows given up because the retry buffer was full: the archive's gaps since start. */
    public long lostWrites() {
        return retry.lost();
    }

    /** Failed archive writes waiting to be written again. */
    public int pendingRetries() {
        return retry.size();
    }

    /**
     * XEP-0313 section 7.1.1: type normal (or none) or chat, with a body, or with the XEP-0334
     * {@code <store/>} hint (section 4.4: such a message SHOULD be stored although it has no
     * body; XEP-0353 Jingle Message Initiation relies on it so that every device of both users
     * sees {@code <propose/>}, {@code <proceed/>}, {@code <finish/>} in the archive).
     */
    public static boolean archivable(XmlElement message) {
        if (!"message".equals(message.name())) {
            return false;
        }
        String type = Stanzas.type(message);
        if (type != null && !type.equals("normal") && !type.equals("chat")) {
            return false;
        }
        return message.child("body", message.namespace().isEmpty() ? Namespaces.CLIENT : message.namespace()) != null
                || message.child("store", STORE_HINT_NAMESPACE) != null;
    }

    /** XEP-0334 Message Processing Hints. */
    private static final String STORE_HINT_NAMESPACE = "urn:xmpp:hints";

    /**
     * Completes once every archive write this node issued for {@code account} so far has
     * completed or failed (a failed one waits in the retry buffer, not here); at once when none
     * is in flight. A MAM query waits for it, so it sees what was just delivered.
     */
    public CompletionStage<Void> settled(String account) {
        return writing.getOrDefault(account, DONE);
    }

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    /** Per account, the writes in flight on this node (removed when the last one completes). */
    private final java.util.concurrent.ConcurrentHashMap<String, CompletableFuture<Void>> writing =
            new java.util.concurrent.ConcurrentHashMap<>();

    private void track(String account, CompletionStage<?> write) {
        CompletableFuture<Void> mine = write.toCompletableFuture().handle((x, err) -> (Void) null);
        if (mine.isDone()) {
            return;
        }
        CompletableFuture<Void> all = writing.compute(account, (k, prev) -> prev == null ? mine : CompletableFuture.allOf(prev, mine));
        all.whenComplete((x, err) -> writing.remove(account, all));
    }

    /** The id it is archived under, empty when preferences say no or are not known yet. */
    private Optional<ArchiveId> archive(String account, Jid with, boolean outgoing, XmlElement message,
                                        Predicate<Jid> inRoster, Consumer<CompletionStage<Boolean>> issued) {
        Consumer<CompletionStage<Boolean>> written = stage -> {
            track(account, stage);
            issued.accept(stage);
        };
        ArchiveId id = nextId();
        ArchivedMessage row = new ArchivedMessage(id, with.toString(), outgoing, XmlDocument.write(message));
        Optional<MamPrefs> known = prefs.cached(account);
        if (known.isPresent()) {
            if (!known.get().archives(with, inRoster.test(with.bare()))) {
                written.accept(CompletableFuture.completedFuture(false));
                return Optional.empty();
            }
            written.accept(write(account, row).thenApply(v -> true));
            return Optional.of(id);
        }
        // the roster answer is taken now, on the entity's thread, not in the callback
        boolean rostered = inRoster.test(with.bare());
        written.accept(prefs.load(account).handle((p, err) -> {
            if (err != null) {
                LOG.warn("message {} of {} not archived: its archive preferences could not be read", id, account);
                failedWrites.incrementAndGet();
                return CompletableFuture.<Boolean>failedFuture(err);
            }
            if (p.archives(with, rostered)) {
                return write(account, row).thenApply(v -> true);
            }
            return CompletableFuture.completedFuture(false);
        }).thenCompose(f -> f));
        return Optional.empty();
    }

    /** Issues the append; a failure is logged (rate-limited), reported and kept for a retry. */
    private CompletionStage<Void> write(String account, ArchivedMessage row) {
        CompletionStage<Void> append;
        try {
            append = store.append(account, row);
        } catch (RuntimeException e) {
            append = CompletableFuture.failedFuture(e);
        }
        return append.whenComplete((ok, err) -> {
            if (err != null) {
                failedWrites.incrementAndGet();
                long quiet = failureLog.quietSince(System.nanoTime());
                if (quiet >= 0) {
                    LOG.warn("archiving message {} of {} failed, kept for a retry ({} more failures not logged in the"
                            + " last {} s): {}", row.id(), account, quiet, FailureLog.EVERY_SECONDS, err.toString());
                }
                health.writeFailed("archive append", err);
                retry.add(account, row);
            }
        });
    }

    /** At most one failure line per {@value #EVERY_SECONDS} s, saying how many it left out. */
    static final class FailureLog {
        static final long EVERY_SECONDS = 10;
        private long lastNanos;
        private long quiet;
        private boolean logged;

        /** The count of failures left out since the last line when this one is to be logged, else -1. */
        synchronized long quietSince(long nowNanos) {
            if (logged && nowNanos - lastNanos < java.util.concurrent.TimeUnit.SECONDS.toNanos(EVERY_SECONDS)) {
                quiet++;
                return -1;
            }
            long q = quiet;
            quiet = 0;
            logged = true;
            lastNanos = nowNanos;
            return q;
        }
    }

    /**
     * A new id: this node's clock in microseconds, strictly increasing on this node (a clock that
     * stands still or steps back yields the last value plus one), and 64 random bits.
     */
    ArchiveId nextId() {
        long now = ArchiveId.micros(clock.instant());
        long micros = lastMicros.accumulateAndGet(now, (last, n) -> Math.max(last + 1, n));
        return new ArchiveId(micros, random.nextLong());
    }
}
