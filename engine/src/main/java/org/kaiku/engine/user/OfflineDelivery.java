package org.kaiku.engine.user;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.engine.storage.OfflineMessage;
import org.kaiku.engine.storage.OfflineStore;
import org.kaiku.engine.storage.StorageHealth;
import org.kaiku.protocol.ext.delay.Delay;
import org.kaiku.protocol.stanza.StanzaError.Condition;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlNode;

/**
 * Offline messages, XEP-0160: a normal or chat message that no resource can take is appended to
 * the account's {@link OfflineStore}; when a resource next sends available presence with a
 * non-negative priority the stored messages go to that resource, oldest first and each with a
 * XEP-0203 delay notation, and are removed once they were handed to its session (section 3).
 *
 * <p>Order per sender holds across the three places a message can be: in flight to the store,
 * stored, or arriving live. A drain does not read the store before every append already issued
 * has completed, and while a drain runs every message addressed to the account is held here and
 * only handled, by the usual rules, after the backlog went out; so nothing overtakes what was
 * stored before it. The backlog is read in batches, each after the last id of the one before;
 * the delete of a delivered batch is issued then and not waited for, so held messages wait for
 * the reads only, never for a write.
 *
 * <p>A message that already carries a delay notation from this server (it was stored before, or
 * resent after a XEP-0198 session ended without acknowledging it) is stored under that first
 * stamp, the notation taken off, so the client sees one notation with the original time. With
 * stream management, a backlog handed to a session whose client never acknowledged it comes back
 * here that way; without it, a backlog handed to a connection that dies unread is lost.
 *
 * <p>What is here is memory of this entity incarnation, never journaled: in-flight counts, the
 * drain, and the delivered ids whose delete is in flight or failed (filtered out of later reads,
 * a failed delete retried with the next one). If the entity stops in the middle, stored messages
 * simply stay stored: delivery is at least once across incarnations, exactly once within one.
 *
 * <p>Login cost: the read at available presence is skipped when this incarnation knows the
 * store holds nothing for the account: a drain read it to its end (a short batch) with no
 * append issued since and no delete pending or failed. This entity is the account's only writer
 * to the store (sharding keeps one incarnation at a time), so an append it did not issue cannot
 * appear. It saves one Cassandra read on each login of an account whose entity is still in
 * memory (a reconnect); an entity that just started does not know, and reads.
 */
final class OfflineDelivery {
    /** Messages read from the store per round trip. */
    static final int FETCH_BATCH = 100;
    /** Messages held while a drain runs; past this the sender gets resource-constraint (retry later). */
    static final int HOLD_LIMIT = 10_000;
    /** XEP-0334 message processing hints. */
    static final String HINTS = "urn:xmpp:hints";
    /** XEP-0085 chat state notifications. */
    static final String CHAT_STATES = "http://jabber.org/protocol/chatstates";
    /** The reason text XEP-0160 section 3 shows in its delay notation. */
    static final String REASON = "Offline Storage";

    private final Account account;
    private final ActorContext<UserEntity.Command> context;
    private final OfflineStore store;
    private final int quota;
    private final int batch;
    private final Redeliver deliver;
    private final DurableReceipts receipts;
    private final StorageHealth health;

    /** Handles a held message by the delivery rules, answering its receipt (may be null). */
    @FunctionalInterface
    interface Redeliver {
        void accept(Outbox box, XmlElement message, UserEntity.Receipt receipt);
    }

    /** A message held behind a drain, with the receipt its sender's session waits on (or null). */
    private record Held(XmlElement message, UserEntity.Receipt receipt) {
    }

    private int appendsInFlight;
    /** A drain read the store to its end and nothing was appended since (see the class comment). */
    private boolean knownEmpty;
    private long appendsIssued;
    private Drain drain;
    private long drains;
    private final Set<String> removing = new LinkedHashSet<>();
    private final Set<String> unremoved = new LinkedHashSet<>();
    private final Set<String> waiting = new LinkedHashSet<>();

    /** One delivery of the backlog to one resource. */
    private static final class Drain {
        final long id;
        final String resource;
        final ActorRef<SessionMessage> session;
        final List<Held> held;
        boolean reading;
        String after;
        int limit;
        long appendsAtRead;

        Drain(long id, String resource, ActorRef<SessionMessage> session, List<Held> held) {
            this.id = id;
            this.resource = resource;
            this.session = session;
            this.held = held;
        }
    }

    /**
     * @param deliver handles a held message by the delivery rules once the drain is over
     */
    OfflineDelivery(Account account, ActorContext<UserEntity.Command> context, OfflineStore store, int quota,
                    Redeliver deliver, DurableReceipts receipts, StorageHealth health) {
        this.health = health;
        if (quota <= 0) {
            throw new IllegalArgumentException("offline quota must be positive, got " + quota);
        }
        this.account = account;
        this.context = context;
        this.store = store;
        this.quota = quota;
        this.batch = Math.min(quota, FETCH_BATCH);
        this.deliver = deliver;
        this.receipts = receipts;
    }

