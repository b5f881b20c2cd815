package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.jivesoftware.smack.filter.StanzaIdFilter;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.sasl.SASLErrorException;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.iqregister.AccountManager;
import org.jivesoftware.smackx.iqregister.packet.Registration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.parts.Localpart;
import org.kaiku.engine.testing.XmppTestClients;

/**
 * XEP-0077 with Smack's AccountManager, as a client app signs a user up: the stream feature, the
 * fields, an account made before login and used to log in, the errors (a name taken, a bad name,
 * a second account on one stream, the per-address limit), the password change, the refused
 * removal, and, with the default configuration, service-unavailable and no feature.
 */
class RegistrationSmackTest {
    @TempDir
    Path dataDir;

    @Test
    void signUpLoginAndChangePassword() throws Exception {
        try (EngineNode node = new EngineNode(dataDir, Map.of(
                "kaiku.registration.in-band", "on", "kaiku.registration.per-address-limit", "2",
                "kaiku.registration.removal", "off"))) {
            node.addUser("taken@localhost", "taken-secret");
            XMPPTCPConnection c = node.smack("newbie", "first-secret", "phone");
            try {
                c.connect();
                AccountManager accounts = AccountManager.getInstance(c);
                assertThat(c.hasFeature("register", "http://jabber.org/features/iq-register")).isTrue();
                assertThat(accounts.supportsAccountCreation()).isTrue();
                assertThat(accounts.getAccountAttributes()).contains("username", "password");
                assertThat(accounts.getAccountInstructions()).isNotBlank();

                assertThat(XmppTestClients.errorCondition(() -> accounts.createAccount(Localpart.from("taken"), "whatever")))
                        .isEqualTo(StanzaError.Condition.conflict);
                // a refused name does not use up the stream's one registration
                accounts.createAccount(Localpart.from("newbie"), "first-secret");
                assertThat(XmppTestClients.errorCondition(() -> accounts.createAccount(Localpart.from("another"), "x")))
                        .isEqualTo(StanzaError.Condition.not_acceptable);

                c.login();
                assertThat(c.getUser().asBareJid().toString()).isEqualTo("newbie@localhost");
                AccountManager loggedIn = AccountManager.getInstance(c);
                loggedIn.changePassword("second-secret");
                // another account's password: forbidden
                Registration other = new Registration(Map.of("username", "taken", "password", "stolen"));
                other.setType(IQ.Type.set);
                other.setTo(c.getXMPPServiceDomain());
                assertThat(XmppTestClients.errorCondition(() -> c.sendIqRequestAndWaitForResponse(other))).isEqualTo(StanzaError.Condition.forbidden);
                // removal switched off (kaiku.registration.removal): not-allowed, and the account stays
                // (removal itself: AccountDeletionSmackTest)
                assertThat(XmppTestClients.errorCondition(loggedIn::deleteAccount)).isEqualTo(StanzaError.Condition.not_allowed);
            } finally {
                c.disconnect();
            }

            XMPPTCPConnection old = node.smack("newbie", "first-secret", "old");
            try {
                assertThatThrownBy(() -> old.connect().login()).isInstanceOf(SASLErrorException.class);
            } finally {
                old.disconnect();
            }
            XMPPTCPConnection again = node.smack("newbie", "second-secret", "again");
            try {
                again.connect().login();
                assertThat(again.isAuthenticated()).isTrue();
            } finally {
                again.disconnect();
            }
            XMPPTCPConnection taken = node.smack("taken", "taken-secret", "t");
            try {
                taken.connect().login();
                assertThat(taken.isAuthenticated()).as("the forbidden change left taken's password alone").isTrue();
            } finally {
                taken.disconnect();
            }

            // the limit: two accounts per address per window; newbie was the first
            assertThat(register(node, "second")).isNull();
            assertThat(register(node, "third")).isEqualTo(StanzaError.Condition.resource_constraint);
        }
    }

    @Test
    void aBadNameIsNotAcceptable() throws Exception {
        try (EngineNode node = new EngineNode(dataDir, Map.of("kaiku.registration.in-band", "on"))) {
            assertThat(register(node, "")).isEqualTo(StanzaError.Condition.not_acceptable);
            XMPPTCPConnection c = node.smack("x", "x", "x");
            try {
                c.connect();
                Registration bad = new Registration(Map.of("username", "bad@name", "password", "pw"));
                bad.setType(IQ.Type.set);
                bad.setTo(c.getXMPPServiceDomain());
                assertThat(XmppTestClients.errorCondition(() -> beforeLogin(c, bad))).isEqualTo(StanzaError.Condition.not_acceptable);
                assertThat(c.isConnected()).as("a refused registration keeps the stream").isTrue();
            } finally {
                c.disconnect();
            }
        }
    }

    @Test
    void offByDefault() throws Exception {
        try (EngineNode node = new EngineNode(dataDir, Map.of())) {
            XMPPTCPConnection c = node.smack("newbie", "pw", "phone");
            try {
                c.connect();
                assertThat(c.hasFeature("register", "http://jabber.org/features/iq-register")).isFalse();
                AccountManager accounts = AccountManager.getInstance(c);
                assertThat(XmppTestClients.errorCondition(accounts::getAccountAttributes)).isEqualTo(StanzaError.Condition.service_unavailable);
                assertThat(c.isConnected()).isTrue();
            } finally {
                c.disconnect();
            }
        }
    }

    /** Registers {@code name} on a new stream: null when it worked, else the error's condition. */
    private static StanzaError.Condition register(EngineNode node, String name) throws Exception {
        XMPPTCPConnection c = node.smack("unused", "unused", "r");
        try {
            c.connect();
            Registration r = new Registration(Map.of("username", name, "password", "pw-" + name));
            r.setType(IQ.Type.set);
            r.setTo(c.getXMPPServiceDomain());
            return XmppTestClients.errorCondition(() -> beforeLogin(c, r));
        } finally {
            c.disconnect();
        }
    }

    /** An iq on a stream that has not logged in (Smack's usual call wants a user). */
    private static void beforeLogin(XMPPTCPConnection c, IQ iq) throws Exception {
        c.createStanzaCollectorAndSend(new StanzaIdFilter(iq.getStanzaId()), iq).nextResultOrThrow();
    }
}
