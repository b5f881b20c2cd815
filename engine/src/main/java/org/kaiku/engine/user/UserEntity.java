package org.kaiku.engine.user;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.kaiku.engine.features.mam.MessageArchiver;
import org.kaiku.engine.routing.StanzaRouter;
import org.kaiku.engine.serialization.CborSerializable;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.engine.auth.CredentialStore;
import org.kaiku.engine.storage.AccountDataStore;
import org.kaiku.engine.storage.OfflineMessage;
import org.kaiku.engine.storage.OfflineStore;
import org.kaiku.engine.storage.StorageHealth;
import org.kaiku.protocol.ext.blocking.Blocking;
import org.kaiku.protocol.ext.carbons.Carbons;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.StanzaKind;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.stream.StreamError;
import org.kaiku.protocol.xml.XmlElement;

/**
 * One account (bare JID) as a sharded, event-sourced entity: resource binding (RFC 6120 section
 * 7, with the "override" conflict policy of 7.7.2.2: the newer session takes the resource and
 * the older one is closed with a conflict stream error), the roster (RFC 6121 section 2),
 * subscriptions (section 3), presence (section 4) and delivery of what others send it (section
 * 8.5), with offline storage for the messages no resource can take (XEP-0160, in {@link
 * OfflineDelivery}), copies for its carbons-enabled resources (XEP-0280, {@link CarbonsHandler})
 * and its blocklist (XEP-0191, {@link BlockingHandler}); it answers others' vCard and last-activity
 * requests on the user's behalf ({@link AccountIqHandler}, {@link LastActivity}) and puts the
 * XEP-0153 photo hash into the user's presence ({@link AvatarHash}); those cost one journal event
 * per vCard set that changes the photo hash, one more event in the write of a last logout, and
 * one read of the vCard store per vCard set, per answered vCard request and (until a vCard set
 * journals a hash) per entity start; never a write per message, none at entity start.
 * Roster, pending requests and online resources are journaled so any node can
 * take the account over; messages never are. Resources whose session dies, or was already dead
 * when the entity recovered elsewhere, are logged out with the usual unavailable broadcast.
 *
 * <p>What is written where, and when the client hears back (the speed/durability trade):
 * <ul>
 *   <li>Roster sets, subscription changes and pending requests: one journal event each; the
 *       iq result, roster pushes and outbound presences go out only after Cassandra
 *       acknowledged the write (commit log in batch mode, see persistence's LocalCassandra), so
 *       what a client was told survives a crash. Cost: one Cassandra write on the path of a
 *       rare operation.</li>
 *   <li>Bind, unbind and presence updates: one event each, broadcast after the write, so a node
 *       that takes the account over knows who was online. Cost: one write per presence change.</li>
 *   <li>Messages to an available resource: no write. Online delivery goes from the router to
 *       the session in memory and never waits on a disk write, not even while offline messages
 *       are being stored or removed for the same account.</li>
 *   <li>Messages no resource can take (normal and chat, XEP-0160): one append to the
 *       {@link OfflineStore}, not the journal. The message is accepted once that write
 *       completed; a refused one (quota full, XEP-0160 section 3) or a failed one goes back to
 *       its sender as service-unavailable, never dropped in silence. The sender is not kept
 *       waiting either way: XMPP has no acknowledgement to give it. Cost: one Cassandra write
 *       per stored message (plus the bounded read the quota check makes, see the store).</li>
 *   <li>Message archive (XEP-0313, {@link ArchiveHook}): a normal or chat message with a body,
 *       on its way in, gets its archive id in memory and is delivered at once with its
 *       stanza-id; the archive write (one append to the ArchiveStore) is issued and not waited
 *       for. A message the account's client sent reaches the entity as {@link Sent} after the
 *       session routed it, and is archived the same way. A failed write is logged and counted,
 *       never retried by the entity nor allowed to hold up delivery (see MessageArchiver).</li>
 *   <li>Sender's acknowledgement (XEP-0198 'h'): a message its sender's session routed with a
 *       {@link Receipt} is reported back ({@link SessionMessage.Durable}) once the write that
 *       makes it survive a crash completed (the offline append when it went offline, else the
 *       archive append), or at once when nothing is stored: {@link DurableReceipts}. Delivery
 *       never waits for it; only the sender's ack does.</li>
 *   <li>Offline delivery: one read per batch of {@value OfflineDelivery#FETCH_BATCH} when a
 *       resource becomes available with non-negative priority (none when this incarnation read
 *       the store to its end and stored nothing since, see OfflineDelivery), the messages handed to its
 *       session, then one delete of exactly those ids, issued and not waited for. Messages
 *       arriving meanwhile wait in memory behind the backlog, for those reads only.</li>
 *   <li>Stream management (XEP-0198, {@link ResumptionHandler}): what is sent to a session that
 *       enabled it is also kept here, in memory ({@link UnackedQueues}), until its client
 *       acknowledges it (one {@link SmAck} per ack, not per stanza); no disk write. A resumption
 *       is one journal event ({@link UserEvent.ResourceResumed}). When such a session ends
 *       unresumed, what it never acknowledged goes through the delivery rules again, so a
 *       backlog handed over from offline storage and never acknowledged is stored again. Lost
 *       only if this entity's node crashes first (then it is as without stream management).</li>
 * </ul>
 *
 * <p>Cluster: the entity lives on whichever node Cluster Sharding gives its shard; the sessions
 * bound to it stay on the nodes that accepted their connections and are reached through their
 * actor refs, so every command here and every {@link SessionMessage} may cross nodes (Jackson CBOR,
 * see UserSerializationTest). It is not remembered (remember-entities off): it starts on demand
 * and recovers from the journal. deploy passivates it after 120 s without a message or when its
 * node holds more than 100,000 accounts (least recently used first); a session with stream
 * management touches it more often than that (entity-keepalive), and a passivated entity
 * re-watches its bound sessions when it starts again. When its node dies, the shard moves once
 * the node is downed, the entity recovers elsewhere, and the resources whose sessions died with
 * that node are logged out (unavailable to contacts) as their watch fires.
 *
 * <p>Storage outages: the entity keeps serving while Cassandra is down, so the sessions bound to
 * it stay up; what it refuses and how it survives a failed journal write is {@link StorageOutage}.
 */