    /** Whether a drain runs, so that messages to the account must wait for it. */
    boolean draining() {
        return drain != null;
    }

    /** Keeps a message, and the receipt its sender waits on (may be null), until the drain is over. */
    void hold(Outbox box, XmlElement message, UserEntity.Receipt receipt) {
        if (drain.held.size() >= HOLD_LIMIT) {
            account.bounce(box, message, Condition.RESOURCE_CONSTRAINT);
            DurableReceipts.answer(receipt, SessionMessage.Durable.Outcome.ANSWERED);
        } else {
            drain.held.add(new Held(message, receipt));
        }
    }

    /**
     * A normal or chat message no resource can take now (RFC 6121 section 8.5.2.2.1): stored,
     * except a standalone chat state (XEP-0085, "Server Handling of Notifications": servers
     * SHOULD NOT store those; it is dropped, as it would be stale) and a message with the XEP-0334
     * no-store hint, which gets the service-unavailable of a server without storage.
     */
    void offer(Outbox box, XmlElement message) {
        if (isStandaloneChatState(message)) {
            return;
        }
        if (message.child("no-store", HINTS) != null) {
            account.bounce(box, message, Condition.SERVICE_UNAVAILABLE);
            return;
        }
        // A message the server already delayed (it was stored before, or it was resent after a
        // stream management session ended unacknowledged) keeps its first stamp and gets one
        // delay notation at delivery, not two.
        Instant receivedAt = Instant.now();
        XmlElement stored = message;
        for (XmlElement child : message.elements(Delay.ELEMENT, Delay.NAMESPACE)) {
            Optional<Delay> own = Delay.fromElement(child).filter(d -> account.jid().domain().equals(d.from()));
            if (own.isPresent()) {
                receivedAt = own.get().stamp();
                List<XmlNode> rest = new ArrayList<>(message.children());
                rest.remove(child);
                stored = message.withChildren(rest);
                break;
            }
        }
        Instant at = receivedAt;
        XmlElement toStore = stored;
        // the sender's 'h' (XEP-0198) waits for this append, not for the archive write
        UserEntity.Receipt receipt = receipts.take();
        box.later(() -> append(toStore, at, message, receipt));
    }

    private void append(XmlElement toStore, Instant receivedAt, XmlElement message, UserEntity.Receipt receipt) {
        appendsInFlight++;
        appendsIssued++;
        knownEmpty = false; // even a failed write may have been stored
        CompletionStage<OfflineStore.Append> write = call(() -> store.append(account.bare(), receivedAt, toStore.toXml(), quota));
        context.pipeToSelf(write, (result, error) -> {
            if (error != null) {
                if (health.isUp()) {
                    context.getLog().warn("offline storage for {} failed: {}", account.bare(), error.toString());
                } else {
                    // the outage was logged once by StorageHealth; the sender gets resource-constraint
                    context.getLog().debug("offline storage for {} failed: {}", account.bare(), error.toString());
                }
                health.writeFailed("offline append", error);
            }
            return new UserEntity.OfflineAppended(message, error == null ? result : null, receipt);
        });
    }

    /**
     * An append completed: a message that was not stored goes back to its sender, as
     * service-unavailable when the quota is full (XEP-0160 section 3), as {@code <wait/>
     * <resource-constraint/>} (RFC 6120 section 8.3.3.18: try again later) when the write failed,
     * e.g. while Cassandra is down. Never dropped in silence.
     */
    void appended(Outbox box, UserEntity.OfflineAppended done) {
        appendsInFlight--;
        if (done.result() == null) {
            account.bounce(box, done.message(), Condition.RESOURCE_CONSTRAINT);
            DurableReceipts.answer(done.receipt(), SessionMessage.Durable.Outcome.ANSWERED);
        } else if (done.result() != OfflineStore.Append.STORED) {
            account.bounce(box, done.message(), Condition.SERVICE_UNAVAILABLE);
            DurableReceipts.answer(done.receipt(), SessionMessage.Durable.Outcome.ANSWERED);
        } else {
            DurableReceipts.answer(done.receipt(), SessionMessage.Durable.Outcome.STORED);
        }
        if (drain != null && !drain.reading && appendsInFlight == 0) {
            startReading(box);
        }
    }

    /**
     * Called after every stanza from the account's own client: a resource that now is available
     * with non-negative priority and was not before gets the backlog (XEP-0160 section 3, step 5).
     */
    void presenceChanged(Outbox box, UserState before, String resource) {
        UserState.OnlineResource now = box.state().resources().get(resource);
        if (!eligible(now) || eligible(before.resources().get(resource))) {
            return;
        }
        if (drain != null) {
            waiting.add(resource);
            return;
        }
        if (knownEmpty && appendsInFlight == 0 && removing.isEmpty() && unremoved.isEmpty()) {
            return;
        }
        drain = new Drain(++drains, resource, now.session(), new ArrayList<>());
        if (appendsInFlight == 0) {
            startReading(box);
        }
    }

