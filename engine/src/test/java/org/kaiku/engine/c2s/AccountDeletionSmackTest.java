package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jivesoftware.smack.ConnectionListener;
import org.jivesoftware.smack.SmackException;
import org.jivesoftware.smack.StanzaCollector;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.filter.AndFilter;
import org.jivesoftware.smack.filter.MessageTypeFilter;
import org.jivesoftware.smack.filter.StanzaIdFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.packet.StreamError;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.roster.RosterEntry;
import org.jivesoftware.smack.roster.packet.RosterPacket;
import org.jivesoftware.smack.sasl.SASLErrorException;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.commands.AdHocCommand;
import org.jivesoftware.smackx.commands.AdHocCommandManager;
import org.jivesoftware.smackx.commands.AdHocCommandNote;
import org.jivesoftware.smackx.commands.AdHocCommandResult;
import org.jivesoftware.smackx.iqregister.AccountManager;
import org.jivesoftware.smackx.vcardtemp.VCardManager;
import org.jivesoftware.smackx.vcardtemp.packet.VCard;
import org.jivesoftware.smackx.xdata.form.FillableForm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.kaiku.engine.storage.ArchiveId;
import org.kaiku.engine.storage.ArchiveStore;
import org.kaiku.engine.storage.InMemoryOfflineStore;
import org.kaiku.engine.testing.XmppTestClients;

