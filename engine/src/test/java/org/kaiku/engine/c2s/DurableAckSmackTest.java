package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jivesoftware.smack.filter.MessageTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.kaiku.engine.auth.InMemoryCredentialStore;
import org.kaiku.engine.storage.ArchiveId;
import org.kaiku.engine.storage.ArchiveStore;
import org.kaiku.engine.storage.ArchivedMessage;
import org.kaiku.engine.storage.InMemoryAccountDataStore;
import org.kaiku.engine.storage.InMemoryArchiveStore;
import org.kaiku.engine.storage.InMemoryOfflineStore;
import org.kaiku.engine.storage.Stores;
import org.kaiku.engine.testing.XmppTestClients;

/**
 * A Smack sender with stream management (Smack's defaults: it asks for an ack after every
 * message) sends a burst as fast as it can, unpaced, to an online recipient whose archive writes
 * are slow and complete out of order. Its acknowledgements wait for those writes, so its window
 * of 500 unacknowledged stanzas would fill and Smack 4.5 would deadlock; the pending bound and
 * the server's unrequested acks keep it going. Every ack the sender hears comes after the
 * message's write, and the recipient got the burst in order without waiting for any write.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DurableAckSmackTest {
    private static final int BURST = 5000;
    @TempDir
    static Path dataDir;
    private final SlowArchiveStore archive = new SlowArchiveStore();
    private EngineNode node;

    /** Appends complete 0-3 ms later, in any order; bob's copy is marked stored before its append completes. */
    static final class SlowArchiveStore implements ArchiveStore {
        final InMemoryArchiveStore inner = new InMemoryArchiveStore();
        final Set<String> stored = ConcurrentHashMap.newKeySet();
        final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);

        @Override
        public CompletionStage<Void> append(String account, ArchivedMessage message) {
            CompletableFuture<Void> out = new CompletableFuture<>();
            timer.schedule(() -> inner.append(account, message).whenComplete((r, e) -> {
                String xml = message.stanza();
                int at = xml.indexOf("<body>");
                // the recipient's copy: the one the sender's ack waits for
                if (account.startsWith("bob@") && at >= 0) {
                    stored.add(xml.substring(at + 6, xml.indexOf("</body>")));
                }
                out.complete(r);
            }), ThreadLocalRandom.current().nextInt(3000), TimeUnit.MICROSECONDS);
            return out;
        }

        @Override
        public CompletionStage<Optional<ArchivedMessage>> get(String account, ArchiveId id) {
            return inner.get(account, id);
        }

        @Override
        public CompletionStage<Void> purge(String account) {
            return inner.purge(account);
        }

        @Override
        public CompletionStage<Page> query(String account, Query query) {
            return inner.query(account, query);
        }
    }

    @BeforeAll
    void start() throws Exception {
        node = new EngineNode(dataDir, Map.of(),
                new Stores(new InMemoryCredentialStore(), new InMemoryOfflineStore(), new InMemoryAccountDataStore(), archive));
        node.addUser("alice@localhost", "alice-secret");
        node.addUser("bob@localhost", "bob-secret");
    }

    @AfterAll
    void stop() throws Exception {
        node.close();
        archive.timer.shutdownNow();
    }

    @Test
    void anUnpacedBurstIsAcknowledgedInFullAndOnlyAfterEachWrite() throws Exception {
        XMPPTCPConnection alice = node.smack("alice", "alice-secret", "desk");
        XMPPTCPConnection bob = node.smack("bob", "bob-secret", "phone");
        alice.setUseStreamManagement(true);
        AtomicInteger acked = new AtomicInteger();
        List<String> ackedBeforeStored = Collections.synchronizedList(new ArrayList<>());
        alice.addStanzaAcknowledgedListener(st -> {
            if (st instanceof Message m && m.getBody() != null) {
                if (!archive.stored.contains(m.getBody())) {
                    ackedBeforeStored.add(m.getBody());
                }
                acked.incrementAndGet();
            }
        });
        List<String> received = Collections.synchronizedList(new ArrayList<>());
        bob.addSyncStanzaListener(st -> received.add(((Message) st).getBody()), MessageTypeFilter.CHAT);
        BareJid bobJid = JidCreate.bareFrom("bob@localhost");
        try {
            bob.connect().login();
            alice.connect().login();
            assertThat(alice.isSmEnabled()).isTrue();
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                sent.add("m" + i);
                alice.sendStanza(XmppTestClients.chat(alice, bobJid, "m" + i));
            }
            alice.requestSmAcknowledgement();
            XmppTestClients.await("every message acknowledged", () -> acked.get() == BURST);
            XmppTestClients.await("bob got them all", () -> received.size() >= BURST);
            assertThat(received).containsExactlyElementsOf(sent);
            assertThat(ackedBeforeStored).as("acknowledged before its archive write completed").isEmpty();
            assertThat(archive.stored).hasSize(BURST);
        } finally {
            alice.disconnect();
            bob.disconnect();
        }
    }
}
