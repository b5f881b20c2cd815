package org.kaiku.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.X509TrustManager;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jivesoftware.smackx.muc.RoomInfo;
import org.jivesoftware.smackx.xdata.form.FillableForm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.kaiku.engine.testing.XmppTestClients;

/**
 * Multi-User Chat rooms survive restarts of their node (XEP-0045 with a real node in its own
 * process and its own Cassandra): a persistent members-only room configured with Smack keeps its
 * name, configuration, members and subject over a clean restart (SIGTERM), and a ban acknowledged
 * just before a crash (SIGKILL) is still in force after it, since a room answers an affiliation
 * change only once its journal write is acknowledged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MucRestartTest {
    private final Path work = Path.of("target", "e2e-muc-" + System.nanoTime()).toAbsolutePath();
    private final Path dataDir = work.resolve("data");
    private final Path log = work.resolve("server.log");
    private final List<ServerProcess> started = new ArrayList<>();

    @AfterAll
    void cleanUp() throws Exception {
        ServerProcess.cleanUp(started, dataDir);
    }

    @Test
    void persistentRoomSurvivesRestartAndCrash() throws Exception {
        Files.createDirectories(work);
        ServerProcess.Ports ports = ServerProcess.Ports.free();
        ServerProcess first = start(ports);
        X509TrustManager trust = XmppTestClients.trustNode(dataDir.resolve("tls/localhost.p12"), "changeit");
        for (String user : new String[] {"alice", "bob", "carol"}) {
            assertThat(first.cli(dataDir, "user", "add", user + "@localhost", user + "-secret")).isZero();
        }
        EntityBareJid room = JidCreate.entityBareFrom("council@conference.localhost");

        XMPPTCPConnection alice = XmppTestClients.smack(first.c2sPort, "alice", "alice-secret", "desk", trust);
        alice.connect().login();
        MultiUserChat a = MultiUserChatManager.getInstanceFor(alice).getMultiUserChat(room);
        a.create(Resourcepart.from("Alice"));
        FillableForm form = a.getConfigurationForm().getFillableForm();
        form.setAnswer("muc#roomconfig_persistentroom", true);
        form.setAnswer("muc#roomconfig_membersonly", true);
        form.setAnswer("muc#roomconfig_roomname", "The Council");
        a.sendConfigurationForm(form);
        a.grantMembership(JidCreate.bareFrom("bob@localhost"));
        a.changeSubject("Agenda");
        alice.disconnect();

        // clean restart
        assertThat(first.terminate()).isIn(0, 143);
        ServerProcess second = start(ports);
        XMPPTCPConnection bob = XmppTestClients.smack(second.c2sPort, "bob", "bob-secret", "phone", trust);
        XMPPTCPConnection carol = XmppTestClients.smack(second.c2sPort, "carol", "carol-secret", "laptop", trust);
        bob.connect().login();
        carol.connect().login();
        RoomInfo info = MultiUserChatManager.getInstanceFor(carol).getRoomInfo(room);
        assertThat(info.isPersistent()).isTrue();
        assertThat(info.isMembersOnly()).isTrue();
        assertThat(info.getName()).isEqualTo("The Council");
        assertThat(info.getSubject()).isEqualTo("Agenda");
        assertThat(MultiUserChatManager.getInstanceFor(carol).getRoomsHostedBy(JidCreate.domainBareFrom("conference.localhost")))
                .containsKey(room);
        // membership kept: bob enters the members-only room, carol may not
        MultiUserChat b = MultiUserChatManager.getInstanceFor(bob).getMultiUserChat(room);
        b.join(Resourcepart.from("Bob"));
        assertThat(errorOf(() -> MultiUserChatManager.getInstanceFor(carol).getMultiUserChat(room).join(Resourcepart.from("Carol"))))
                .isEqualTo(StanzaError.Condition.registration_required);
        b.leave();
        bob.disconnect();
        carol.disconnect();

        // ownership kept: alice bans bob, and the ban survives a crash right after its answer
        alice = XmppTestClients.smack(second.c2sPort, "alice", "alice-secret", "desk", trust);
        alice.connect().login();
        a = MultiUserChatManager.getInstanceFor(alice).getMultiUserChat(room);
        a.join(Resourcepart.from("Alice"));
        a.banUser(JidCreate.bareFrom("bob@localhost"), "crash test");
        second.kill();
        try (ServerProcess third = start(ports)) {
            XMPPTCPConnection bob2 = XmppTestClients.smack(third.c2sPort, "bob", "bob-secret", "phone", trust);
            bob2.connect().login();
            try {
                assertThat(errorOf(() -> MultiUserChatManager.getInstanceFor(bob2).getMultiUserChat(room).join(Resourcepart.from("Bob"))))
                        .isEqualTo(StanzaError.Condition.forbidden);
            } finally {
                bob2.disconnect();
            }
            assertThat(third.terminate()).isIn(0, 143);
        }
    }

    private interface Call {
        void run() throws Exception;
    }

    private static StanzaError.Condition errorOf(Call call) throws Exception {
        try {
            call.run();
            return null;
        } catch (XMPPException.XMPPErrorException e) {
            return e.getStanzaError().getCondition();
        }
    }

    private ServerProcess start(ServerProcess.Ports ports) throws Exception {
        ServerProcess p = ServerProcess.start(dataDir, ports, log);
        started.add(p);
        return p;
    }
}