/**
 * Deleting an account, as a user does it in-band (XEP-0077 section 3.2, Smack's AccountManager)
 * and as an admin does it (XEP-0133 delete-user): the sessions end with not-authorized, the
 * contacts lose their subscriptions, and nothing of the account is left for a later account of
 * the same name: no roster, no offline messages, no archive, no vCard, no credentials.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccountDeletionSmackTest {
    @TempDir
    static Path dataDir;
    private EngineNode node;

    @BeforeAll
    void start() throws Exception {
        node = new EngineNode(dataDir, Map.of("kaiku.admins", List.of("admin@localhost")));
        node.addUser("admin@localhost", "admin-secret");
        node.addUser("alice@localhost", "alice-secret");
        node.addUser("bob@localhost", "bob-secret");
        node.addUser("dave@localhost", "dave-secret");
    }

    @AfterAll
    void stop() throws Exception {
        node.close();
    }

    @Test
    void aUserRemovesTheirAccountInBandAndANewAccountOfTheSameNameStartsEmpty() throws Exception {
        XMPPTCPConnection alice = node.smack("alice", "alice-secret", "phone");
        XMPPTCPConnection bob = node.smack("bob", "bob-secret", "laptop");
        BareJid aliceJid = JidCreate.bareFrom("alice@localhost");
        BareJid bobJid = JidCreate.bareFrom("bob@localhost");
        List<Exception> closedWith = new CopyOnWriteArrayList<>();
        try {
            alice.connect().login();
            bob.connect().login();
            XmppTestClients.befriend(alice, bob);
            Roster aliceRoster = Roster.getInstanceFor(alice);
            Roster bobRoster = Roster.getInstanceFor(bob);
            XmppTestClients.await("both subscribed", () -> type(bobRoster, aliceJid) == RosterPacket.ItemType.both
                    && type(aliceRoster, bobJid) == RosterPacket.ItemType.both);
            VCard card = new VCard();
            card.setFirstName("Alice");
            VCardManager.getInstanceFor(alice).saveVCard(card);
            bob.sendStanza(XmppTestClients.chat(bob, alice.getUser(), "archived for alice"));
            XmppTestClients.await("alice's archive", () -> archived("alice@localhost") > 0);

            alice.addConnectionListener(new ConnectionListener() {
                @Override
                public void connectionClosedOnError(Exception e) {
                    closedWith.add(e);
                }
            });
            // The server writes the iq result, then the stream error. Smack's waiting thread may
            // meet the closed connection before it picks up the result, so either is accepted
            // here; the stream error and the erasure below are what must hold.
            try {
                AccountManager.getInstance(alice).deleteAccount();
            } catch (SmackException.NotConnectedException e) {
                assertThat(e).hasMessageContaining("not-authorized");
            }
            XmppTestClients.await("alice's stream closed", () -> !closedWith.isEmpty());
            assertThat(closedWith.get(0)).isInstanceOf(XMPPException.StreamErrorException.class);
            assertThat(((XMPPException.StreamErrorException) closedWith.get(0)).getStreamError().getCondition())
                    .isEqualTo(StreamError.Condition.not_authorized);

            // Bob's subscriptions with Alice are cancelled both ways, and he sees her leave
            XmppTestClients.await("bob's roster item for alice", () -> type(bobRoster, aliceJid) == RosterPacket.ItemType.none);
            assertThat(bobRoster.getPresence(aliceJid).isAvailable()).isFalse();

            assertThat(archived("alice@localhost")).isZero();
            assertThat(node.stores.accountData().get("alice@localhost", VCardManager.NAMESPACE).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS)).isEmpty();
            XMPPTCPConnection gone = node.smack("alice", "alice-secret", "again");
            assertThatThrownBy(() -> gone.connect().login()).isInstanceOf(SASLErrorException.class);
            gone.disconnect();

            node.addUser("alice@localhost", "new-secret");
            XMPPTCPConnection fresh = node.smack("alice", "new-secret", "fresh");
            try {
                fresh.connect().login();
                Roster freshRoster = Roster.getInstanceFor(fresh);
                freshRoster.reloadAndWait();
                assertThat(freshRoster.getEntries()).isEmpty();
                assertThat(VCardManager.getInstanceFor(fresh).loadVCard().getFirstName()).isNull();
            } finally {
                fresh.disconnect();
            }
        } finally {
            alice.disconnect();
            bob.disconnect();
        }
    }

    @Test
    void anAdminDeletesAnOfflineUserWithStoredMessages() throws Exception {
        XMPPTCPConnection admin = node.smack("admin", "admin-secret", "console");
        XMPPTCPConnection bob = node.smack("bob", "bob-secret", "desk");
        InMemoryOfflineStore offline = (InMemoryOfflineStore) node.stores.offline();
        try {
            admin.connect().login();
            bob.connect().login();
            bob.sendStanza(XmppTestClients.chat(bob, JidCreate.entityBareFrom("dave@localhost"), "for later"));
            XmppTestClients.await("dave's offline message", () -> offline.size("dave@localhost") == 1);

            AdHocCommand delete = AdHocCommandManager.getInstance(admin)
                    .getRemoteCommand(JidCreate.domainBareFrom("localhost"), "http://jabber.org/protocol/admin#delete-user");
            FillableForm form = delete.execute().asExecutingOrThrow().getFillableForm();
            form.setAnswer("accountjids", List.of("dave@localhost", "nobody@localhost"));
            AdHocCommandResult done = delete.complete(form.getSubmitForm());
            assertThat(done.isCompleted()).isTrue();
            AdHocCommandNote note = done.getResponse().getNotes().get(0);
            assertThat(note.getValue()).contains("Deleted dave@localhost").contains("No such account: nobody@localhost");

            assertThat(offline.size("dave@localhost")).isZero();
            XMPPTCPConnection dave = node.smack("dave", "dave-secret", "phone");
            assertThatThrownBy(() -> dave.connect().login()).isInstanceOf(SASLErrorException.class);
            dave.disconnect();

            // RFC 6121 section 8.5.1: a message to an account that does not exist (any more) is
            // answered with service-unavailable and stored nowhere
            for (String nobody : List.of("dave@localhost", "never-was@localhost")) {
                Message m = XmppTestClients.chat(bob, JidCreate.entityBareFrom(nobody), "anyone there?");
                StanzaCollector errors = bob.createStanzaCollector(new AndFilter(MessageTypeFilter.ERROR, new StanzaIdFilter(m)));
                bob.sendStanza(m);
                Message error = errors.nextResult();
                assertThat(error).as("the error for " + nobody).isNotNull();
                assertThat(error.getError().getCondition()).isEqualTo(StanzaError.Condition.service_unavailable);
                errors.cancel();
                assertThat(offline.size(nobody)).isZero();
            }
        } finally {
            admin.disconnect();
            bob.disconnect();
        }
    }

    private static RosterPacket.ItemType type(Roster roster, BareJid jid) {
        RosterEntry e = roster.getEntry(jid);
        return e == null ? null : e.getType();
    }

    private long archived(String account) {
        return node.stores.archive().query(account, new ArchiveStore.Query(null, ArchiveId.MIN, ArchiveId.MAX, 100, false))
                .toCompletableFuture().join().messages().size();
    }
}
