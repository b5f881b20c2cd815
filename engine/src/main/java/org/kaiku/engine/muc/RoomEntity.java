package org.kaiku.engine.muc;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.kaiku.engine.routing.StanzaRouter;
import org.kaiku.engine.serialization.CborSerializable;
import org.kaiku.protocol.ext.delay.Delay;
import org.kaiku.protocol.ext.muc.Muc;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlNode;

/**
 * One Multi-User Chat room (XEP-0045) as a sharded, event-sourced entity, id {@code room@service}.
 * It handles every stanza addressed to the room or to an occupant's room JID: joining and
 * creating (section 7.2, 10.1), presence updates and nick changes (7.6), leaving (7.14),
 * groupchat messages and history (7.4, 7.2.15), the subject (8.1), private messages (7.5) and
 * iq between occupants (7.7), mediated invitations (7.8.2), the owner's and admins' work in
 * {@link RoomAdmin}, the XEP-0410 self-ping, and stamps XEP-0421 occupant ids.
 *
 * <p>What is written where, and when a client hears back:
 * <ul>
 *   <li>Journaled ({@link RoomEvent}): creation, each configuration submit, each affiliation
 *       change, each subject change and the destruction. The answer (iq result, presence with
 *       the new affiliation, the subject message) goes out only after Cassandra acknowledged
 *       the event. Cost: one write per such rare operation.</li>
 *   <li>In memory only ({@link Occupants}): occupants, their roles and presence, and the last
 *       {@code kaiku.muc.max-history} groupchat messages. A groupchat message costs no write: it
 *       is broadcast at once. Presence is soft state (it is gone when the user's session is),
 *       and writing each join/leave would put a write on every presence change of every
 *       occupant. So when the entity stops (its node restarts, sharding moves it, or it crashes)
 *       the room comes back with its configuration, affiliations and subject but with no
 *       occupants and no history; clients find out with the XEP-0410 self-ping, which this room
 *       answers not-acceptable for a nick it does not hold, and join again.</li>
 *   <li>Archive (XEP-0313 on the room, persistent rooms only, see {@link RoomArchive}): each
 *       groupchat message with a body is broadcast at once with the room's stanza id, and one
 *       append to the archive store is issued, not waited for.</li>
 *   <li>A temporary room that has no occupants left is destroyed (one journal event); after a
 *       crash a temporary room recovers as non-existent (it had no occupants).</li>
 * </ul>
 * When sharding stops a room that has occupants (a hand-off or a node shutting down), each
 * occupant gets an unavailable presence with status 332 first, and its client can rejoin at once.
 * Rooms are not passivated by Cluster Sharding's idle strategy (that would drop occupants of a
 * quiet room); a room with no occupants passivates itself after {@code kaiku.muc.empty-room-idle},
 * and a stanza to a room that does not exist leaves no entity behind for long.
 */
public final class RoomEntity extends EventSourcedBehavior<RoomEntity.Command, RoomEvent, RoomState> {

