package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.iqlast.LastActivityManager;
import org.jivesoftware.smackx.iqlast.packet.LastActivity;
import org.jivesoftware.smackx.iqprivate.PrivateDataManager;
import org.jivesoftware.smackx.iqprivate.packet.DefaultPrivateData;
import org.jivesoftware.smackx.time.EntityTimeManager;
import org.jivesoftware.smackx.time.packet.Time;
import org.jivesoftware.smackx.vcardtemp.VCardManager;
import org.jivesoftware.smackx.vcardtemp.packet.VCard;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.DomainBareJid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * vCards (XEP-0054), private XML (XEP-0049), the server's time (XEP-0202) and uptime (XEP-0012)
 * with Smack's own managers against a real node: what a client library sends and parses, not
 * what the tests think it does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccountDataSmackTest {
    @TempDir
    static Path dataDir;
    private EngineNode node;
    private DomainBareJid server;

    @BeforeAll
    void start() throws Exception {
        node = new EngineNode(dataDir, Map.of());
        node.addUser("juliet@localhost", "juliet-secret");
        server = JidCreate.domainBareFrom("localhost");
    }

    @AfterAll
    void stop() throws Exception {
        node.close();
    }

    @Test
    void aVCardSavedFromOneResourceIsReadFromAnother() throws Exception {
        XMPPTCPConnection balcony = node.smack("juliet", "juliet-secret", "balcony");
        XMPPTCPConnection chamber = node.smack("juliet", "juliet-secret", "chamber");
        try {
            balcony.connect().login();
            chamber.connect().login();
            assertThat(VCardManager.getInstanceFor(balcony).isSupported(server)).isTrue();
            assertThat(VCardManager.getInstanceFor(chamber).loadVCard().getFirstName()).as("no vCard yet").isNull();

            VCard card = new VCard();
            card.setFirstName("Juliet");
            card.setLastName("Capulet");
            card.setNickName("Jules <&>");
            card.setEmailHome("juliet@example.com");
            card.setField("DESC", "Wherefore art thou?");
            VCardManager.getInstanceFor(balcony).saveVCard(card);

            VCard read = VCardManager.getInstanceFor(chamber).loadVCard();
            assertThat(read.getFirstName()).isEqualTo("Juliet");
            assertThat(read.getLastName()).isEqualTo("Capulet");
            assertThat(read.getNickName()).isEqualTo("Jules <&>");
            assertThat(read.getEmailHome()).isEqualTo("juliet@example.com");
            assertThat(read.getField("DESC")).isEqualTo("Wherefore art thou?");

            VCard huge = new VCard();
            huge.setField("DESC", "x".repeat(70 * 1024));
            XMPPException.XMPPErrorException refused = assertThrows(XMPPException.XMPPErrorException.class,
                    () -> VCardManager.getInstanceFor(balcony).saveVCard(huge));
            assertThat(refused.getStanzaError().getCondition()).isEqualTo(StanzaError.Condition.not_acceptable);
            assertThat(VCardManager.getInstanceFor(chamber).loadVCard().getNickName()).isEqualTo("Jules <&>");
        } finally {
            balcony.disconnect();
            chamber.disconnect();
        }
    }

    @Test
    void privateDataIsStoredAndReadBack() throws Exception {
        XMPPTCPConnection c = node.smack("juliet", "juliet-secret", "prefs");
        try {
            c.connect().login();
            PrivateDataManager manager = PrivateDataManager.getInstanceFor(c);
            assertThat(manager.isSupported()).isTrue();

            DefaultPrivateData prefs = new DefaultPrivateData("prefs", "urn:kaiku:test:prefs");
            prefs.setValue("theme", "dark");
            prefs.setValue("nick", "Jules");
            manager.setPrivateData(prefs);

            DefaultPrivateData read = (DefaultPrivateData) manager.getPrivateData("prefs", "urn:kaiku:test:prefs");
            assertThat(read.getValue("theme")).isEqualTo("dark");
            assertThat(read.getValue("nick")).isEqualTo("Jules");
            DefaultPrivateData none = (DefaultPrivateData) manager.getPrivateData("other", "urn:kaiku:test:prefs");
            assertThat(none.getNames()).isEmpty();

            XMPPException.XMPPErrorException reserved = assertThrows(XMPPException.XMPPErrorException.class,
                    () -> manager.getPrivateData("query", "jabber:iq:private"));
            assertThat(reserved.getStanzaError().getCondition()).isEqualTo(StanzaError.Condition.not_acceptable);
        } finally {
            c.disconnect();
        }
    }

    @Test
    void theServerTellsItsTimeAndUptime() throws Exception {
        XMPPTCPConnection c = node.smack("juliet", "juliet-secret", "clock");
        try {
            c.connect().login();
            Instant before = Instant.now().minusSeconds(1);
            Time time = EntityTimeManager.getInstanceFor(c).getTime(server);
            Instant after = Instant.now().plusSeconds(1);
            Instant told = time.getTime().toInstant();
            assertThat(told).isBetween(before, after);
            assertThat(time.getTzo()).matches("[+-]\\d\\d:\\d\\d");
            assertThat(time.getUtc()).endsWith("Z");

            assertThat(LastActivityManager.getInstanceFor(c).isLastActivitySupported(server)).isTrue();
            LastActivity uptime = LastActivityManager.getInstanceFor(c).getLastActivity(server);
            assertThat(uptime.getIdleTime()).isBetween(0L, Duration.ofMinutes(10).toSeconds());
            assertThat(uptime.getStatusMessage()).isNullOrEmpty();
        } finally {
            c.disconnect();
        }
    }
}
