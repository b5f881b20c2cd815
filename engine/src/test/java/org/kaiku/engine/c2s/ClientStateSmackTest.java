package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.chatstates.ChatState;
import org.jivesoftware.smackx.chatstates.packet.ChatStateExtension;
import org.jivesoftware.smackx.csi.ClientStateIndicationManager;
import org.jivesoftware.smackx.ping.PingManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.EntityFullJid;
import org.jxmpp.jid.impl.JidCreate;
import org.kaiku.engine.testing.XmppTestClients;

/**
 * XEP-0352 with Smack's ClientStateIndicationManager: Alice's phone goes inactive while her
 * contact Bob changes his status three times and types; she gets none of it until Bob's message
 * with a body arrives, and then only his newest status and chat state, before the message.
 *
 * <p>Why the order is certain: Bob's presence reaches Alice's account entity from his own entity,
 * which routes it before it reflects the presence back to Bob; Bob waits for that reflection
 * before he writes. His chat states and his message go to Alice's entity the same way, one after
 * the other, and her entity hands everything to her session in the order it came.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientStateSmackTest {
    @TempDir
    static Path dataDir;
    private EngineNode node;

    @BeforeAll
    void start() throws Exception {
        node = new EngineNode(dataDir, Map.of());
        node.addUser("alice@localhost", "alice-secret");
        node.addUser("bob@localhost", "bob-secret");
    }

    @AfterAll
    void stop() throws Exception {
        node.close();
    }

    @Test
    void anInactivePhoneGetsOnlyTheNewestStatusAndChatStateAndThemBeforeTheMessage() throws Exception {
        XMPPTCPConnection phone = node.smack("alice", "alice-secret", "phone");
        XMPPTCPConnection bob = node.smack("bob", "bob-secret", "laptop");
        BareJid bobJid = JidCreate.bareFrom("bob@localhost");
        EntityFullJid alicePhone = JidCreate.entityFullFrom("alice@localhost/phone");
        List<String> phoneGot = Collections.synchronizedList(new ArrayList<>());
        List<String> bobEcho = Collections.synchronizedList(new ArrayList<>());
        try {
            phone.connect().login();
            bob.connect().login();
            XmppTestClients.befriend(phone, bob);

            phone.addSyncStanzaListener(st -> phoneGot.add(describe(st)),
                    st -> st.getFrom() != null && st.getFrom().asBareJid().equals(bobJid));
            bob.addSyncStanzaListener(st -> bobEcho.add(((Presence) st).getStatus()),
                    st -> st instanceof Presence p && p.getFrom() != null && p.getFrom().equals(bob.getUser()));

            assertThat(ClientStateIndicationManager.isSupported(phone)).isTrue();
            ClientStateIndicationManager.inactive(phone);
            // the nonza is handled before the ping that follows it (XEP-0352 section 6)
            assertThat(PingManager.getInstanceFor(phone).pingMyServer()).isTrue();
            phoneGot.clear();

            for (String status : List.of("s1", "s2", "s3")) {
                bob.sendStanza(bob.getStanzaFactory().buildPresenceStanza().setStatus(status).build());
            }
            XmppTestClients.await("bob's own s3", () -> bobEcho.contains("s3"));
            bob.sendStanza(chatState(bob, alicePhone, ChatState.composing));
            bob.sendStanza(chatState(bob, alicePhone, ChatState.paused));
            bob.sendStanza(XmppTestClients.chat(bob, alicePhone, "hello"));

            XmppTestClients.await("bob's message", () -> phoneGot.contains("message hello"));
            assertThat(phoneGot).containsExactly("presence s3", "chatstate paused", "message hello");
        } finally {
            phone.disconnect();
            bob.disconnect();
        }
    }

    @Test
    void goingActiveDeliversWhatWasHeld() throws Exception {
        XMPPTCPConnection phone = node.smack("alice", "alice-secret", "tablet");
        XMPPTCPConnection bob = node.smack("bob", "bob-secret", "desk");
        List<String> phoneGot = Collections.synchronizedList(new ArrayList<>());
        List<String> bobEcho = Collections.synchronizedList(new ArrayList<>());
        try {
            phone.connect().login();
            bob.connect().login();
            XmppTestClients.befriend(phone, bob);
            phone.addSyncStanzaListener(st -> phoneGot.add(describe(st)),
                    st -> st.getFrom() != null && st.getFrom().equals(bob.getUser()));
            bob.addSyncStanzaListener(st -> bobEcho.add(((Presence) st).getStatus()),
                    st -> st instanceof Presence p && p.getFrom() != null && p.getFrom().equals(bob.getUser()));

            ClientStateIndicationManager.inactive(phone);
            assertThat(PingManager.getInstanceFor(phone).pingMyServer()).isTrue();
            phoneGot.clear();
            bob.sendStanza(bob.getStanzaFactory().buildPresenceStanza().setStatus("away for lunch").build());
            XmppTestClients.await("bob's own status", () -> bobEcho.contains("away for lunch"));
            // nothing but going active can release it now: no other stanza is on its way
            ClientStateIndicationManager.active(phone);
            XmppTestClients.await("the held status", () -> phoneGot.contains("presence away for lunch"));
            assertThat(phoneGot).containsExactly("presence away for lunch");
        } finally {
            phone.disconnect();
            bob.disconnect();
        }
    }

    private static Message chatState(XMPPTCPConnection from, EntityFullJid to, ChatState state) {
        return from.getStanzaFactory().buildMessageStanza().to(to).ofType(Message.Type.chat)
                .addExtension(new ChatStateExtension(state)).build();
    }

    private static String describe(Stanza st) {
        if (st instanceof Presence p) {
            return "presence " + p.getStatus();
        }
        Message m = (Message) st;
        if (m.getBody() != null) {
            return "message " + m.getBody();
        }
        org.jivesoftware.smack.packet.XmlElement cs = m.getExtension(ChatStateExtension.NAMESPACE);
        return cs != null ? "chatstate " + cs.getElementName() : "message without body";
    }
}
