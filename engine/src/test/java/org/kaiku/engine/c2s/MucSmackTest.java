package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kaiku.engine.testing.XmppTestClients.await;
import static org.kaiku.engine.testing.XmppTestClients.errorCondition;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.jivesoftware.smack.StanzaCollector;
import org.jivesoftware.smack.filter.AndFilter;
import org.jivesoftware.smack.filter.FromMatchesFilter;
import org.jivesoftware.smack.filter.MessageTypeFilter;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StanzaError.Condition;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.delay.packet.DelayInformation;
import org.jivesoftware.smackx.muc.MUCRole;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jivesoftware.smackx.muc.RoomInfo;
import org.jivesoftware.smackx.muc.UserStatusListener;
import org.jivesoftware.smackx.muc.packet.MUCUser;
import org.jivesoftware.smackx.ping.packet.Ping;
import org.jivesoftware.smackx.xdata.form.FillableForm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.DomainBareJid;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.kaiku.engine.muc.RoomEntity;

/**
 * XEP-0045 with Smack's MultiUserChatManager, three users on one node: the service in disco,
 * instant and reserved rooms, nickname conflicts, groupchat with XEP-0421 occupant ids, history
 * on join, the subject, private messages, password and members-only rooms, moderation (voice,
 * kick, ban), the XEP-0410 self-ping, mediated invitations, destruction, temporary rooms
 * vanishing, and a persistent room that keeps its configuration, affiliations and subject when
 * its entity stops and is recovered from the journal, with its archive (XEP-0313 on the room).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MucSmackTest {
    private static final String OCCUPANT_ID = "urn:xmpp:occupant-id:0";
    @TempDir
    static Path dataDir;
    private EngineNode node;
    private XMPPTCPConnection alice;
    private XMPPTCPConnection bob;
    private XMPPTCPConnection carol;
    private DomainBareJid service;

    @BeforeAll
    void start() throws Exception {
        node = new EngineNode(dataDir, Map.of("kaiku.muc.empty-room-idle", "1s"));
        node.addUser("alice@localhost", "alice-secret");
        node.addUser("bob@localhost", "bob-secret");
        node.addUser("carol@localhost", "carol-secret");
        alice = node.smack("alice", "alice-secret", "desk");
        bob = node.smack("bob", "bob-secret", "phone");
        carol = node.smack("carol", "carol-secret", "laptop");
        alice.connect().login();
        bob.connect().login();
        carol.connect().login();
        service = JidCreate.domainBareFrom("conference.localhost");
    }

    @AfterAll
    void stop() throws Exception {
        for (XMPPTCPConnection c : new XMPPTCPConnection[] {alice, bob, carol}) {
            if (c != null) {
                c.disconnect();
            }
        }
        node.close();
    }

    private static EntityBareJid room(String name) throws Exception {
        return JidCreate.entityBareFrom(name + "@conference.localhost");
    }

    private static Resourcepart nick(String n) throws Exception {
        return Resourcepart.from(n);
    }

    private MultiUserChat muc(XMPPTCPConnection c, String name) throws Exception {
        return MultiUserChatManager.getInstanceFor(c).getMultiUserChat(room(name));
    }

    @Test
    void instantRoomCarriesGroupchatHistorySubjectAndPrivateMessages() throws Exception {
        MultiUserChatManager am = MultiUserChatManager.getInstanceFor(alice);
        assertThat(am.getMucServiceDomains()).contains(service);

        MultiUserChat a = muc(alice, "lounge");
        a.create(nick("Alice")).makeInstant();
        MultiUserChat b = muc(bob, "lounge");
        b.join(nick("Bob"));
        await("alice sees bob", () -> a.getOccupants().size() == 2);
        // Bob's nick is taken (section 7.2.9): conflict, and nobody else is affected
        MultiUserChat c = muc(carol, "lounge");
        assertThat(errorCondition(() -> c.join(nick("Bob")))).isEqualTo(Condition.conflict);
        assertThat(a.getOccupants()).hasSize(2);

        a.sendMessage("hello all");
        Message atBob = nextWithBody(b);
        Message atAlice = nextWithBody(a);
        assertThat(atBob.getBody()).isEqualTo("hello all");
        assertThat(atBob.getFrom().toString()).isEqualTo("lounge@conference.localhost/Alice");
        assertThat(atBob.getExtensionElement("occupant-id", OCCUPANT_ID)).isNotNull();
        assertThat(atAlice.getExtensionElement("occupant-id", OCCUPANT_ID).toXML().toString())
                .isEqualTo(atBob.getExtensionElement("occupant-id", OCCUPANT_ID).toXML().toString());

        // history on join (section 7.2.15), stamped by the room
        c.join(nick("Carol"));
        Message history = nextWithBody(c);
        assertThat(history.getBody()).isEqualTo("hello all");
        DelayInformation delay = history.getExtension(DelayInformation.class);
        assertThat(delay).isNotNull();
        assertThat(delay.getFrom()).isEqualTo("lounge@conference.localhost");

        // subject (section 8.1): only a moderator may change it by default
        a.changeSubject("Plans");
        await("bob sees the subject", () -> "Plans".equals(b.getSubject()));
        assertThat(errorCondition(() -> b.changeSubject("Mine"))).isEqualTo(Condition.forbidden);

        // a private message (section 7.5) arrives from the sender's room JID
        Jid bobInRoom = JidCreate.from("lounge@conference.localhost/Bob");
        try (StanzaCollector pm = carol.createStanzaCollector(new AndFilter(MessageTypeFilter.CHAT,
                FromMatchesFilter.createFull(bobInRoom)))) {
            bob.sendStanza(bob.getStanzaFactory().buildMessageStanza().to(JidCreate.from("lounge@conference.localhost/Carol"))
                    .ofType(Message.Type.chat).setBody("psst").build());
            Message got = pm.nextResultOrThrow(20_000);
            assertThat(got.getBody()).isEqualTo("psst");
        }

        // disco: the room's information and the service's public rooms
        RoomInfo info = am.getRoomInfo(room("lounge"));
        assertThat(info.isPersistent()).isFalse();
        assertThat(info.getSubject()).isEqualTo("Plans");
        assertThat(info.getOccupantsCount()).isEqualTo(3);
        assertThat(am.getRoomsHostedBy(service)).containsKey(room("lounge"));

        // the last one out ends a temporary room
        c.leave();
        b.leave();
        await("alice is alone", () -> a.getOccupants().size() == 1);
        a.leave();
        assertThat(errorCondition(() -> am.getRoomInfo(room("lounge")))).isEqualTo(Condition.item_not_found);
    }

    @Test
    void reservedRoomIsLockedThenEnforcesPasswordAndMembership() throws Exception {
        MultiUserChat a = muc(alice, "secret");
        MultiUserChat.MucCreateConfigFormHandle handle = a.create(nick("Alice"));
        MultiUserChat b = muc(bob, "secret");
        // section 10.1.1: nobody else enters until the owner configured the room
        assertThat(errorCondition(() -> b.join(nick("Bob")))).isEqualTo(Condition.item_not_found);
        handle.getConfigFormManager().setRoomName("Secret place").setAndEnablePassword("sesame").submitConfigurationForm();

        assertThat(errorCondition(() -> b.join(nick("Bob")))).isEqualTo(Condition.not_authorized);
        b.join(nick("Bob"), "sesame");
        assertThat(MultiUserChatManager.getInstanceFor(bob).getRoomInfo(room("secret")).getName()).isEqualTo("Secret place");
        b.leave();

        a.getConfigFormManager().makeMembersOnly().submitConfigurationForm();
        assertThat(errorCondition(() -> b.join(nick("Bob"), "sesame"))).isEqualTo(Condition.registration_required);
        a.grantMembership(JidCreate.bareFrom("bob@localhost"));
        assertThat(a.getMembers()).anyMatch(m -> m.getJid().toString().equals("bob@localhost"));
        b.join(nick("Bob"), "sesame");
        b.leave();
        a.leave();
    }

    @Test
    void moderatorGrantsVoiceKicksAndBans() throws Exception {
        MultiUserChat a = muc(alice, "stage");
        a.create(nick("Alice")).getConfigFormManager().makeModerated().submitConfigurationForm();
        MultiUserChat b = muc(bob, "stage");
        b.join(nick("Bob"));
        Jid bobInRoom = JidCreate.from("stage@conference.localhost/Bob");
        await("bob is a visitor", () -> a.getOccupant(bobInRoom.asEntityFullJidIfPossible()) != null
                && a.getOccupant(bobInRoom.asEntityFullJidIfPossible()).getRole() == MUCRole.visitor);

        // a visitor has no voice in a moderated room (section 7.4): forbidden
        try (StanzaCollector errors = bob.createStanzaCollector(new AndFilter(MessageTypeFilter.ERROR,
                FromMatchesFilter.createBare(room("stage"))))) {
            b.sendMessage("can you hear me");
            Message error = errors.nextResult(20_000);
            assertThat(error.getError().getCondition()).isEqualTo(Condition.forbidden);
        }
        a.grantVoice(nick("Bob"));
        await("bob has voice", () -> a.getOccupant(bobInRoom.asEntityFullJidIfPossible()).getRole() == MUCRole.participant);
        b.sendMessage("now you hear me");
        assertThat(nextWithBody(a).getBody()).isEqualTo("now you hear me");

        // kick (section 8.2): carol is removed with 307
        MultiUserChat c = muc(carol, "stage");
        c.join(nick("Carol"));
        CompletableFuture<String> kicked = new CompletableFuture<>();
        c.addUserStatusListener(new UserStatusListener() {
            @Override
            public void kicked(Jid actor, String reason) {
                kicked.complete(reason);
            }
        });
        // a participant may not kick (section 8.2: only moderators)
        assertThat(errorCondition(() -> b.kickParticipant(nick("Carol"), "no"))).isEqualTo(Condition.forbidden);
        a.kickParticipant(nick("Carol"), "flooding");
        assertThat(kicked.get(20, TimeUnit.SECONDS)).isEqualTo("flooding");

        // ban (section 9.1): bob is removed with 301 and cannot come back
        CompletableFuture<String> banned = new CompletableFuture<>();
        b.addUserStatusListener(new UserStatusListener() {
            @Override
            public void banned(Jid actor, String reason) {
                banned.complete(reason);
            }
        });
        a.banUser(JidCreate.bareFrom("bob@localhost"), "enough");
        assertThat(banned.get(20, TimeUnit.SECONDS)).isEqualTo("enough");
        assertThat(a.getOutcasts()).anyMatch(o -> o.getJid().toString().equals("bob@localhost"));
        assertThat(errorCondition(() -> b.join(nick("Bobby")))).isEqualTo(Condition.forbidden);
        // the last owner cannot be removed (section 10.6)
        assertThat(errorCondition(() -> a.revokeOwnership(JidCreate.bareFrom("alice@localhost")))).isEqualTo(Condition.conflict);
        a.leave();
    }

    @Test
    void selfPingInvitationsAndDestruction() throws Exception {
        MultiUserChat a = muc(alice, "party");
        a.create(nick("Alice")).makeInstant();
        MultiUserChat b = muc(bob, "party");
        b.join(nick("Bob"));

        // XEP-0410: the room answers a self-ping itself; not-acceptable for a nick one does not hold
        Ping self = new Ping(JidCreate.from("party@conference.localhost/Bob"));
        assertThat(bob.sendIqRequestAndWaitForResponse(self).getType()).isEqualTo(IQ.Type.result);
        assertThat(errorCondition(() -> carol.sendIqRequestAndWaitForResponse(new Ping(JidCreate.from("party@conference.localhost/Bob")))))
                .isEqualTo(Condition.not_acceptable);

        // mediated invitation (section 7.8.2): sent by the room, naming the inviter
        CompletableFuture<MUCUser.Invite> invited = new CompletableFuture<>();
        CompletableFuture<EntityBareJid> invitedTo = new CompletableFuture<>();
        MultiUserChatManager.getInstanceFor(carol).addInvitationListener((conn, room, inviter, reason, password, message, invite) -> {
            invitedTo.complete(room.getRoom());
            invited.complete(invite);
        });
        a.invite(JidCreate.entityBareFrom("carol@localhost"), "come along");
        assertThat(invitedTo.get(20, TimeUnit.SECONDS).toString()).isEqualTo("party@conference.localhost");
        assertThat(invited.get(20, TimeUnit.SECONDS).getReason()).isEqualTo("come along");
        assertThat(invited.get().getFrom().toString()).isEqualTo("alice@localhost");

        // destruction (section 10.9): occupants are told, the room is gone
        CompletableFuture<String> destroyed = new CompletableFuture<>();
        b.addUserStatusListener(new UserStatusListener() {
            @Override
            public void roomDestroyed(MultiUserChat alternate, String password, String reason) {
                destroyed.complete(reason);
            }
        });
        assertThat(errorCondition(() -> b.destroy("mine now", null))).isEqualTo(Condition.forbidden);
        a.destroy("party is over", null);
        assertThat(destroyed.get(20, TimeUnit.SECONDS)).isEqualTo("party is over");
        assertThat(errorCondition(() -> MultiUserChatManager.getInstanceFor(carol).getRoomInfo(room("party"))))
                .isEqualTo(Condition.item_not_found);
    }

    @Test
    void persistentRoomKeepsConfigurationAffiliationsAndSubjectWhenItsEntityStops() throws Exception {
        MultiUserChat a = muc(alice, "kept");
        MultiUserChat.MucCreateConfigFormHandle handle = a.create(nick("Alice"));
        FillableForm form = a.getConfigurationForm().getFillableForm();
        form.setAnswer("muc#roomconfig_persistentroom", true);
        form.setAnswer("muc#roomconfig_roomname", "Kept room");
        a.sendConfigurationForm(form);
        a.grantMembership(JidCreate.bareFrom("bob@localhost"));
        a.changeSubject("Remember me");
        a.sendMessage("said before the stop");
        nextWithBody(a);
        a.leave();

        // the empty room passivates itself (kaiku.muc.empty-room-idle = 1s); its next stanza recovers it
        await("the room's entity stopped", () -> !roomEntityAlive("kept@conference.localhost"));

        RoomInfo info = MultiUserChatManager.getInstanceFor(bob).getRoomInfo(room("kept"));
        assertThat(info.isPersistent()).isTrue();
        assertThat(info.getName()).isEqualTo("Kept room");
        assertThat(info.getSubject()).isEqualTo("Remember me");
        assertThat(MultiUserChatManager.getInstanceFor(bob).getRoomsHostedBy(service)).containsKey(room("kept"));
        a.join(nick("Alice"));
        assertThat(a.getMembers()).anyMatch(m -> m.getJid().toString().equals("bob@localhost"));
        await("the subject after the join", () -> "Remember me".equals(a.getSubject()));
        // history is in memory only: none after the restart (it would have come before the subject)
        for (Message m = a.pollMessage(); m != null; m = a.pollMessage()) {
            assertThat(m.getBody()).isNull();
        }
        // the room's archive (XEP-0313 on the room's JID) has it, with the room's stanza id
        org.jivesoftware.smackx.mam.MamManager mam = org.jivesoftware.smackx.mam.MamManager.getInstanceFor(a);
        assertThat(mam.isSupported()).isTrue();
        java.util.List<Message> archived = mam.queryArchive(org.jivesoftware.smackx.mam.MamManager.MamQueryArgs.builder()
                .setResultPageSizeTo(10).queryLastPage().build()).getMessages();
        assertThat(archived).extracting(Message::getBody).containsExactly("said before the stop");
        assertThat(archived.get(0).getFrom().toString()).isEqualTo("kept@conference.localhost/Alice");
        // a member-less stranger of a public room may read it too; a banned one may not
        a.banUser(JidCreate.bareFrom("carol@localhost"), "no archive for you");
        org.jivesoftware.smackx.mam.MamManager carolMam = org.jivesoftware.smackx.mam.MamManager.getInstanceFor(muc(carol, "kept"));
        assertThat(carolMam.isSupported()).isTrue();
        assertThat(errorCondition(() -> carolMam
                .queryArchive(org.jivesoftware.smackx.mam.MamManager.MamQueryArgs.builder().setResultPageSizeTo(10)
                        .queryLastPage().build()))).isEqualTo(Condition.forbidden);
        a.leave();
    }

    @Test
    void hostileStanzasGetTheXepsErrorsAndAffectNobody() throws Exception {
        MultiUserChat a = muc(alice, "fortress");
        a.create(nick("Alice")).makeInstant();
        // a message to a room that does not exist: item-not-found
        assertThat(errorReplyTo(carol, carol.getStanzaFactory().buildMessageStanza().to(JidCreate.from("nowhere@conference.localhost"))
                .ofType(Message.Type.groupchat).setBody("anyone?").build())).isEqualTo(Condition.item_not_found);
        // groupchat from someone who is not in the room: not-acceptable (section 7.4)
        assertThat(errorReplyTo(carol, carol.getStanzaFactory().buildMessageStanza().to(room("fortress"))
                .ofType(Message.Type.groupchat).setBody("let me in").build())).isEqualTo(Condition.not_acceptable);
        // a private message from outside the room: not-acceptable
        assertThat(errorReplyTo(carol, carol.getStanzaFactory().buildMessageStanza().to(JidCreate.from("fortress@conference.localhost/Alice"))
                .ofType(Message.Type.chat).setBody("psst").build())).isEqualTo(Condition.not_acceptable);
        // a join without a nickname: jid-malformed (section 7.2.1)
        assertThat(errorReplyTo(carol, carol.getStanzaFactory().buildPresenceStanza().to(room("fortress"))
                .addExtension(new org.jivesoftware.smackx.muc.packet.MUCInitialPresence(null, -1, -1, -1, null)).build()))
                .isEqualTo(Condition.jid_malformed);
        // the owner's form and the admin lists are not for others
        MultiUserChat c = muc(carol, "fortress");
        c.join(nick("Carol"));
        assertThat(errorCondition(c::getConfigurationForm)).isEqualTo(Condition.forbidden);
        assertThat(errorCondition(c::getOutcasts)).isEqualTo(Condition.forbidden);
        assertThat(errorCondition(() -> c.banUser(JidCreate.bareFrom("alice@localhost"), "coup"))).isEqualTo(Condition.forbidden);
        // nobody else noticed
        assertThat(a.getOccupants()).hasSize(2);
        a.sendMessage("still here");
        assertThat(nextWithBody(c).getBody()).isEqualTo("still here");
        c.leave();
        a.leave();
    }

    /** Two cases Smack's own server test suite found (docs/compliance.md). */
    @Test
    void nonOccupantDiscoIsABadRequestAndMaxUsersTakesAnyNumber() throws Exception {
        MultiUserChat a = muc(alice, "small");
        a.create(nick("Alice")).makeInstant();
        FillableForm form = a.getConfigurationForm().getFillableForm();
        // not one of the sizes the form offers: taken as asked (section 10.2 only suggests sizes)
        form.setAnswer("muc#roomconfig_maxusers", 2);
        a.sendConfigurationForm(form);
        MultiUserChat b = muc(bob, "small");
        b.join(nick("Bob"));
        MultiUserChat c = muc(carol, "small");
        // section 7.2.10: a room at its maximum refuses a third occupant with service-unavailable
        assertThat(errorCondition(() -> c.join(nick("Carol")))).isEqualTo(Condition.service_unavailable);
        // section 6.7: disco of an occupant JID by a non-occupant is a bad-request
        org.jivesoftware.smackx.disco.ServiceDiscoveryManager disco = org.jivesoftware.smackx.disco.ServiceDiscoveryManager.getInstanceFor(carol);
        assertThat(errorCondition(() -> disco.discoverItems(JidCreate.from("small@conference.localhost/Alice"))))
                .isEqualTo(Condition.bad_request);
        b.leave();
        a.destroy("done", null);
    }

    @Test
    void nickChangesAndAClosedSessionLeavesTheRoom() throws Exception {
        MultiUserChat a = muc(alice, "corner");
        a.create(nick("Alice")).makeInstant();
        XMPPTCPConnection tablet = node.smack("carol", "carol-secret", "tablet");
        tablet.connect().login();
        MultiUserChat t = MultiUserChatManager.getInstanceFor(tablet).getMultiUserChat(room("corner"));
        t.join(nick("Tablet"));
        await("alice sees the tablet", () -> a.getOccupants().size() == 2);
        // section 7.6: a nick change; a taken nick is a conflict
        assertThat(errorCondition(() -> t.changeNickname(nick("Alice")))).isEqualTo(Condition.conflict);
        t.changeNickname(nick("Slate"));
        await("alice sees the new nick", () -> a.getOccupants().stream().anyMatch(j -> j.toString().endsWith("/Slate"))
                && a.getOccupants().size() == 2);
        // the session ends without leaving: the server's unavailable presence (RFC 6121 4.6.3) removes it
        tablet.disconnect();
        await("the tablet is gone", () -> a.getOccupants().size() == 1);
        a.leave();
    }

    /** Sends a stanza and returns the condition of the error it is answered with. */
    private static Condition errorReplyTo(XMPPTCPConnection c, org.jivesoftware.smack.packet.Stanza stanza) throws Exception {
        org.jivesoftware.smack.filter.StanzaFilter filter = new AndFilter(FromMatchesFilter.createFull(stanza.getTo()),
                s -> s.getError() != null);
        try (StanzaCollector errors = c.createStanzaCollector(filter)) {
            c.sendStanza(stanza);
            org.jivesoftware.smack.packet.Stanza reply = errors.nextResult(20_000);
            assertThat((Object) reply).as("an error reply to %s", stanza).isNotNull();
            return reply.getError().getCondition();
        }
    }

    /** The next groupchat message with a body (the subject message of a join has none). */
    private static Message nextWithBody(MultiUserChat muc) throws Exception {
        while (true) {
            Message m = muc.nextMessage(20_000);
            assertThat((Object) m).as("a groupchat message").isNotNull();
            if (m.getBody() != null) {
                return m;
            }
        }
    }

    private boolean roomEntityAlive(String id) {
        TestProbe<ShardRegion.CurrentShardRegionState> probe = node.testKit.createTestProbe(ShardRegion.CurrentShardRegionState.class);
        ClusterSharding.get(node.testKit.system()).shardState().tell(new GetShardRegionState(RoomEntity.ENTITY_KEY, probe.getRef()));
        ShardRegion.CurrentShardRegionState state = probe.receiveMessage(Duration.ofSeconds(20));
        return state.getShards().stream().anyMatch(s -> s.getEntityIds().contains(id));
    }
}