    private void startReading(Outbox box) {
        Drain d = drain;
        d.reading = true;
        box.later(() -> read(d));
    }

    private void read(Drain d) {
        // a first read also meets the delivered ids whose delete is pending: room for them
        int limit = d.after == null ? batch + removing.size() + unremoved.size() : batch;
        d.limit = limit;
        d.appendsAtRead = appendsIssued;
        context.pipeToSelf(call(() -> store.fetch(account.bare(), d.after, limit)), (list, error) -> {
            if (error != null) {
                context.getLog().warn("reading offline messages of {} failed: {}", account.bare(), error.toString());
            }
            return new UserEntity.OfflineFetched(d.id, error == null ? list : List.of(), error != null);
        });
    }

    /** A batch was read: hand it to the resource, or give the drain to another one, or end it. */
    void fetched(Outbox box, UserEntity.OfflineFetched got) {
        Drain d = drain;
        if (d == null || d.id != got.drain()) {
            return;
        }
        if (got.failed()) {
            finish(box);
            return;
        }
        UserState.OnlineResource r = box.state().resources().get(d.resource);
        if (!eligible(r) || !r.session().equals(d.session)) {
            handOver(box, d);
            return;
        }
        List<String> ids = new ArrayList<>(unremoved);
        for (OfflineMessage m : got.messages()) {
            if (removing.contains(m.id()) || unremoved.contains(m.id())) {
                continue;
            }
            ids.add(m.id());
            XmlElement stanza = XmlStrings.parse(m.stanza());
            if (stanza == null) {
                context.getLog().warn("dropping an unreadable offline message {} of {}", m.id(), account.bare());
                continue;
            }
            Delay delay = new Delay(account.jid().domain(), m.receivedAt(), REASON);
            box.toSession(d.session, delay.addTo(stanza));
        }
        if (!ids.isEmpty()) {
            unremoved.clear();
            removing.addAll(ids);
            box.later(() -> remove(ids));
        }
        if (got.messages().size() >= d.limit) {
            d.after = got.messages().get(got.messages().size() - 1).id();
            startReading(box);
        } else {
            // read to the end, and no append was issued since that read or is still in flight
            knownEmpty = appendsInFlight == 0 && appendsIssued == d.appendsAtRead;
            finish(box);
        }
    }

    private void remove(List<String> ids) {
        context.pipeToSelf(call(() -> store.remove(account.bare(), ids)), (ok, error) -> {
            if (error != null) {
                context.getLog().warn("removing delivered offline messages of {} failed: {}", account.bare(), error.toString());
            }
            return new UserEntity.OfflineRemoved(ids, error != null);
        });
    }

    /** A delete of delivered messages completed; a failed one is retried with the next drain's. */
    void removed(UserEntity.OfflineRemoved done) {
        done.ids().forEach(removing::remove);
        if (done.failed()) {
            unremoved.addAll(done.ids());
        }
    }

    /**
     * The resource left before its backlog came: another resource that became eligible takes
     * the drain over, held messages included; with none, held messages are handled as usual
     * (and so stored behind the backlog).
     */
    private void handOver(Outbox box, Drain d) {
        waiting.remove(d.resource);
        for (String name : List.copyOf(waiting)) {
            waiting.remove(name);
            UserState.OnlineResource r = box.state().resources().get(name);
            if (eligible(r)) {
                drain = new Drain(++drains, name, r.session(), d.held);
                startReading(box);
                return;
            }
        }
        finish(box);
    }

    /** Ends the drain: held messages now go through the delivery rules, in arrival order. */
    private void finish(Outbox box) {
        List<Held> held = drain.held;
        drain = null;
        waiting.clear();
        for (Held m : held) {
            deliver.accept(box, m.message(), m.receipt());
        }
    }

    /** RFC 6121 section 8.5.2.1.1: only available resources of non-negative priority take bare-JID messages. */
    static boolean eligible(UserState.OnlineResource r) {
        return r != null && r.available() && r.priority() >= 0;
    }

    /**
     * XEP-0085, "Syntax of Notifications", rule 3: a standalone notification carries a chat
     * state and nothing but a thread (hints, which ride along with notifications, are not
     * content either).
     */
    static boolean isStandaloneChatState(XmlElement message) {
        boolean state = false;
        for (XmlElement child : message.elements()) {
            if (child.namespace().equals(CHAT_STATES)) {
                state = true;
            } else if (!child.namespace().equals(HINTS) && !child.is("thread", message.namespace())) {
                return false;
            }
        }
        return state;
    }

    /** A store call whose synchronous failure becomes a failed stage, so it is answered like any other. */
    private static <T> CompletionStage<T> call(Supplier<CompletionStage<T>> op) {
        try {
            return op.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
