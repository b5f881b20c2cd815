package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.iqlast.LastActivityManager;
import org.jivesoftware.smackx.iqlast.packet.LastActivity;
import org.jivesoftware.smackx.vcardtemp.VCardManager;
import org.jivesoftware.smackx.vcardtemp.packet.VCard;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.kaiku.engine.testing.VCardUpdateProvider;
import org.kaiku.engine.testing.XmppTestClients;

/**
 * Another user's vCard (XEP-0054 section 3.3), the avatar hash the server puts into presence
 * (XEP-0153, XEP-0398 section 4) and users' last activity (XEP-0012 section 3) with Smack's own
 * managers: Romeo is subscribed to Juliet's presence, Tybalt is not.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AvatarAndLastActivitySmackTest {
    @TempDir
    static Path dataDir;
    private EngineNode node;
    private EntityBareJid juliet;

    @BeforeAll
    void start() throws Exception {
        node = new EngineNode(dataDir, Map.of());
        node.addUser("juliet@localhost", "juliet-secret");
        node.addUser("romeo@localhost", "romeo-secret");
        node.addUser("tybalt@localhost", "tybalt-secret");
        juliet = JidCreate.entityBareFrom("juliet@localhost");
    }

    @AfterAll
    void stop() throws Exception {
        node.close();
    }

    @Test
    void vCardsAvatarsAndLastActivityOfAContact() throws Exception {
        XMPPTCPConnection julietC = node.smack("juliet", "juliet-secret", "balcony");
        XMPPTCPConnection romeo = node.smack("romeo", "romeo-secret", "orchard");
        XMPPTCPConnection tybalt = node.smack("tybalt", "tybalt-secret", "street");
        try {
            julietC.connect().login();
            romeo.connect().login();
            tybalt.connect().login();
            Roster.getInstanceFor(julietC).setSubscriptionMode(Roster.SubscriptionMode.accept_all);
            Roster romeoRoster = Roster.getInstanceFor(romeo);
            AtomicReference<Presence> lastFromJuliet = new AtomicReference<>();
            romeoRoster.addPresenceEventListener(new org.jivesoftware.smack.roster.AbstractPresenceEventListener() {
                @Override
                public void presenceAvailable(org.jxmpp.jid.FullJid address, Presence presence) {
                    if (address.asBareJid().equals(juliet)) {
                        lastFromJuliet.set(presence);
                    }
                }
            });
            romeoRoster.createItemAndRequestSubscription(juliet, "Juliet", null);
            XmppTestClients.await("romeo sees juliet", () -> romeoRoster.getPresence(juliet).isAvailable());
            assertThat(photo(romeoRoster.getPresence(juliet))).as("no vCard yet: an empty photo").isEmpty();

            // Juliet, whose client knows nothing of XEP-0153, saves a vCard with a photo.
            byte[] image = "not really a PNG, but bytes all the same".getBytes(StandardCharsets.US_ASCII);
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(image));
            VCard card = new VCard();
            card.setFirstName("Juliet");
            card.setLastName("Capulet");
            card.setAvatar(image, "image/png");
            VCardManager.getInstanceFor(julietC).saveVCard(card);

            // Her presence is sent again with the hash; anyone may read the vCard on her behalf.
            XmppTestClients.await("juliet's presence with the hash", () -> hash.equals(photo(lastFromJuliet.get())));
            for (XMPPTCPConnection reader : new XMPPTCPConnection[] {romeo, tybalt}) {
                VCard read = VCardManager.getInstanceFor(reader).loadVCard(juliet);
                assertThat(read.getFirstName()).isEqualTo("Juliet");
                assertThat(read.getAvatar()).isEqualTo(image);
                assertThat(read.getAvatarHash()).isEqualTo(hash);
            }
            XMPPException.XMPPErrorException noCard = assertThrows(XMPPException.XMPPErrorException.class,
                    () -> VCardManager.getInstanceFor(julietC).loadVCard(JidCreate.entityBareFrom("romeo@localhost")));
            assertThat(noCard.getStanzaError().getCondition()).isEqualTo(StanzaError.Condition.service_unavailable);

            // Tybalt may not write it.
            VCard forged = new VCard();
            forged.setFirstName("Rosaline");
            forged.setTo(juliet);
            forged.setType(IQ.Type.set);
            XMPPException.XMPPErrorException refused = assertThrows(XMPPException.XMPPErrorException.class,
                    () -> tybalt.createStanzaCollectorAndSend(forged).nextResultOrThrow());
            assertThat(refused.getStanzaError().getCondition()).isEqualTo(StanzaError.Condition.forbidden);
            assertThat(VCardManager.getInstanceFor(romeo).loadVCard(juliet).getFirstName()).isEqualTo("Juliet");

            // Last activity: 0 while she is online, for Romeo; Tybalt sees nothing.
            assertThat(LastActivityManager.getInstanceFor(romeo).getLastActivity(juliet).getIdleTime()).isZero();
            XMPPException.XMPPErrorException forbidden = assertThrows(XMPPException.XMPPErrorException.class,
                    () -> LastActivityManager.getInstanceFor(tybalt).getLastActivity(juliet));
            assertThat(forbidden.getStanzaError().getCondition()).isEqualTo(StanzaError.Condition.forbidden);

            julietC.disconnect(julietC.getStanzaFactory().buildPresenceStanza()
                    .ofType(Presence.Type.unavailable).setStatus("Heading Home").build());
            AtomicReference<LastActivity> after = new AtomicReference<>();
            XmppTestClients.await("juliet's logout recorded", () -> {
                try {
                    after.set(LastActivityManager.getInstanceFor(romeo).getLastActivity(juliet));
                    return "Heading Home".equals(after.get().getStatusMessage());
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            assertThat(after.get().getIdleTime()).isGreaterThanOrEqualTo(0);
            assertThrows(XMPPException.XMPPErrorException.class,
                    () -> LastActivityManager.getInstanceFor(tybalt).getLastActivity(juliet));
        } finally {
            julietC.disconnect();
            romeo.disconnect();
            tybalt.disconnect();
        }
    }

    /** The photo hash a presence advertises (vcard-temp:x:update), null when it has none. */
    private static String photo(Presence presence) {
        VCardUpdateProvider.Update x = presence == null ? null
                : presence.getExtension(VCardUpdateProvider.Update.class);
        return x == null ? null : x.photo();
    }
}
