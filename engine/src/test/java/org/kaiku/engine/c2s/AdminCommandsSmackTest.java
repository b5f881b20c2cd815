package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jivesoftware.smack.ConnectionListener;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.packet.StreamError;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.sasl.SASLErrorException;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.commands.AdHocCommand;
import org.jivesoftware.smackx.commands.AdHocCommandManager;
import org.jivesoftware.smackx.commands.AdHocCommandNote;
import org.jivesoftware.smackx.commands.AdHocCommandResult;
import org.jivesoftware.smackx.commands.packet.AdHocCommandData;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.jivesoftware.smackx.xdata.FormField;
import org.jivesoftware.smackx.xdata.form.FillableForm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.DomainBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.kaiku.engine.testing.XmppTestClients;

/**
 * XEP-0050 and XEP-0133 with Smack's AdHocCommandManager, as an admin client (Gajim, Psi) uses
 * them: the admin sees the commands, adds a user who can then log in, changes a password, counts
 * the accounts; a plain user sees none and is forbidden; a bad submission, a taken name and an
 * ended session get their errors. disable-user, reenable-user and end-user-session: a disabled
 * user is cut off with not-authorized, cannot log in (SASL account-disabled, but only with the
 * right password) and keeps everything; an ended session may log in again at once; the contacts
 * see both leave.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminCommandsSmackTest {
    private static final String ADD = "http://jabber.org/protocol/admin#add-user";
    private static final String PASSWORD = "http://jabber.org/protocol/admin#change-user-password";
    private static final String COUNT = "http://jabber.org/protocol/admin#get-registered-users-num";
    @TempDir
    static Path dataDir;
    private EngineNode node;
    private DomainBareJid server;

    @BeforeAll
    void start() throws Exception {
        node = new EngineNode(dataDir, Map.of("kaiku.admins", List.of("admin@localhost")));
        node.addUser("admin@localhost", "admin-secret");
        node.addUser("bob@localhost", "bob-secret");
        node.addUser("gina@localhost", "gina-secret");
        node.addUser("erin@localhost", "erin-secret");
        node.addUser("frank@localhost", "frank-secret");
        server = JidCreate.domainBareFrom("localhost");
    }

    @AfterAll
    void stop() throws Exception {
        node.close();
    }

    @Test
    void adminAddsAUserChangesAPasswordAndCounts() throws Exception {
        XMPPTCPConnection admin = node.smack("admin", "admin-secret", "console");
        try {
            admin.connect().login();
            AdHocCommandManager commands = AdHocCommandManager.getInstance(admin);
            DiscoverItems list = commands.discoverCommands(server);
            assertThat(list.getItems()).extracting(DiscoverItems.Item::getNode).contains(ADD, PASSWORD, COUNT);
            DiscoverInfo nodeInfo = ServiceDiscoveryManager.getInstanceFor(admin).discoverInfo(server, ADD);
            assertThat(nodeInfo.getIdentities()).extracting(DiscoverInfo.Identity::getType).containsExactly("command-node");
            assertThat(nodeInfo.containsFeature("http://jabber.org/protocol/commands")).isTrue();

            AdHocCommand add = commands.getRemoteCommand(server, ADD);
            FillableForm form = add.execute().asExecutingOrThrow().getFillableForm();
            form.setAnswer("accountjid", "carol@localhost");
            form.setAnswer("password", "carol-secret");
            form.setAnswer("password-verify", "carol-secret");
            AdHocCommandResult done = add.complete(form.getSubmitForm());
            assertThat(done.isCompleted()).isTrue();
            assertThat(done.getResponse().getNotes()).extracting(AdHocCommandNote::getType).containsExactly(AdHocCommandNote.Type.info);

            XMPPTCPConnection carol = node.smack("carol", "carol-secret", "phone");
            carol.connect().login();
            assertThat(carol.isAuthenticated()).isTrue();
            carol.disconnect();

            // the same name again: conflict (XEP-0133 section 5)
            AdHocCommand again = commands.getRemoteCommand(server, ADD);
            FillableForm second = again.execute().asExecutingOrThrow().getFillableForm();
            second.setAnswer("accountjid", "carol@localhost");
            second.setAnswer("password", "x");
            second.setAnswer("password-verify", "x");
            assertThat(XmppTestClients.errorCondition(() -> again.complete(second.getSubmitForm()))).isEqualTo(StanzaError.Condition.conflict);

            AdHocCommand change = commands.getRemoteCommand(server, PASSWORD);
            FillableForm pw = change.execute().asExecutingOrThrow().getFillableForm();
            pw.setAnswer("accountjid", "carol@localhost");
            pw.setAnswer("password", "carol-new");
            assertThat(change.complete(pw.getSubmitForm()).isCompleted()).isTrue();
            XMPPTCPConnection stale = node.smack("carol", "carol-secret", "old");
            assertThatThrownBy(() -> stale.connect().login()).isInstanceOf(SASLErrorException.class);
            stale.disconnect();

            AdHocCommandResult count = commands.getRemoteCommand(server, COUNT).execute();
            assertThat(count.isCompleted()).isTrue();
            assertThat(count.getResponse().getForm().getField("registeredusersnum").getFirstValue()).as("admin, bob, gina, erin, frank and the new carol").isEqualTo("6");
        } finally {
            admin.disconnect();
        }
    }

    @Test
    void badSubmissionsAndCancel() throws Exception {
        XMPPTCPConnection admin = node.smack("admin", "admin-secret", "bad");
        try {
            admin.connect().login();
            AdHocCommandManager commands = AdHocCommandManager.getInstance(admin);
            AdHocCommand add = commands.getRemoteCommand(server, ADD);
            FillableForm form = add.execute().asExecutingOrThrow().getFillableForm();
            form.setAnswer("password", "only-this");
            // accountjid is required: bad-request (bad-payload); Smack checks required fields itself,
            // so the submission is made by hand
            assertThat(XmppTestClients.errorCondition(() -> add.complete(incomplete(form)))).isEqualTo(StanzaError.Condition.bad_request);
            // Smack 4.5's AdHocCommand.cancel() cannot read the status='canceled' answer XEP-0050
            // section 3.5 prescribes (AdHocCommandResult knows executing and completed only), so the
            // cancel is sent with Smack's packet builder and its answer read as is
            AdHocCommandData cancel = AdHocCommandData.builder(ADD, admin).ofType(IQ.Type.set).to(server)
                    .setSessionId(add.getSessionId()).setAction(AdHocCommandData.Action.cancel).build();
            AdHocCommandData canceled = admin.sendIqRequestAndWaitForResponse(cancel);
            assertThat(canceled.getStatus()).isEqualTo(AdHocCommandData.Status.canceled);
            assertThat(XmppTestClients.errorCondition(() -> admin.sendIqRequestAndWaitForResponse(AdHocCommandData.builder(ADD, admin).ofType(IQ.Type.set)
                    .to(server).setSessionId(add.getSessionId()).setAction(AdHocCommandData.Action.cancel).build())))
                    .as("a canceled session is over").isEqualTo(StanzaError.Condition.not_allowed);
            assertThat(XmppTestClients.errorCondition(() -> commands.getRemoteCommand(server, "urn:example:no-such-command").execute()))
                    .isEqualTo(StanzaError.Condition.item_not_found);
        } finally {
            admin.disconnect();
        }
    }

    @Test
    void plainUsersSeeNothingAndAreForbidden() throws Exception {
        XMPPTCPConnection bob = node.smack("bob", "bob-secret", "phone");
        try {
            bob.connect().login();
            AdHocCommandManager commands = AdHocCommandManager.getInstance(bob);
            assertThat(commands.discoverCommands(server).getItems()).isEmpty();
            assertThat(XmppTestClients.errorCondition(() -> commands.getRemoteCommand(server, COUNT).execute())).isEqualTo(StanzaError.Condition.forbidden);
            assertThat(XmppTestClients.errorCondition(() -> ServiceDiscoveryManager.getInstanceFor(bob).discoverInfo(server, ADD)))
                    .isEqualTo(StanzaError.Condition.item_not_found);
        } finally {
            bob.disconnect();
        }
    }

    /** The form's answers as a submission, required fields or not. */
    private static org.jivesoftware.smackx.xdata.form.SubmitForm incomplete(FillableForm form) throws Exception {
        java.lang.reflect.Constructor<org.jivesoftware.smackx.xdata.form.SubmitForm> c =
                org.jivesoftware.smackx.xdata.form.SubmitForm.class.getDeclaredConstructor(
                        org.jivesoftware.smackx.xdata.packet.DataForm.class);
        c.setAccessible(true);
        org.jivesoftware.smackx.xdata.packet.DataForm.Builder b =
                org.jivesoftware.smackx.xdata.packet.DataForm.builder(org.jivesoftware.smackx.xdata.packet.DataForm.Type.submit);
        b.addField(org.jivesoftware.smackx.xdata.FormField.hiddenBuilder("FORM_TYPE").setValue("http://jabber.org/protocol/admin").build());
        b.addField(org.jivesoftware.smackx.xdata.FormField.textPrivateBuilder("password").setValue("only-this").build());
        return c.newInstance(b.build());
    }

    @Test
    void aDisabledUserIsCutOffCannotLogInKeepsTheRosterAndIsEnabledAgain() throws Exception {
        XMPPTCPConnection admin = node.smack("admin", "admin-secret", "console");
        XMPPTCPConnection gina = node.smack("gina", "gina-secret", "phone");
        XMPPTCPConnection frank = node.smack("frank", "frank-secret", "desk");
        BareJid ginaJid = JidCreate.bareFrom("gina@localhost");
        try {
            admin.connect().login();
            gina.connect().login();
            frank.connect().login();
            XmppTestClients.befriend(gina, frank);
            Roster frankRoster = Roster.getInstanceFor(frank);
            XmppTestClients.await("frank sees gina online", () -> frankRoster.getPresence(ginaJid).isAvailable());
            List<Exception> closedWith = closures(gina);

            assertThat(run(admin, "disable-user", "gina@localhost", "nobody@localhost"))
                    .contains("Disabled gina@localhost").contains("No such account: nobody@localhost");
            XmppTestClients.await("gina's stream closed", () -> !closedWith.isEmpty());
            assertThat(condition(closedWith.get(0))).isEqualTo(StreamError.Condition.not_authorized);
            XmppTestClients.await("frank sees gina leave", () -> !frankRoster.getPresence(ginaJid).isAvailable());

            XMPPTCPConnection again = node.smack("gina", "gina-secret", "again");
            assertThatThrownBy(() -> again.connect().login()).isInstanceOfSatisfying(SASLErrorException.class,
                    e -> assertThat(e.getSASLFailure().getSASLErrorString()).isEqualTo("account-disabled"));
            again.disconnect();
            XMPPTCPConnection guess = node.smack("gina", "a-guess", "guess");
            assertThatThrownBy(() -> guess.connect().login()).as("a wrong password learns nothing of the mark")
                    .isInstanceOfSatisfying(SASLErrorException.class,
                            e -> assertThat(e.getSASLFailure().getSASLErrorString()).isEqualTo("not-authorized"));
            guess.disconnect();

            assertThat(value(admin, "get-disabled-users-num", "disabledusersnum")).containsExactly("1");
            assertThat(value(admin, "get-disabled-users-list", "disableduserjids")).containsExactly("gina@localhost");

            assertThat(run(admin, "reenable-user", "gina@localhost")).contains("Re-enabled gina@localhost");
            XMPPTCPConnection back = node.smack("gina", "gina-secret", "back");
            try {
                back.connect().login();
                Roster roster = Roster.getInstanceFor(back);
                roster.reloadAndWait();
                assertThat(roster.getEntry(JidCreate.bareFrom("frank@localhost"))).as("nothing was erased").isNotNull();
            } finally {
                back.disconnect();
            }
            assertThat(value(admin, "get-disabled-users-num", "disabledusersnum")).containsExactly("0");
        } finally {
            admin.disconnect();
            gina.disconnect();
            frank.disconnect();
        }
    }

    @Test
    void anEndedSessionMayLogInAgainAtOnce() throws Exception {
        XMPPTCPConnection admin = node.smack("admin", "admin-secret", "console");
        XMPPTCPConnection erin = node.smack("erin", "erin-secret", "laptop");
        XMPPTCPConnection erin2 = node.smack("erin", "erin-secret", "tablet");
        try {
            admin.connect().login();
            erin.connect().login();
            erin2.connect().login();
            List<Exception> first = closures(erin);
            List<Exception> second = closures(erin2);

            assertThat(run(admin, "end-user-session", "erin@localhost")).contains("Ended the sessions of erin@localhost");
            XmppTestClients.await("both of erin's streams closed", () -> !first.isEmpty() && !second.isEmpty());
            assertThat(condition(first.get(0))).isEqualTo(StreamError.Condition.policy_violation);
            assertThat(condition(second.get(0))).isEqualTo(StreamError.Condition.policy_violation);

            XMPPTCPConnection back = node.smack("erin", "erin-secret", "back");
            back.connect().login();
            assertThat(back.isAuthenticated()).isTrue();
            back.disconnect();
        } finally {
            admin.disconnect();
            erin.disconnect();
            erin2.disconnect();
        }
    }

    @Test
    void anAdminListsTheOnlineUsersAndAnnouncesToThem() throws Exception {
        XMPPTCPConnection admin = node.smack("admin", "admin-secret", "console");
        XMPPTCPConnection bob = node.smack("bob", "bob-secret", "desk");
        XMPPTCPConnection bob2 = node.smack("bob", "bob-secret", "phone");
        try {
            admin.connect().login();
            bob.connect().login();
            bob2.connect().login();
            XmppTestClients.await("bob and the admin counted online",
                    () -> online(admin).containsAll(List.of("admin@localhost", "bob@localhost")));
            assertThat(value(admin, "get-online-users-list", "onlineuserjids")).doesNotContain("frank@localhost");
            assertThat(Integer.parseInt(value(admin, "get-online-users-num", "onlineusersnum").get(0))).isGreaterThanOrEqualTo(2);

            var atDesk = bob.createStanzaCollector(org.jivesoftware.smack.filter.MessageTypeFilter.HEADLINE);
            var atPhone = bob2.createStanzaCollector(org.jivesoftware.smack.filter.MessageTypeFilter.HEADLINE);
            AdHocCommand announce = AdHocCommandManager.getInstance(admin)
                    .getRemoteCommand(server, "http://jabber.org/protocol/admin#announce");
            FillableForm form = announce.execute().asExecutingOrThrow().getFillableForm();
            form.setAnswer("announcement", List.of("Maintenance at noon.", "Please log off."));
            AdHocCommandResult done = announce.complete(form.getSubmitForm());
            assertThat(done.isCompleted()).isTrue();
            for (var collector : List.of(atDesk, atPhone)) {
                org.jivesoftware.smack.packet.Message m = collector.nextResult();
                assertThat(m).as("the announcement on each resource").isNotNull();
                assertThat(m.getFrom().toString()).isEqualTo("localhost");
                assertThat(m.getBody()).isEqualTo("Maintenance at noon.\nPlease log off.");
                collector.cancel();
            }
        } finally {
            admin.disconnect();
            bob.disconnect();
            bob2.disconnect();
        }
    }

    private static List<String> online(XMPPTCPConnection admin) {
        try {
            return value(admin, "get-online-users-list", "onlineuserjids");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Exception> closures(XMPPTCPConnection c) {
        List<Exception> closedWith = new CopyOnWriteArrayList<>();
        c.addConnectionListener(new ConnectionListener() {
            @Override
            public void connectionClosedOnError(Exception e) {
                closedWith.add(e);
            }
        });
        return closedWith;
    }

    private static StreamError.Condition condition(Exception e) {
        assertThat(e).isInstanceOf(XMPPException.StreamErrorException.class);
        return ((XMPPException.StreamErrorException) e).getStreamError().getCondition();
    }

    /** Runs an accountjids command and gives its note. */
    private static String run(XMPPTCPConnection admin, String command, String... jids) throws Exception {
        AdHocCommand c = AdHocCommandManager.getInstance(admin).getRemoteCommand(JidCreate.domainBareFrom("localhost"), "http://jabber.org/protocol/admin#" + command);
        FillableForm form = c.execute().asExecutingOrThrow().getFillableForm();
        form.setAnswer("accountjids", List.of(jids));
        AdHocCommandResult done = c.complete(form.getSubmitForm());
        assertThat(done.isCompleted()).isTrue();
        return done.getResponse().getNotes().get(0).getValue();
    }

    /** Runs a command without a form and gives the values of one field of its result. */
    private static List<String> value(XMPPTCPConnection admin, String command, String field) throws Exception {
        AdHocCommand c = AdHocCommandManager.getInstance(admin).getRemoteCommand(JidCreate.domainBareFrom("localhost"), "http://jabber.org/protocol/admin#" + command);
        AdHocCommandResult done = c.execute();
        assertThat(done.isCompleted()).isTrue();
        FormField f = done.getResponse().getForm().getField(field);
        assertThat(f).as(field).isNotNull();
        return f.getValues().stream().map(CharSequence::toString).toList();
    }
}
