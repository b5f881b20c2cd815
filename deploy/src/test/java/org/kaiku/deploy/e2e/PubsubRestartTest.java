package org.kaiku.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.X509TrustManager;
import org.jivesoftware.smack.filter.AndFilter;
import org.jivesoftware.smack.filter.FromMatchesFilter;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.pubsub.Item;
import org.jivesoftware.smackx.pubsub.LeafNode;
import org.jivesoftware.smackx.pubsub.PayloadItem;
import org.jivesoftware.smackx.pubsub.PubSubManager;
import org.jivesoftware.smackx.pubsub.SimplePayload;
import org.jivesoftware.smackx.pubsub.Subscription;
import org.jivesoftware.smackx.pubsub.form.FillableConfigureForm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.kaiku.engine.testing.XmppTestClients;

/**
 * Pubsub nodes survive restarts of their server (XEP-0060 with a real node in its own process and
 * its own Cassandra): a node's configuration, items and subscriptions (held by its partition
 * entities) are back after a clean restart (SIGTERM), the subscriber is notified of the next
 * publish without subscribing again, and a retraction acknowledged just before a crash (SIGKILL)
 * stays done, since the node answers only after its journal write.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PubsubRestartTest {
    private final Path work = Path.of("target", "e2e-pubsub-" + System.nanoTime()).toAbsolutePath();
    private final Path dataDir = work.resolve("data");
    private final Path log = work.resolve("server.log");
    private final List<ServerProcess> started = new ArrayList<>();

    @AfterAll
    void cleanUp() throws Exception {
        ServerProcess.cleanUp(started, dataDir);
    }

    private static PayloadItem<SimplePayload> item(String id, int value) {
        return new PayloadItem<>(id, new SimplePayload("<temp xmlns='urn:example:weather'>" + value + "</temp>"));
    }

    private static List<String> ids(LeafNode node) throws Exception {
        List<Item> items = node.getItems();
        return items.stream().map(Item::getId).toList();
    }

    @Test
    void nodeItemsAndSubscriptionsSurviveRestartAndCrash() throws Exception {
        Files.createDirectories(work);
        ServerProcess.Ports ports = ServerProcess.Ports.free();
        ServerProcess first = start(ports);
        X509TrustManager trust = XmppTestClients.trustNode(dataDir.resolve("tls/localhost.p12"), "changeit");
        for (String user : new String[] {"alice", "bob"}) {
            assertThat(first.cli(dataDir, "user", "add", user + "@localhost", user + "-secret")).isZero();
        }
        BareJid service = JidCreate.bareFrom("pubsub.localhost");

        XMPPTCPConnection alice = XmppTestClients.smack(first.c2sPort, "alice", "alice-secret", "desk", trust);
        XMPPTCPConnection bob = XmppTestClients.smack(first.c2sPort, "bob", "bob-secret", "phone", trust);
        alice.connect().login();
        bob.connect().login();
        FillableConfigureForm form = PubSubManager.getInstanceFor(alice, service).getDefaultConfiguration().getFillableForm();
        form.setMaxItems(3);
        form.setTitle("Roof sensors");
        LeafNode a = (LeafNode) PubSubManager.getInstanceFor(alice, service).createNode("roof", form);
        a.publish(item("t1", 20));
        a.publish(item("t2", 21));
        PubSubManager.getInstanceFor(bob, service).getLeafNode("roof").subscribe(bob.getUser().asBareJid());
        alice.disconnect();
        bob.disconnect();

        // clean restart
        assertThat(first.terminate()).isIn(0, 143);
        ServerProcess second = start(ports);
        alice = XmppTestClients.smack(second.c2sPort, "alice", "alice-secret", "desk", trust);
        bob = XmppTestClients.smack(second.c2sPort, "bob", "bob-secret", "phone", trust);
        BlockingQueue<String> atBob = new LinkedBlockingQueue<>();
        bob.addAsyncStanzaListener(s -> atBob.add(s.toXML().toString().replace('\'', '"')),
                new AndFilter(StanzaTypeFilter.MESSAGE, FromMatchesFilter.createBare(service)));
        alice.connect().login();
        bob.connect().login();
        LeafNode b = PubSubManager.getInstanceFor(bob, service).getLeafNode("roof");
        assertThat(ids(b)).containsExactly("t1", "t2");
        assertThat(b.getSubscriptions()).extracting(Subscription::getState).containsExactly(Subscription.State.subscribed);
        a = PubSubManager.getInstanceFor(alice, service).getLeafNode("roof");
        assertThat(a.getNodeConfiguration().getMaxItems()).isEqualTo(3);
        assertThat(a.getNodeConfiguration().getDataForm().getField("pubsub#title").getFirstValue()).isEqualTo("Roof sensors");
        a.publish(item("t3", 22));
        String note = atBob.poll(60, TimeUnit.SECONDS);
        assertThat(note).as("bob's subscription came back with its partition").isNotNull().contains("id=\"t3\"");

        // a retraction answered just before a crash stays done
        a.deleteItem("t1");
        alice.disconnect();
        bob.disconnect();
        second.kill();
        try (ServerProcess third = start(ports)) {
            XMPPTCPConnection bob2 = XmppTestClients.smack(third.c2sPort, "bob", "bob-secret", "phone", trust);
            bob2.connect().login();
            try {
                assertThat(ids(PubSubManager.getInstanceFor(bob2, service).getLeafNode("roof"))).containsExactly("t2", "t3");
            } finally {
                bob2.disconnect();
            }
            assertThat(third.terminate()).isIn(0, 143);
        }
    }

    private ServerProcess start(ServerProcess.Ports ports) throws Exception {
        ServerProcess p = ServerProcess.start(dataDir, ports, log);
        started.add(p);
        return p;
    }
}
