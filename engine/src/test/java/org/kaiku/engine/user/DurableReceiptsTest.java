package org.kaiku.engine.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.engine.session.SessionMessage.Durable.Outcome;

/**
 * The recipient entity's half of the durable 'h' (XEP-0198 with storage): a message routed with
 * a receipt is answered once its offline append completed, with ANSWERED (and the sender's
 * service-unavailable) when the append failed, and at once when nothing is to be stored.
 */
class DurableReceiptsTest {
    private static final ActorTestKit TEST_KIT = ActorTestKit.create(EntityHarness.config());

    @AfterAll
    static void stop() {
        TEST_KIT.shutdownTestKit();
    }

    private static String chat(String to, String id) {
        return "<message xmlns='jabber:client' type='chat' from='bob@example.com/desk' to='" + to + "' id='" + id
                + "'><body>hi " + id + "</body></message>";
    }

    @Test
    void anOfflineMessageIsReportedStoredOnlyWhenTheAppendCompleted() {
        GatedOfflineStore store = new GatedOfflineStore();
        EntityHarness h = new EntityHarness(TEST_KIT, store, 100);
        TestProbe<SessionMessage> sender = TEST_KIT.createTestProbe(SessionMessage.class);
        store.holdAppends(true);
        h.kit.runCommand(new UserEntity.Deliver(EntityHarness.xml(chat(h.account, "m1")),
                new UserEntity.Receipt(sender.getRef(), 7)));
        sender.expectNoMessage(EntityHarness.QUIET);
        store.releaseAll();
        assertThat(sender.receiveMessage(Duration.ofSeconds(5)))
                .isEqualTo(new SessionMessage.Durable(7, Outcome.STORED));
        assertThat(store.inner.fetch(h.account, null, 10).toCompletableFuture().join()).hasSize(1);
    }

    @Test
    void aFailedOfflineAppendIsAnsweredToTheSenderAndReported() {
        GatedOfflineStore store = new GatedOfflineStore();
        EntityHarness h = new EntityHarness(TEST_KIT, store, 100);
        TestProbe<SessionMessage> sender = TEST_KIT.createTestProbe(SessionMessage.class);
        store.failNextAppends(1);
        h.kit.runCommand(new UserEntity.Deliver(EntityHarness.xml(chat(h.account, "m2")),
                new UserEntity.Receipt(sender.getRef(), 3)));
        assertThat(sender.receiveMessage(Duration.ofSeconds(5)))
                .isEqualTo(new SessionMessage.Durable(3, Outcome.ANSWERED));
        var bounce = h.routed.receiveMessage(Duration.ofSeconds(5));
        assertThat(bounce.attr("type")).isEqualTo("error");
        // a failed write is "try again later" (RFC 6120 8.3.3.18), not a full quota
        assertThat(bounce.toXml()).contains("<error type=\"wait\"><resource-constraint");
    }

    @Test
    void anOnlineMessageWithoutArchiveOrABlockedOneIsReportedAtOnce() {
        EntityHarness h = new EntityHarness(TEST_KIT);
        TestProbe<SessionMessage> desk = h.online("desk", 1);
        TestProbe<SessionMessage> sender = TEST_KIT.createTestProbe(SessionMessage.class);
        h.kit.runCommand(new UserEntity.Deliver(EntityHarness.xml(chat(h.account, "m3")),
                new UserEntity.Receipt(sender.getRef(), 1)));
        assertThat(sender.receiveMessage(Duration.ofSeconds(5)))
                .as("delivered in memory only: nothing to wait for")
                .isEqualTo(new SessionMessage.Durable(1, Outcome.NOT_STORED));
        assertThat(EntityHarness.next(desk).attr("id")).isEqualTo("m3");
    }

    @Test
    void aMessageHeldBehindAnOfflineDrainKeepsItsReceiptUntilItIsStored() {
        GatedOfflineStore store = new GatedOfflineStore();
        EntityHarness h = new EntityHarness(TEST_KIT, store, 100);
        h.deliver(chat(h.account, "old"));
        TestProbe<SessionMessage> sender = TEST_KIT.createTestProbe(SessionMessage.class);
        store.holdFetches(true);
        h.bind("desk");
        h.client("desk", "<presence xmlns='jabber:client'/>");
        // the drain is reading: a new message waits behind it, and so does its receipt
        h.kit.runCommand(new UserEntity.Deliver(EntityHarness.xml(chat(h.account, "new")),
                new UserEntity.Receipt(sender.getRef(), 5)));
        sender.expectNoMessage(EntityHarness.QUIET);
        store.releaseAll();
        assertThat(sender.receiveMessage(Duration.ofSeconds(5)))
                .as("delivered after the backlog to an online resource, no archive: in memory")
                .isEqualTo(new SessionMessage.Durable(5, Outcome.NOT_STORED));
    }
}