public final class UserEntity extends EventSourcedBehaviorWithEnforcedReplies<UserEntity.Command, UserEvent, UserState> {

    public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "user");
    /** Resources one account may bind at once; one more is refused with resource-constraint. */
    public static final int MAX_RESOURCES = 64;
    /** A snapshot is kept every this many events so recovery replays little. */
    static final int SNAPSHOT_EVERY = 100;

    /** What the entity accepts. */
    public sealed interface Command extends CborSerializable {
    }

    /**
     * Binds a resource for a session (RFC 6120 section 7.6). {@code requestedResource} null or
     * empty lets the server choose a random, unused one.
     */
    public record Bind(String requestedResource, ActorRef<SessionMessage> session, ActorRef<BindResult> replyTo)
            implements Command {
    }

    /** The answer to {@link Bind}: {@link Bound} or {@link Refused}. */
    public sealed interface BindResult extends CborSerializable permits Bound, Refused {
    }

    /** The resource is bound; {@code fullJid} is what the client is told (RFC 6120 section 7.6.1). */
    public record Bound(String fullJid) implements BindResult {
    }

    /** Not bound: bad-request for an invalid resourcepart, resource-constraint past the limit. */
    public record Refused(StanzaError.Condition condition) implements BindResult {
    }

    /**
     * Deletes the account's state kept by the entity (XEP-0077 section 3.2, XEP-0133 delete-user,
     * {@code kaiku user delete}): see {@link AccountErasure}. {@code notice}, if not null, goes to
     * the session of {@code resource} just before every session is closed (the iq result of an
     * in-band removal). The stores the account owns apart from the journal (offline messages,
     * archive, documents, credentials) are purged by the caller once this is answered.
     */
    public record Erase(String resource, XmlElement notice, ActorRef<Erased> replyTo) implements Command {
    }

    /** The credentials look-up of {@link AccountExistence} answered. */
    record ExistenceChecked(boolean absent) implements Command {
    }

    /** The answer to {@link Erase}: {@code problem} is null when the journal now holds the erasure. */
    public record Erased(String problem) implements CborSerializable {
    }

    /** The session of this resource ended, cleanly or not; ignored if another session holds it now. */
    public record Unbind(String resource, ActorRef<SessionMessage> session) implements Command {
    }

    /** A stanza from the account's own client on {@code resource}, 'from' stamped with the full JID. */
    public record FromClient(String resource, XmlElement stanza) implements Command {
    }

    /**
     * A stanza addressed to the account (bare or full JID) by another entity or the server.
     * {@code receipt} (null for most) asks the entity to tell the sender's session when the
     * message is durable here (XEP-0198 'h', see {@link DurableReceipts}).
     */
    public record Deliver(XmlElement stanza, Receipt receipt) implements Command {
        public Deliver(XmlElement stanza) {
            this(stanza, null);
        }
    }

    /**
     * Where to report that a message became durable: the sending client's session and its own
     * number for the inbound stanza. Answered with exactly one {@link SessionMessage.Durable}.
     */
    public record Receipt(ActorRef<SessionMessage> session, long number) implements CborSerializable {
    }

    /** The archive write a {@link Receipt} waited for completed (or failed). */
    record DurableDone(Receipt receipt, SessionMessage.Durable.Outcome outcome) implements Command {
    }

    /**
     * A message one of the account's clients sent ('from' stamped with its full JID), already
     * routed (the session does not wait for the entity): for the archive (XEP-0313, see {@link
     * ArchiveHook}) and the copies to the account's other carbons-enabled resources (XEP-0280
     * section 8, see {@link CarbonsHandler}).
     */
    public record Sent(XmlElement message) implements Command {
    }

    /**
     * The session of {@code resource} enabled stream management (XEP-0198): track what is sent to
     * it until its client acknowledges it. {@code smId} is its SM-ID, null when not resumable.
     * Answered with {@link SessionMessage.SmTracking} to the session.
     */
    public record SmEnable(String resource, ActorRef<SessionMessage> session, String smId) implements Command {
    }

    /** The session's client acknowledged every tracked stanza up to entity number {@code seq}. */
    public record SmAck(ActorRef<SessionMessage> session, long seq) implements Command {
    }

    /** Which session holds this SM-ID? Answered with {@link SessionMessage.SmResumeTarget}. */
    public record SmResume(String smId, ActorRef<SessionMessage> replyTo) implements Command {
    }

    /**
     * Move {@code resource} from {@code old} to {@code now}, which resumed its stream; the client
     * acknowledged up to entity number {@code acked}, and {@code old} had received up to {@code
     * lastSeq}. Answered with {@link SessionMessage.SmSwapped} to {@code now}.
     */
    public record SmSwap(String resource, ActorRef<SessionMessage> old, ActorRef<SessionMessage> now,
                         long acked, long lastSeq) implements Command {
    }

    /**
     * A module wrote or removed the account's document under {@code key} in the
     * AccountDataStore (see {@link org.kaiku.engine.module.AccountSignals}): the vCard makes the
     * entity re-read its XEP-0153 photo hash ({@link AvatarHash}).
     */
    public record AccountDataChanged(String key) implements Command {
    }

    /** The vCard read number {@code seq} completed; {@code hash} is null when the read failed. */
    record PhotoHashRead(long seq, String hash) implements Command {
    }

    /**
     * A node where sessions of this account were bound left the cluster ({@link
     * SessionRegistry}): the entity starts if it is not running (recovering its bound resources
     * and watching their sessions), logs out at once every resource whose session lived on a node
     * that is no longer a member (its death watch would take the remote failure detector's
     * seconds), and answers {@code Done} once that is journaled.
     */
    public record CheckSessions(ActorRef<Done> replyTo) implements Command {
    }

    /**
     * An administrator ends every session of the account (XEP-0133 sections 4.4 disable-user and
     * 4.6 end-user-session): each is closed with the stream error {@code condition} and logged
     * out with the usual unavailable broadcast; {@code Done} once that is journaled. The account
     * may log in again at once unless its credentials say it is disabled.
     */
    public record EndSessions(StreamError.Condition condition, String text, ActorRef<Done> replyTo) implements Command {
    }

    /** An answer made on the user's behalf off the entity ({@link AccountIqHandler}), to route. */
    record IqAnswered(XmlElement answer) implements Command {
    }

    /** Death watch of a bound session: treated like {@link Unbind} for each resource it holds. */
    record SessionEnded(ActorRef<SessionMessage> session) implements Command {
    }

    /**
     * An offline append completed; {@code result} is null when the write failed. {@code receipt}
     * (may be null) is answered once the outcome is known.
     */
    record OfflineAppended(XmlElement message, OfflineStore.Append result, Receipt receipt) implements Command {
    }

    /** A batch of stored messages was read for drain number {@code drain}. */
    record OfflineFetched(long drain, List<OfflineMessage> messages, boolean failed) implements Command {
        OfflineFetched {
            messages = List.copyOf(messages);
        }
    }

    /** Delivered messages were removed from the store (or not, when {@code failed}). */
    record OfflineRemoved(List<String> ids, boolean failed) implements Command {
        OfflineRemoved {
            ids = List.copyOf(ids);
        }
    }

    /**
     * Registers the entity type with Cluster Sharding; call once per node, before routing.
     *
     * @param offline      where messages for accounts without an available resource are kept
     * @param offlineQuota messages kept per account (kaiku.offline.max-messages)
     */
    public static void init(ActorSystem<?> system, StanzaRouter router, OfflineStore offline, int offlineQuota) {
        init(system, router, offline, offlineQuota, null);
    }

    /** As {@link #init(ActorSystem, StanzaRouter, OfflineStore, int)}, archiving through {@code archiver} (null: none). */
    public static void init(ActorSystem<?> system, StanzaRouter router, OfflineStore offline, int offlineQuota,
                            MessageArchiver archiver) {
        init(system, router, offline, offlineQuota, archiver, null);
    }

    /**
     * As {@link #init(ActorSystem, StanzaRouter, OfflineStore, int, MessageArchiver)}, answering
     * others' vCard requests and hashing the vCard photo from {@code accountData} (null: neither).
     */
    public static void init(ActorSystem<?> system, StanzaRouter router, OfflineStore offline, int offlineQuota,
                            MessageArchiver archiver, AccountDataStore accountData) {
        init(system, router, offline, offlineQuota, archiver, accountData, StorageHealth.untracked());
    }

    /** As the overload above, refusing storage-bound work while {@code health} says storage is down. */
    public static void init(ActorSystem<?> system, StanzaRouter router, OfflineStore offline, int offlineQuota,
                            MessageArchiver archiver, AccountDataStore accountData, StorageHealth health) {
        init(system, router, offline, offlineQuota, archiver, accountData, health, null);
    }

    /**
     * As the overload above, refusing stanzas for accounts that do not exist after a look-up in
     * {@code credentials} (null: every account counts as existing; see {@link AccountExistence}).
     */
    public static void init(ActorSystem<?> system, StanzaRouter router, OfflineStore offline, int offlineQuota,
                            MessageArchiver archiver, AccountDataStore accountData, StorageHealth health,
                            CredentialStore credentials) {
        ClusterSharding.get(system).init(Entity.of(ENTITY_KEY,
                ctx -> create(ctx.getEntityId(), router, offline, offlineQuota, archiver, accountData, health, credentials)));
    }

    /** The behavior for one account; {@code bareJid} is the entity id. */
    public static Behavior<Command> create(String bareJid, StanzaRouter router, OfflineStore offline, int offlineQuota) {
        return create(bareJid, router, offline, offlineQuota, null);
    }

    /** As {@link #create(String, StanzaRouter, OfflineStore, int)} with a message archiver (null: none). */
    public static Behavior<Command> create(String bareJid, StanzaRouter router, OfflineStore offline, int offlineQuota,
                                           MessageArchiver archiver) {
        return create(bareJid, router, offline, offlineQuota, archiver, null);
    }

    /** As {@link #create(String, StanzaRouter, OfflineStore, int, MessageArchiver)} with the account data store (null: none). */
    public static Behavior<Command> create(String bareJid, StanzaRouter router, OfflineStore offline, int offlineQuota,
                                           MessageArchiver archiver, AccountDataStore accountData) {
        return create(bareJid, router, offline, offlineQuota, archiver, accountData, StorageHealth.untracked());
    }

    /** As the overload above, with the node's storage health. */
    public static Behavior<Command> create(String bareJid, StanzaRouter router, OfflineStore offline, int offlineQuota,
                                           MessageArchiver archiver, AccountDataStore accountData, StorageHealth health) {
        return create(bareJid, router, offline, offlineQuota, archiver, accountData, health, null);
    }

    /** As the overload above, with the credentials that tell whether the account exists (null: it does). */
    public static Behavior<Command> create(String bareJid, StanzaRouter router, OfflineStore offline, int offlineQuota,
                                           MessageArchiver archiver, AccountDataStore accountData, StorageHealth health,
                                           CredentialStore credentials) {
        Jid jid = Jid.parse(bareJid).bare();
        return Behaviors.setup(ctx -> new UserEntity(jid, ctx, router, offline, offlineQuota, archiver, accountData, health,
                credentials));
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] RESOURCE_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private final ActorContext<Command> context;
    private final StanzaRouter router;
    private final Account account;
    private final SubscriptionHandler subscriptions;
    private final PresenceHandler presence;
    private final RosterHandler roster;
    private final StanzaDelivery delivery;
    private final OfflineDelivery offline;
    private final CarbonsHandler carbons;
    private final BlockingHandler blocking;
    private final ArchiveHook archive;
    private final UnackedQueues unacked = new UnackedQueues();
    private final ResumptionHandler resumption;
    private final LastActivity lastActivity;
    private final AvatarHash avatar;
    private final DurableReceipts receipts;
    private final StorageHealth health;
    private final AccountExistence existence;

    private UserEntity(Jid bare, ActorContext<Command> context, StanzaRouter router, OfflineStore store, int offlineQuota,
                       MessageArchiver archiver, AccountDataStore accountData, StorageHealth health, CredentialStore credentials) {
        super(PersistenceId.of(ENTITY_KEY.name(), bare.toString()), StorageOutage.PERSIST_FAILURE);
        this.health = health;
        this.context = context;
        this.router = router;
        this.account = new Account(bare);
        this.subscriptions = new SubscriptionHandler(account);
        this.lastActivity = new LastActivity(account, java.time.Clock.systemUTC());
        this.presence = new PresenceHandler(account, subscriptions, lastActivity);
        this.avatar = new AvatarHash(account, context, accountData, presence);
        this.roster = new RosterHandler(account, subscriptions);
        this.receipts = new DurableReceipts(context);
        this.offline = new OfflineDelivery(account, context, store, offlineQuota, this::deliver, receipts, health);
        this.carbons = new CarbonsHandler(account);
        this.blocking = new BlockingHandler(account);
        this.delivery = new StanzaDelivery(account, offline, carbons,
                new AccountIqHandler(account, context, accountData, lastActivity));
        this.archive = new ArchiveHook(account, archiver, receipts);
        this.resumption = new ResumptionHandler(account, context, unacked, this::acceptAgain);
        this.existence = new AccountExistence(account, context, credentials);
    }

    @Override
    public UserState emptyState() {
        return UserState.empty();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2);
    }

    /**
     * Also a snapshot when the last resource logs out ({@link UserEvent.LoggedOut}), so that the
     * next login recovers from one snapshot read instead of replaying the bind, presence and
     * unbind events of every session since the last count-based snapshot (each of those events
     * resolves an actor ref and decodes CBOR). Cost: one snapshot write per last logout, the
     * account's roster and settings, off the client's path (the logout is already answered);
     * commands arriving meanwhile wait for it. The count-based snapshots above delete these
     * older ones, so at most {@value #SNAPSHOT_EVERY} events' worth accumulate.
     */
    @Override
    public boolean shouldSnapshot(UserState state, UserEvent event, long sequenceNr) {
        return event instanceof UserEvent.LoggedOut && state.resources().isEmpty();
    }

    @Override
    public EventHandler<UserState, UserEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(UserState::apply);
    }

    @Override
    public SignalHandler<UserState> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    state.resources().values().forEach(r -> watch(r.session()));
                    archive.warm();
                    avatar.started(state);
                })
                .build();
    }

    @Override
    public CommandHandlerWithReply<Command, UserEvent, UserState> commandHandler() {
        return newCommandHandlerWithReplyBuilder().forAnyState()
                .onCommand(Bind.class, this::onBind)
                .onCommand(Erase.class, this::onErase)
                .onCommand(ExistenceChecked.class, (state, cmd) -> {
                    existence.checked(cmd);
                    return Effect().noReply().thenUnstashAll();
                })
                .onCommand(Unbind.class, (state, cmd) -> onUnbind(state, cmd.resource(), cmd.session()))
                .onCommand(SessionEnded.class, this::onSessionEnded)
                .onCommand(FromClient.class, (state, cmd) -> StorageOutage.refused(health, cmd.stanza())
                        ? guarded(state, null, box -> account.errorToClient(box, cmd.resource(), cmd.stanza(),
                                StanzaError.Condition.RESOURCE_CONSTRAINT))
                        : guarded(state, cmd.stanza(), box -> {
                            fromClient(box, cmd.resource(), cmd.stanza());
                            offline.presenceChanged(box, state, cmd.resource());
                        }))
                .onCommand(Deliver.class, this::onDeliver)
                .onCommand(DurableDone.class, (state, cmd) -> {
                    DurableReceipts.answer(cmd.receipt(), cmd.outcome());
                    return Effect().noReply();
                })
                .onCommand(SmEnable.class, (state, cmd) -> guarded(state, null, box -> resumption.enable(box, cmd)))
                .onCommand(SmAck.class, (state, cmd) -> {
                    unacked.acked(cmd.session(), cmd.seq());
                    return Effect().noReply();
                })
                .onCommand(SmResume.class, (state, cmd) -> {
                    resumption.lookup(state, cmd);
                    return Effect().noReply();
                })
                .onCommand(SmSwap.class, (state, cmd) -> guarded(state, null, box -> {
                    resumption.swap(box, cmd);
                    if (!box.state().blocked().isEmpty()) {
                        // the resuming session starts with no copy of the blocklist (XEP-0191)
                        SessionMessage.Blocklist list = new SessionMessage.Blocklist(box.state().blocked());
                        box.later(() -> cmd.now().tell(list));
                    }
                }))
                .onCommand(Sent.class, (state, cmd) -> {
                    archive.outgoing(state, cmd.message());
                    return guarded(state, null, box -> carbons.sent(box, cmd.message()));
                })
                .onCommand(OfflineAppended.class, (state, cmd) -> guarded(state, null, box -> offline.appended(box, cmd)))
                .onCommand(OfflineFetched.class, (state, cmd) -> guarded(state, null, box -> offline.fetched(box, cmd)))
                .onCommand(AccountDataChanged.class, (state, cmd) -> {
                    avatar.documentChanged(cmd.key());
                    return Effect().noReply();
                })
                .onCommand(PhotoHashRead.class, (state, cmd) -> guarded(state, null, box -> avatar.readDone(box, cmd)))
                .onCommand(CheckSessions.class, this::onCheckSessions)
                .onCommand(EndSessions.class, this::onEndSessions)
                .onCommand(IqAnswered.class, (state, cmd) -> guarded(state, null, box -> box.route(cmd.answer())))
                .onCommand(OfflineRemoved.class, (state, cmd) -> {
                    offline.removed(cmd);
                    return Effect().noReply();
                })
                .build();
    }

    private ReplyEffect<UserEvent, UserState> onBind(UserState state, Bind cmd) {
        String resource;
        if (cmd.requestedResource() == null || cmd.requestedResource().isEmpty()) {
            resource = freshResource(state);
        } else {
            try {
                resource = account.jid().withResource(cmd.requestedResource()).resource();
            } catch (IllegalArgumentException e) {
                return Effect().reply(cmd.replyTo(), new Refused(StanzaError.Condition.BAD_REQUEST));
            }
        }
        UserState.OnlineResource existing = state.resources().get(resource);
        Bound bound = new Bound(account.full(resource));
        if (existing != null && existing.session().equals(cmd.session())) {
            return Effect().reply(cmd.replyTo(), bound);
        }
        if (existing == null && state.resources().size() >= MAX_RESOURCES) {
            return Effect().reply(cmd.replyTo(), new Refused(StanzaError.Condition.RESOURCE_CONSTRAINT));
        }
        if (health.isDown()) {
            // RFC 6120 section 7.6.2.1 allows an error on bind; the binding would need a journal write.
            return Effect().reply(cmd.replyTo(), new Refused(StanzaError.Condition.RESOURCE_CONSTRAINT));
        }
        existence.created();
        Outbox box = newOutbox(state);
        if (existing != null) {
            box.kick(existing.session(), StreamError.Condition.CONFLICT, "Replaced by a new connection for this resource");
            if (unacked.tracks(existing.session())) {
                // what the replaced session never acknowledged is re-handled without it, not sent to the newcomer
                logout(box, resource);
            } else {
                presence.unavailable(box, resource, Account.presence(account.full(resource), null, "unavailable"), false);
            }
        }
        box.emit(new UserEvent.ResourceBound(resource, cmd.session()));
        box.later(() -> watch(cmd.session()));
        if (!state.blocked().isEmpty()) {
            // Before the bind result: the session refuses stanzas to blocked JIDs from its first one.
            SessionMessage.Blocklist list = new SessionMessage.Blocklist(state.blocked());
            box.later(() -> cmd.session().tell(list));
        }
        return Effect().persist(box.events()).thenRun(s -> box.flush()).thenReply(cmd.replyTo(), s -> bound);
    }

    private ReplyEffect<UserEvent, UserState> onErase(UserState state, Erase cmd) {
        if (health.isDown()) {
            return Effect().reply(cmd.replyTo(), new Erased("storage is unavailable"));
        }
        Outbox box = newOutbox(state);
        AccountErasure.erase(box, account, presence, unacked, cmd.resource(), cmd.notice());
        existence.erased();
        return Effect().persist(box.events()).thenRun(s -> box.flush()).thenReply(cmd.replyTo(), s -> new Erased(null));
    }

    private ReplyEffect<UserEvent, UserState> onUnbind(UserState state, String resource, ActorRef<SessionMessage> session) {
        UserState.OnlineResource r = state.resources().get(resource);
        if (r == null || !r.session().equals(session)) {
            return Effect().noReply();
        }
        Outbox box = newOutbox(state);
        logout(box, resource);
        return commit(box);
    }

    private ReplyEffect<UserEvent, UserState> onSessionEnded(UserState state, SessionEnded cmd) {
        Outbox box = newOutbox(state);
        state.resources().forEach((name, r) -> {
            if (r.session().equals(cmd.session())) {
                logout(box, name);
            }
        });
        return commit(box);
    }

    private ReplyEffect<UserEvent, UserState> onCheckSessions(UserState state, CheckSessions cmd) {
        Set<Address> live = new HashSet<>();
        for (Member m : Cluster.get(context.getSystem()).state().getMembers()) {
            if (m.status() != MemberStatus.down() && m.status() != MemberStatus.removed()) {
                live.add(m.address());
            }
        }
        Outbox box = newOutbox(state);
        state.resources().forEach((name, r) -> {
            Address at = r.session().path().address();
            if (at.hasGlobalScope() && !live.contains(at)) {
                logout(box, name);
            }
        });
        if (box.events().isEmpty()) {
            box.flush();
            return Effect().reply(cmd.replyTo(), Done.getInstance());
        }
        return Effect().persist(box.events()).thenRun(s -> box.flush()).thenReply(cmd.replyTo(), s -> Done.getInstance());
    }

    private ReplyEffect<UserEvent, UserState> onEndSessions(UserState state, EndSessions cmd) {
        Outbox box = newOutbox(state);
        for (String name : List.copyOf(state.resources().keySet())) {
            box.kick(state.resources().get(name).session(), cmd.condition(), cmd.text());
            logout(box, name);
        }
        if (box.events().isEmpty()) {
            box.flush();
            return Effect().reply(cmd.replyTo(), Done.getInstance());
        }
        return Effect().persist(box.events()).thenRun(s -> box.flush()).thenReply(cmd.replyTo(), s -> Done.getInstance());
    }

    private void logout(Outbox box, String resource) {
        ActorRef<SessionMessage> session = box.state().resources().get(resource).session();
        presence.unavailable(box, resource, Account.presence(account.full(resource), null, "unavailable"), false);
        box.emit(new UserEvent.ResourceUnbound(resource));
        lastActivity.loggedOut(box, resource);
        resumption.ended(box, session);
    }

    private ReplyEffect<UserEvent, UserState> onDeliver(UserState state, Deliver cmd) {
        if (state.resources().isEmpty()) {
            AccountExistence.Known known = existence.known();
            if (known == AccountExistence.Known.UNKNOWN) {
                existence.check();
                return Effect().stash();
            }
            if (known == AccountExistence.Known.ABSENT) {
                return guarded(state, cmd.stanza(), box -> refuseForAbsentAccount(box, cmd));
            }
        }
        if (cmd.receipt() == null) {
            return guarded(state, cmd.stanza(), box -> accept(box, cmd.stanza(), null));
        }
        return guarded(state, cmd.stanza(), box -> {
            try {
                accept(box, cmd.stanza(), cmd.receipt());
            } catch (RuntimeException e) {
                receipts.abort();
                throw e;
            }
        });
    }

    /**
     * RFC 6121 section 8.5.1, the account does not exist: a message or an iq request gets
     * service-unavailable, anything else is dropped; nothing is stored.
     */
    private void refuseForAbsentAccount(Outbox box, Deliver cmd) {
        StanzaKind kind = StanzaKind.of(cmd.stanza());
        String type = Stanzas.type(cmd.stanza());
        if (kind == StanzaKind.MESSAGE || (kind == StanzaKind.IQ && ("get".equals(type) || "set".equals(type)))) {
            account.bounce(box, cmd.stanza(), StanzaError.Condition.SERVICE_UNAVAILABLE);
        }
        DurableReceipts.answer(cmd.receipt(), SessionMessage.Durable.Outcome.ANSWERED);
    }

    /** A stanza for the account: held behind an offline drain (messages), else delivered. */
    private void accept(Outbox box, XmlElement stanza, Receipt receipt) {
        if (offline.draining() && StanzaKind.of(stanza) == StanzaKind.MESSAGE) {
            offline.hold(box, stanza, receipt);
        } else {
            deliver(box, stanza, receipt);
        }
    }

    /**
     * A message a session never acknowledged, handled again by the delivery rules (XEP-0198
     * section 4). It was archived, and given its stanza-id, on its first way in, so it skips
     * the archive; carbon copies are not handed on at all, since each resource got its own.
     */
    private void acceptAgain(Outbox box, XmlElement message) {
        if (Carbons.isCopy(message, account.bare())) {
            return;
        }
        if (offline.draining()) {
            offline.hold(box, message, null);
            return;
        }
        Jid to = Jid.tryParse(Stanzas.to(message)).orElse(null);
        if (to != null && account.isSelf(to) && !blocking.stopped(box, message)) {
            delivery.message(box, message, to);
        }
    }

    private Outbox newOutbox(UserState state) {
        return new Outbox(state, router, unacked);
    }

    private void fromClient(Outbox box, String resource, XmlElement stanza) {
        StanzaKind kind = StanzaKind.of(stanza);
        if (kind == null || !box.state().resources().containsKey(resource)) {
            return;
        }
        XmlElement stamped = stanza.withAttr("from", account.full(resource));
        String to = Stanzas.to(stamped);
        switch (kind) {
            case PRESENCE -> presence.fromClient(box, resource, stamped);
            case MESSAGE -> box.route(to == null ? stamped.withAttr("to", account.bare()) : stamped);
            case IQ -> {
                Jid target = to == null ? null : Jid.tryParse(to).orElse(null);
                if (to != null && target == null) {
                    account.errorToClient(box, resource, stamped, StanzaError.Condition.JID_MALFORMED);
                } else if (target != null && !target.equals(account.jid())) {
                    box.route(stamped);
                } else if (stamped.child("query", Namespaces.ROSTER) != null) {
                    roster.handle(box, resource, stamped);
                } else if (payloadIn(stamped, Carbons.NAMESPACE)) {
                    carbons.request(box, resource, stamped);
                } else if (payloadIn(stamped, Blocking.NAMESPACE)) {
                    blocking.request(box, resource, stamped);
                } else {
                    String type = Stanzas.type(stamped);
                    if ("get".equals(type) || "set".equals(type)) {
                        account.errorToClient(box, resource, stamped, StanzaError.Condition.SERVICE_UNAVAILABLE);
                    }
                }
            }
        }
    }

    private static boolean payloadIn(XmlElement iq, String namespace) {
        return !iq.elements().isEmpty() && namespace.equals(iq.elements().get(0).namespace());
    }

    /** Delivers by the rules; {@code receipt} (may be null) is answered per {@link DurableReceipts}. */
    private void deliver(Outbox box, XmlElement stanza, Receipt receipt) {
        receipts.open(receipt);
        deliver(box, stanza);
        receipts.close();
    }

    private void deliver(Outbox box, XmlElement stanza) {
        StanzaKind kind = StanzaKind.of(stanza);
        Jid to = Jid.tryParse(Stanzas.to(stanza)).orElse(null);
        if (kind == null || to == null || !account.isSelf(to) || blocking.stopped(box, stanza)) {
            return;
        }
        switch (kind) {
            case MESSAGE -> delivery.message(box, archive.incoming(box.state(), stanza), to);
            case PRESENCE -> presence.inbound(box, stanza, to);
            case IQ -> delivery.iq(box, stanza, to);
        }
    }

    /**
     * Runs a stanza handler so that no input can break the entity: a failure is logged and, for
     * a stanza that is not itself an error, answered with internal-server-error.
     */
    private ReplyEffect<UserEvent, UserState> guarded(UserState state, XmlElement stanza,
                                                      Consumer<Outbox> handler) {
        Outbox box = newOutbox(state);
        try {
            handler.accept(box);
        } catch (RuntimeException e) {
            context.getLog().warn("stanza handling failed for {}: {}", account.bare(), stanza, e);
            Outbox failed = newOutbox(state);
            if (stanza != null) {
                account.bounce(failed, stanza, StanzaError.Condition.INTERNAL_SERVER_ERROR);
            }
            return commit(failed);
        }
        return commit(box);
    }

    private ReplyEffect<UserEvent, UserState> commit(Outbox box) {
        if (box.events().isEmpty()) {
            box.flush();
            return Effect().noReply();
        }
        return Effect().persist(box.events()).thenRun(s -> box.flush()).thenNoReply();
    }

    private void watch(ActorRef<SessionMessage> session) {
        context.watchWith(session, new SessionEnded(session));
    }

    private static String freshResource(UserState state) {
        while (true) {
            StringBuilder sb = new StringBuilder("kaiku-");
            for (int i = 0; i < 12; i++) {
                sb.append(RESOURCE_CHARS[RANDOM.nextInt(RESOURCE_CHARS.length)]);
            }
            if (!state.resources().containsKey(sb.toString())) {
                return sb.toString();
            }
        }
    }
}
