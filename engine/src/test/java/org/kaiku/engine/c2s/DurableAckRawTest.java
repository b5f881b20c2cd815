package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
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
 * XEP-0198's 'h' for messages that are stored (issue 5, point 6): over a raw socket, a message
 * to an online resource is delivered at once but counted in 'h' only when its archive write
 * completed; a failed write is answered with resource-constraint (wait) and then counted; at
 * max-pending-durable the session stops reading; an overdue write times out into the same error.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DurableAckRawTest {
    private static final String SM = "urn:xmpp:sm:3";
    @TempDir
    static Path dataDir;
    private final GatedArchiveStore archive = new GatedArchiveStore();
    private EngineNode node;

    /** An archive store whose appends a test can hold back, count and make fail. */
    static final class GatedArchiveStore implements ArchiveStore {
        final InMemoryArchiveStore inner = new InMemoryArchiveStore();
        final AtomicInteger appends = new AtomicInteger();
        private final List<Runnable> held = new ArrayList<>();
        private boolean hold;
        private int fail;

        synchronized void hold(boolean on) {
            hold = on;
        }

        synchronized void failNext(int n) {
            fail = n;
        }

        synchronized int held() {
            return held.size();
        }

        void release() {
            List<Runnable> run;
            synchronized (this) {
                hold = false;
                run = new ArrayList<>(held);
                held.clear();
            }
            run.forEach(Runnable::run);
        }

        @Override
        public CompletionStage<Void> append(String account, ArchivedMessage message) {
            appends.incrementAndGet();
            synchronized (this) {
                if (fail > 0) {
                    fail--;
                    return CompletableFuture.failedFuture(new IllegalStateException("archive down (test)"));
                }
                if (hold) {
                    CompletableFuture<Void> out = new CompletableFuture<>();
                    held.add(() -> inner.append(account, message).whenComplete((r, e) -> out.complete(r)));
                    return out;
                }
            }
            return inner.append(account, message);
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
        node = new EngineNode(dataDir.resolve("a"), Map.of(
                "kaiku.c2s.stream-management.ack-request-every", 1000,
                "kaiku.c2s.stream-management.ack-request-delay", "10m",
                "kaiku.c2s.stream-management.max-pending-durable", 3,
                "kaiku.c2s.stream-management.durable-timeout", "10m"),
                new Stores(new InMemoryCredentialStore(), new InMemoryOfflineStore(), new InMemoryAccountDataStore(), archive));
        node.addUser("carol@localhost", "carol-secret");
    }

    @AfterAll
    void stop() throws Exception {
        node.close();
    }

    /** A note to self: to the full JID, so it reaches this resource without presence, and is archived. */
    private static String chat(String resource, String id) {
        return "<message type='chat' to='carol@localhost/" + resource + "' id='" + id + "'><body>note " + id + "</body></message>";
    }

    @Test
    void anArchivedMessageIsDeliveredAtOnceButCountedOnlyOnceWritten() throws Exception {
        try (SSLSocket s = authenticated(node, "durable1")) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            archive.hold(true);
            write(out, chat("durable1", "m1"));
            assertThat(readUntil(in, "</message>")).as("online delivery does not wait for the write").contains("id=\"m1\"");
            write(out, "<iq type='get' id='v1' to='localhost'><query xmlns='jabber:iq:version'/></iq>");
            readUntil(in, "</iq>");
            // the iq is handled, but the message before it is not stored yet: 'h' stays at 0
            assertThat(ackH(out, in)).isZero();
            archive.release();
            // the short answer is made good without a new request, once both are handled
            readUntil(in, "<a ");
            assertThat(readUntil(in, "/>")).as("unrequested ack (XEP-0198 section 4)").contains("h=\"2\"");
            write(out, "<a xmlns='" + SM + "' h='1'/></stream:stream>");
            assertThat(readToEnd(in)).doesNotContain("stream:error");
        }
    }

    @Test
    void aFailedWriteIsAnsweredWithAWaitErrorAndThenCounted() throws Exception {
        try (SSLSocket s = authenticated(node, "durable2")) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            archive.failNext(1);
            write(out, chat("durable2", "f1"));
            assertThat(readUntil(in, "</message>")).contains("id=\"f1\"").doesNotContain("type=\"error\"");
            String error = readUntil(in, "</message>");
            assertThat(error).contains("id=\"f1\"").contains("type=\"error\"").contains("type=\"wait\"")
                    .contains("<resource-constraint");
            awaitH(out, in, 1);
            write(out, "<a xmlns='" + SM + "' h='2'/></stream:stream>");
            assertThat(readToEnd(in)).doesNotContain("stream:error");
        }
    }

    @Test
    void atMaxPendingDurableTheSessionStopsReadingUntilWritesComplete() throws Exception {
        try (SSLSocket s = authenticated(node, "durable3")) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            archive.hold(true);
            int before = archive.appends.get();
            write(out, chat("durable3", "b1") + chat("durable3", "b2") + chat("durable3", "b3") + chat("durable3", "b4")
                    + "<iq type='get' id='v9' to='localhost'><query xmlns='jabber:iq:version'/></iq>");
            for (String id : List.of("b1", "b2", "b3")) {
                assertThat(readUntil(in, "</message>")).contains("id=\"" + id + "\"");
            }
            // three receipts outstanding: b4 stays unread on the socket, so no write for it yet
            assertThat(archive.held()).isEqualTo(3);
            assertThat(archive.appends.get() - before).isEqualTo(3);
            archive.release();
            // b4's copy (via the entity) and the iq result (local) may come in either order
            String rest = readUntil(in, "</iq>");
            if (!rest.contains("id=\"b4\"")) {
                rest += readUntil(in, "</message>");
            }
            assertThat(rest).contains("id=\"b4\"").contains("id=\"v9\"");
            awaitH(out, in, 5);
            write(out, "<a xmlns='" + SM + "' h='4'/></stream:stream>");
            assertThat(readToEnd(in)).doesNotContain("stream:error");
        }
    }

    @Test
    void aWriteThatNeverCompletesTimesOutIntoAWaitError() throws Exception {
        GatedArchiveStore stuck = new GatedArchiveStore();
        stuck.hold(true);
        try (EngineNode other = new EngineNode(dataDir.resolve("b"), Map.of(
                "kaiku.c2s.stream-management.ack-request-every", 1000,
                "kaiku.c2s.stream-management.ack-request-delay", "10m",
                "kaiku.c2s.stream-management.durable-timeout", "1s"),
                new Stores(new InMemoryCredentialStore(), new InMemoryOfflineStore(), new InMemoryAccountDataStore(), stuck))) {
            other.addUser("carol@localhost", "carol-secret");
            try (SSLSocket s = authenticated(other, "durable4")) {
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                write(out, chat("durable4", "t1"));
                assertThat(readUntil(in, "</message>")).contains("id=\"t1\"").doesNotContain("type=\"error\"");
                assertThat(readUntil(in, "</message>")).contains("type=\"error\"").contains("<resource-constraint");
                awaitH(out, in, 1);
                write(out, "<a xmlns='" + SM + "' h='1'/></stream:stream>");
                readToEnd(in);
            }
            stuck.release();
        }
    }

    // ------------------------------------------------------------ raw client

    /** Authenticated, bound to {@code resource}, stream management enabled. */
    private static SSLSocket authenticated(EngineNode n, String resource) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {n.trust()}, null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(InetAddress.getByName("127.0.0.1"), n.engine.c2sTlsPort());
        s.setSoTimeout(15_000);
        s.startHandshake();
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        write(out, XmppTestClients.streamOpen());
        readUntil(in, "</stream:features>");
        String plain = Base64.getEncoder().encodeToString("\0carol\0carol-secret".getBytes(StandardCharsets.UTF_8));
        write(out, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>" + plain + "</auth>");
        assertThat(readUntil(in, "/>")).contains("<success");
        write(out, XmppTestClients.streamOpen());
        readUntil(in, "</stream:features>");
        write(out, "<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>" + resource
                + "</resource></bind></iq>");
        assertThat(readUntil(in, "</iq>")).contains("carol@localhost/" + resource);
        write(out, "<enable xmlns='" + SM + "'/>");
        assertThat(readUntil(in, "/>")).contains("<enabled");
        return s;
    }

    /** Sends {@code <r/>} and returns the 'h' of the answer. */
    private static long ackH(OutputStream out, InputStream in) throws Exception {
        write(out, "<r xmlns='" + SM + "'/>");
        readUntil(in, "<a ");
        String a = readUntil(in, "/>");
        return Long.parseLong(a.replaceAll("(?s).*h=\"(\\d+)\".*", "$1"));
    }

    /** Asks until 'h' reaches {@code expected} (the entity's report travels on its own), within a deadline. */
    private static void awaitH(OutputStream out, InputStream in, long expected) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        long h;
        while ((h = ackH(out, in)) != expected) {
            assertThat(h).as("h never passes what was handled").isLessThan(expected);
            if (System.nanoTime() > deadline) {
                throw new AssertionError("h stayed at " + h + ", expected " + expected);
            }
            Thread.sleep(20);
        }
    }

    private static void write(OutputStream out, String xml) throws Exception {
        out.write(xml.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Reads byte by byte up to and including the marker, so nothing after it is consumed. */
    private static String readUntil(InputStream in, String marker) throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (!got.toString(StandardCharsets.UTF_8).endsWith(marker)) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("closed before " + marker + ": " + got.toString(StandardCharsets.UTF_8));
            }
            got.write(b);
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    private static String readToEnd(InputStream in) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                got.write(buf, 0, n);
            }
        } catch (java.io.IOException e) {
            // reset after the server closed: what we read is what we got
        }
        return got.toString(StandardCharsets.UTF_8);
    }
}
