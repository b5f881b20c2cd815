package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaError;
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
import org.jivesoftware.smackx.xdata.form.FillableForm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.DomainBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.kaiku.engine.testing.XmppTestClients;

/**
 * XEP-0050 and XEP-0133 with Smack's AdHocCommandManager, as an admin client (Gajim, Psi) uses
 * them: the admin sees the commands, adds a user who can then log in, changes a password, counts
 * the accounts; a plain user sees none and is forbidden; a bad submission, a taken name and an
 * ended session get their errors.
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
            assertThat(count.getResponse().getForm().getField("registeredusersnum").getFirstValue()).isEqualTo("3");
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
}