    public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "muc-room");
    private static final String PING = "urn:xmpp:ping";
    private static final String MAM = "urn:xmpp:mam:2";
    private static final SecureRandom RANDOM = new SecureRandom();

    public sealed interface Command extends CborSerializable {
    }

    /** A stanza addressed to the room or one of its occupants, 'from' stamped by the sender's server. */
    public record Inbound(XmlElement stanza) implements Command {
    }

    /**
     * Cluster Sharding stops the room (its stop message): passivation, a hand-off to another node,
     * or this node shutting down. Occupants are told they were removed by a system shutdown
     * (status 332, section 15.6), so their clients rejoin instead of waiting for a self-ping.
     */
    public record Shutdown() implements Command {
    }

    /** The empty-room timer fired. */
    record Idle() implements Command {
    }

    final Jid room;
    final MucSettings settings;
    final StanzaRouter router;
    final Occupants occupants;
    private final RoomDirectory.Client directory;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final ActorRef<ClusterSharding.ShardCommand> shard;
    private final Clock clock = Clock.systemUTC();
    private final RoomAdmin admin;
    final RoomArchive archive;

    private RoomEntity(String roomId, MucSettings settings, StanzaRouter router, RoomDirectory.Client directory, RoomArchive archive,
                       ActorContext<Command> context, TimerScheduler<Command> timers, ActorRef<ClusterSharding.ShardCommand> shard) {
        super(PersistenceId.of(ENTITY_KEY.name(), roomId));
        this.archive = archive;
        this.room = Jid.parse(roomId).bare();
        this.settings = settings;
        this.router = router;
        this.directory = directory;
        this.context = context;
        this.timers = timers;
        this.shard = shard;
        this.occupants = new Occupants(settings.maxHistory());
        this.admin = new RoomAdmin(this);
    }

    /** Starts sharding of rooms on this node (every node of the cluster must call it). */
    public static void init(ActorSystem<?> system, MucSettings settings, StanzaRouter router, RoomDirectory.Client directory,
                            RoomArchive archive) {
        ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), settings, router, directory,
                        archive, ctx.getShard()))
                .withStopMessage(new Shutdown())
                .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
    }

    public static Behavior<Command> create(String roomId, MucSettings settings, StanzaRouter router, RoomDirectory.Client directory,
                                           RoomArchive archive, ActorRef<ClusterSharding.ShardCommand> shard) {
        return Behaviors.withTimers(timers -> Behaviors.setup(ctx ->
                new RoomEntity(roomId, settings, router, directory, archive, ctx, timers, shard)));
    }

    @Override
    public RoomState emptyState() {
        return RoomState.empty();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(100, 2);
    }

    @Override
    public EventHandler<RoomState, RoomEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(RoomState::apply);
    }

    @Override
    public CommandHandler<Command, RoomEvent, RoomState> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Inbound.class, (state, cmd) -> onStanza(state, cmd.stanza()).thenRun(s -> idleCheck(s)))
                .onCommand(Shutdown.class, (state, cmd) -> {
                    XmlElement none = new Muc.Item("none", "none", null, null, null).toElement(Muc.USER);
                    for (Occupants.Occupant o : occupants.all()) {
                        send(occupantPresence(state, o, o, "unavailable", none, List.of(Muc.SELF, Muc.SYSTEM_SHUTDOWN), null));
                    }
                    occupants.clear();
                    return Effect().stop();
                })
                .onCommand(Idle.class, (state, cmd) -> {
                    if (occupants.isEmpty()) {
                        shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
                    }
                    return Effect().none();
                })
                .build();
    }

    /** Whether the room exists for its users: a temporary room lives only while someone is in it. */
    boolean exists(RoomState s) {
        return s.exists() && (s.config().persistent() || !occupants.isEmpty());
    }

    private void idleCheck(RoomState s) {
        if (occupants.isEmpty()) {
            timers.startSingleTimer("idle", new Idle(), exists(s) ? settings.emptyRoomIdle() : Duration.ofSeconds(5));
        } else {
            timers.cancel("idle");
        }
    }

    private EffectBuilder<RoomEvent, RoomState> onStanza(RoomState s, XmlElement stanza) {
        Jid from = Jid.tryParse(Stanzas.from(stanza)).orElse(null);
        Jid to = Jid.tryParse(Stanzas.to(stanza)).orElse(null);
        if (from == null || to == null || from.local() == null && from.resource() == null) {
            return Effect().none();
        }
        return switch (stanza.name()) {
            case "presence" -> presence(s, stanza, from, to);
            case "message" -> message(s, stanza, from, to);
            case "iq" -> iq(s, stanza, from, to);
            default -> Effect().none();
        };
    }

    // ---------------------------------------------------------------- presence

    private EffectBuilder<RoomEvent, RoomState> presence(RoomState s, XmlElement p, Jid from, Jid to) {
        String type = p.attr("type");
        Occupants.Occupant me = occupants.byJid(from);
        if ("error".equals(type)) {
            // an occupant whose client bounces the room's presence is gone (section 7.14 spirit)
            if (me != null) {
                leave(s, me, null);
                return temporaryEmptied(s);
            }
            return Effect().none();
        }
        if ("unavailable".equals(type)) {
            if (me == null) {
                return Effect().none();
            }
            leave(s, me, p);
            return temporaryEmptied(s);
        }
        if (type != null) {
            return Effect().none();
        }
        if (to.resource() == null) {
            // section 7.2.1: a join without a nickname
            return reply(p, StanzaError.Condition.JID_MALFORMED);
        }
        String nick = to.resource();
        if (me != null) {
            if (me.nick.equals(nick)) {
                me.presence = p;
                broadcastPresence(s, me, null, List.of());
                return Effect().none();
            }
            return changeNick(s, me, nick, p);
        }
        return join(s, p, from, nick);
    }

    private EffectBuilder<RoomEvent, RoomState> join(RoomState s, XmlElement p, Jid from, String nick) {
        XmlElement x = p.child("x", Muc.NAMESPACE);
        if (!exists(s)) {
            byte[] key = new byte[16];
            RANDOM.nextBytes(key);
            RoomEvent.Created created = new RoomEvent.Created(from.bare().toString(), HexFormat.of().formatHex(key),
                    RoomConfig.defaults(settings.maxOccupants()));
            occupants.clear();
            return Effect().persist(created).thenRun(ns -> enter(ns, p, from, nick, x, true));
        }
        Muc.Affiliation a = s.affiliation(from.bare().toString());
        if (s.locked() && a != Muc.Affiliation.OWNER) {
            return reply(p, StanzaError.Condition.ITEM_NOT_FOUND, "the room is locked until its owner configures it");
        }
        if (a == Muc.Affiliation.OUTCAST) {
            return reply(p, StanzaError.Condition.FORBIDDEN, "you are banned from this room");
        }
        if (s.config().membersOnly() && a == Muc.Affiliation.NONE) {
            return reply(p, StanzaError.Condition.REGISTRATION_REQUIRED, "the room is members-only");
        }
        Occupants.Occupant holder = occupants.byNick(nick);
        if (holder != null) {
            return reply(p, StanzaError.Condition.CONFLICT, "that nickname is in use");
        }
        if (!a.isAdminOrOwner() && occupants.size() >= s.config().maxUsers()) {
            return reply(p, StanzaError.Condition.SERVICE_UNAVAILABLE, "the room is full");
        }
        if (s.config().passwordProtected()) {
            String given = x == null ? null : x.childText("password", Muc.NAMESPACE);
            if (given == null || !given.equals(s.config().password())) {
                return reply(p, StanzaError.Condition.NOT_AUTHORIZED, "a password is required");
            }
        }
        enter(s, p, from, nick, x, false);
        return Effect().none();
    }

    /** Section 7.2.3-7.2.16: others' presence to the newcomer, its presence to all, history, subject. */
    private void enter(RoomState s, XmlElement p, Jid from, String nick, XmlElement x, boolean created) {
        Muc.Role role = defaultRole(s.affiliation(from.bare().toString()), s.config());
        Occupants.Occupant me = new Occupants.Occupant(from, nick, role, p);
        for (Occupants.Occupant o : occupants.all()) {
            send(occupantPresence(s, o, me, null, null, List.of(), null));
        }
        occupants.add(me);
        List<Integer> selfCodes = new ArrayList<>();
        if (s.config().whoisAnyone()) {
            selfCodes.add(Muc.NON_ANONYMOUS);
        }
        if (created) {
            selfCodes.add(Muc.CREATED);
        }
        broadcastPresence(s, me, null, selfCodes);
        sendHistory(me, x == null ? null : x.child("history", Muc.NAMESPACE));
        XmlElement.Builder subject = XmlElement.builder("message", "jabber:client")
                .attr("from", s.subjectBy().isEmpty() ? room.toString() : room.withResource(s.subjectBy()).toString())
                .attr("to", from.toString()).attr("type", "groupchat").attr("id", "subject-" + Long.toHexString(RANDOM.nextLong()));
        subject.child(new XmlElement("subject", "jabber:client", java.util.Map.of(),
                s.subject().isEmpty() ? List.of() : List.of(new org.kaiku.protocol.xml.XmlText(s.subject()))));
        send(subject.build());
        if (!s.locked() && s.config().isPublic()) {
            directory.listed(room.toString(), s.config().name(), s.config().persistent());
        }
    }

    private void sendHistory(Occupants.Occupant me, XmlElement h) {
        int maxStanzas = -1;
        long maxChars = -1;
        Instant since = null;
        if (h != null) {
            maxStanzas = intAttr(h, "maxstanzas");
            maxChars = intAttr(h, "maxchars");
            int seconds = intAttr(h, "seconds");
            if (seconds >= 0) {
                since = clock.instant().minusSeconds(seconds);
            }
            Instant sinceAttr = h.attr("since") == null ? null : Delay.parseStamp(h.attr("since")).orElse(null);
            if (sinceAttr != null && (since == null || sinceAttr.isAfter(since))) {
                since = sinceAttr;
            }
        }
        for (Occupants.Past past : occupants.history(maxStanzas, maxChars, since)) {
            send(new Delay(room.toString(), past.at(), null).addTo(past.message().withAttr("to", me.jid.toString())));
        }
    }

    private static int intAttr(XmlElement e, String name) {
        try {
            return e.attr(name) == null ? -1 : Math.max(0, Integer.parseInt(e.attr(name).strip()));
        } catch (NumberFormatException ex) {
            return -1;
        }
    }

    /** Section 7.6: unavailable with 303 and the new nick from the old one, then available from the new. */
    private EffectBuilder<RoomEvent, RoomState> changeNick(RoomState s, Occupants.Occupant me, String nick, XmlElement p) {
        if (occupants.byNick(nick) != null) {
            return reply(p, StanzaError.Condition.CONFLICT, "that nickname is in use");
        }
        for (Occupants.Occupant o : occupants.all()) {
            List<Integer> codes = new ArrayList<>(List.of(Muc.NICK_CHANGED));
            if (o == me) {
                codes.add(Muc.SELF);
            }
            Muc.Item item = item(s, me, o, null, nick, null);
            send(occupantPresence(s, me, o, "unavailable", item.toElement(Muc.USER), codes, null));
        }
        occupants.rename(me, nick);
        me.presence = p;
        broadcastPresence(s, me, null, List.of());
        return Effect().none();
    }

    /** The occupant leaves (or is removed): unavailable to everyone, self with 110, then codes. */
    void leave(RoomState s, Occupants.Occupant me, XmlElement unavailable) {
        if (unavailable != null) {
            me.presence = unavailable;
        }
        me.role = Muc.Role.NONE;
        broadcastPresence(s, me, "unavailable", List.of());
        occupants.remove(me);
    }

    /** A temporary room left without occupants is destroyed (section 10.9 does not apply: nobody is told). */
    EffectBuilder<RoomEvent, RoomState> temporaryEmptied(RoomState s) {
        if (occupants.isEmpty() && s.exists() && !s.config().persistent()) {
            directory.unlisted(room.toString());
            return Effect().persist(new RoomEvent.Destroyed());
        }
        return Effect().none();
    }

    /** {@code o}'s presence to every occupant; the occupant itself also gets 110 and {@code selfCodes}. */
    void broadcastPresence(RoomState s, Occupants.Occupant o, String type, List<Integer> selfCodes) {
        for (Occupants.Occupant r : occupants.all()) {
            List<Integer> codes = new ArrayList<>();
            if (r == o) {
                codes.add(Muc.SELF);
                codes.addAll(selfCodes);
            }
            send(occupantPresence(s, o, r, type, null, codes, null));
        }
    }

    /** The muc#user item describing {@code o} to {@code receiver}: its real JID only where the room shows it. */
    Muc.Item item(RoomState s, Occupants.Occupant o, Occupants.Occupant receiver, String actorNick, String nick, String reason) {
        boolean showJid = s.config().whoisAnyone() || receiver.role == Muc.Role.MODERATOR || receiver == o;
        return new Muc.Item(s.affiliation(o.jid.bare().toString()).value(), o.role.value(),
                showJid ? o.jid.toString() : null, nick, reason);
    }

    /**
     * The presence of occupant {@code o} as {@code receiver} gets it (section 7.2.3): its own
     * show/status children, a muc#user x with the item, status codes and {@code extra}, and its
     * XEP-0421 occupant id.
     */
    XmlElement occupantPresence(RoomState s, Occupants.Occupant o, Occupants.Occupant receiver, String type, XmlElement item,
                                List<Integer> codes, XmlElement extra) {
        XmlElement.Builder b = XmlElement.builder("presence", "jabber:client")
                .attr("from", room.withResource(o.nick).toString()).attr("to", receiver.jid.toString()).attr("type", type);
        for (XmlNode n : o.presence.children()) {
            if (n instanceof XmlElement e && (e.namespace().equals(Muc.NAMESPACE) || e.namespace().equals(Muc.USER)
                    || e.namespace().equals(Muc.OCCUPANT_ID))) {
                continue;
            }
            if ("unavailable".equals(type) && n instanceof XmlElement e && !e.name().equals("status")) {
                continue;
            }
            b.child(n);
        }
        XmlElement.Builder x = XmlElement.builder("x", Muc.USER)
                .child(item != null ? item : item(s, o, receiver, null, null, null).toElement(Muc.USER));
        codes.forEach(c -> x.child(Muc.status(c)));
        x.child(extra);
        b.child(x.build());
        b.child(occupantId(s, o));
        return b.build();
    }

    /** XEP-0421 section 4: a stable id per real bare JID and room, keyed by the room's secret. */
    XmlElement occupantId(RoomState s, Occupants.Occupant o) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(s.secret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] id = mac.doFinal(o.jid.bare().toString().getBytes(StandardCharsets.UTF_8));
            return XmlElement.builder("occupant-id", Muc.OCCUPANT_ID)
                    .attr("id", Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(id, 18))).build();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static Muc.Role defaultRole(Muc.Affiliation a, RoomConfig c) {
        return switch (a) {
            case OWNER, ADMIN -> Muc.Role.MODERATOR;
            case MEMBER -> Muc.Role.PARTICIPANT;
            case NONE -> c.moderated() ? Muc.Role.VISITOR : Muc.Role.PARTICIPANT;
            case OUTCAST -> Muc.Role.NONE;
        };
    }

    // ---------------------------------------------------------------- messages

    private EffectBuilder<RoomEvent, RoomState> message(RoomState s, XmlElement m, Jid from, Jid to) {
        String type = m.attr("type");
        if ("error".equals(type)) {
            Occupants.Occupant me = occupants.byJid(from);
            if (me != null && to.resource() == null) {
                leave(s, me, null);
                return temporaryEmptied(s);
            }
            return Effect().none();
        }
        if (!exists(s)) {
            return reply(m, StanzaError.Condition.ITEM_NOT_FOUND);
        }
        Occupants.Occupant me = occupants.byJid(from);
        if ("groupchat".equals(type)) {
            if (to.resource() != null) {
                return reply(m, StanzaError.Condition.BAD_REQUEST, "groupchat messages go to the room's bare JID");
            }
            if (me == null) {
                return reply(m, StanzaError.Condition.NOT_ACCEPTABLE, "only occupants may send to the room");
            }
            if (me.role == Muc.Role.VISITOR) {
                return reply(m, StanzaError.Condition.FORBIDDEN, "visitors have no voice in this moderated room");
            }
            XmlElement subject = m.child("subject", m.namespace());
            if (subject != null && m.child("body", m.namespace()) == null) {
                if (me.role != Muc.Role.MODERATOR && !s.config().changeSubject()) {
                    return reply(m, StanzaError.Condition.FORBIDDEN, "only moderators may change the subject");
                }
                String nick = me.nick;
                return Effect().persist(new RoomEvent.SubjectChanged(subject.text(), nick))
                        .thenRun(ns -> broadcastMessage(ns, me, m, false));
            }
            broadcastMessage(s, me, m, true);
            return Effect().none();
        }
        if (to.resource() != null) {
            return privateMessage(s, m, me, to.resource());
        }
        XmlElement x = m.child("x", Muc.USER);
        if (x != null && (x.child("invite", Muc.USER) != null || x.child("decline", Muc.USER) != null)) {
            return admin.invitation(s, m, from, me, x);
        }
        return reply(m, StanzaError.Condition.BAD_REQUEST, "send groupchat messages to the room, or an invitation");
    }

    /** Section 7.4: the message from room/nick to every occupant, the sender included; kept for history. */
    private void broadcastMessage(RoomState s, Occupants.Occupant sender, XmlElement m, boolean remember) {
        List<XmlNode> children = new ArrayList<>();
        for (XmlNode n : m.children()) {
            if (!(n instanceof XmlElement e && e.namespace().equals(Muc.OCCUPANT_ID))) {
                children.add(n);
            }
        }
        children.add(occupantId(s, sender));
        XmlElement out = m.withChildren(children).withAttr("from", room.withResource(sender.nick).toString()).withAttr("to", null);
        if (remember && archive != null && s.config().persistent() && m.child("body", m.namespace()) != null) {
            out = archive.archive(room, room.withResource(sender.nick).toString(), out);
        }
        if (remember && m.child("body", m.namespace()) != null) {
            occupants.remember(out, clock.instant());
        }
        for (Occupants.Occupant o : occupants.all()) {
            send(out.withAttr("to", o.jid.toString()));
        }
    }

    /** Section 7.5: from one occupant to another, under the sender's room JID. */
    private EffectBuilder<RoomEvent, RoomState> privateMessage(RoomState s, XmlElement m, Occupants.Occupant me, String nick) {
        if (me == null) {
            return reply(m, StanzaError.Condition.NOT_ACCEPTABLE, "only occupants may send private messages");
        }
        Occupants.Occupant target = occupants.byNick(nick);
        if (target == null) {
            return reply(m, StanzaError.Condition.ITEM_NOT_FOUND, "no occupant has that nickname");
        }
        String pm = s.config().allowPm();
        boolean allowed = switch (pm) {
            case "none" -> false;
            case "moderators" -> me.role == Muc.Role.MODERATOR;
            case "participants" -> me.role != Muc.Role.VISITOR;
            default -> true;
        };
        if (!allowed) {
            return reply(m, StanzaError.Condition.FORBIDDEN, "private messages are not allowed here");
        }
        XmlElement out = m.withAttr("from", room.withResource(me.nick).toString()).withAttr("to", target.jid.toString());
        if (out.child("x", Muc.USER) == null) {
            out = out.withChild(XmlElement.of("x", Muc.USER));
        }
        send(out);
        return Effect().none();
    }

    // ---------------------------------------------------------------- iq

    private EffectBuilder<RoomEvent, RoomState> iq(RoomState s, XmlElement iq, Jid from, Jid to) {
        String type = iq.attr("type");
        boolean request = "get".equals(type) || "set".equals(type);
        Occupants.Occupant me = occupants.byJid(from);
        if (to.resource() != null) {
            if (!request) {
                // a reply from an occupant to another's request (section 7.7): back under its room JID
                Occupants.Occupant requester = occupants.byNick(to.resource());
                if (me != null && requester != null) {
                    send(iq.withAttr("from", room.withResource(me.nick).toString()).withAttr("to", requester.jid.toString()));
                }
                return Effect().none();
            }
            XmlElement payload = iq.elements().size() == 1 ? iq.elements().get(0) : null;
            if (payload != null && "get".equals(type) && payload.is("ping", PING) && (me == null || me.nick.equals(to.resource()))) {
                // XEP-0410 section 4: the room answers a self-ping itself
                return me == null ? reply(iq, StanzaError.Condition.NOT_ACCEPTABLE, "you are not joined under this nickname")
                        : result(iq, null);
            }
            if (me == null) {
                // section 6.7: a non-occupant's disco request to an occupant JID is a bad-request
                boolean disco = payload != null && (payload.is("query", RoomAdmin.DISCO_INFO) || payload.is("query", RoomAdmin.DISCO_ITEMS));
                return reply(iq, disco ? StanzaError.Condition.BAD_REQUEST : StanzaError.Condition.NOT_ACCEPTABLE,
                        "only occupants may query occupants");
            }
            Occupants.Occupant target = occupants.byNick(to.resource());
            if (target == null) {
                return reply(iq, StanzaError.Condition.ITEM_NOT_FOUND);
            }
            send(iq.withAttr("from", room.withResource(me.nick).toString()).withAttr("to", target.jid.toString()));
            return Effect().none();
        }
        if (!request) {
            return Effect().none();
        }
        XmlElement payload = iq.elements().size() == 1 ? iq.elements().get(0) : null;
        if (payload == null) {
            return reply(iq, StanzaError.Condition.BAD_REQUEST);
        }
        if (!exists(s)) {
            return reply(iq, StanzaError.Condition.ITEM_NOT_FOUND);
        }
        String ns = payload.namespace();
        if ("get".equals(type) && payload.is("query", RoomAdmin.DISCO_INFO) && payload.attr("node") == null) {
            return result(iq, admin.discoInfo(s));
        }
        if ("get".equals(type) && payload.is("query", RoomAdmin.DISCO_ITEMS)) {
            return result(iq, admin.discoItems(s, me));
        }
        if ("get".equals(type) && payload.is("ping", PING)) {
            return result(iq, null);
        }
        if (ns.equals(Muc.OWNER)) {
            return admin.owner(s, iq, from, payload);
        }
        if (ns.equals(Muc.ADMIN)) {
            return admin.admin(s, iq, from, me, payload);
        }
        if (ns.equals(MAM) && archive != null && s.config().persistent()) {
            // XEP-0313 on a room: members of a members-only room, anyone not banned from another
            Muc.Affiliation a = s.affiliation(from.bare().toString());
            if (a == Muc.Affiliation.OUTCAST || s.config().membersOnly() && a == Muc.Affiliation.NONE) {
                return reply(iq, StanzaError.Condition.FORBIDDEN, "only members read this room's archive");
            }
            archive.query(new org.kaiku.engine.module.IqHandler.Request(iq, payload, from, room,
                            org.kaiku.engine.module.IqHandler.Scope.ACCOUNT, this::send))
                    .whenComplete((answer, err) -> send(err != null
                            ? Stanzas.errorReply(iq, StanzaError.of(StanzaError.Condition.INTERNAL_SERVER_ERROR)) : answer));
            return Effect().none();
        }
        return reply(iq, StanzaError.Condition.SERVICE_UNAVAILABLE);
    }

    // ---------------------------------------------------------------- helpers

    void send(XmlElement stanza) {
        router.route(stanza);
    }

    EffectBuilder<RoomEvent, RoomState> result(XmlElement iq, XmlElement payload) {
        send(Stanzas.iqResult(iq, payload));
        return Effect().none();
    }

    EffectBuilder<RoomEvent, RoomState> reply(XmlElement stanza, StanzaError.Condition condition) {
        return reply(stanza, condition, null);
    }

    EffectBuilder<RoomEvent, RoomState> reply(XmlElement stanza, StanzaError.Condition condition, String text) {
        if (!Stanzas.isError(stanza)) {
            send(Stanzas.errorReply(stanza, StanzaError.of(condition, text)));
        }
        return Effect().none();
    }

    EffectBuilder<RoomEvent, RoomState> effectNone() {
        return Effect().none();
    }

    EffectBuilder<RoomEvent, RoomState> persist(List<RoomEvent> events) {
        return events.isEmpty() ? Effect().none() : Effect().persist(events);
    }

    RoomDirectory.Client directory() {
        return directory;
    }
}
