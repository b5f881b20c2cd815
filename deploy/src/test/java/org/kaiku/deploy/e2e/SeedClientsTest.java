package org.kaiku.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.X509TrustManager;
import org.jivesoftware.smack.filter.MessageTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.kaiku.engine.testing.XmppTestClients;

/**
 * Issue 7 point 11, the seed's own clients against the server as users launch it (one server
 * process for the class):
 * <ul>
 *   <li>Debian's {@code go-sendxmpp} (STARTTLS, SASL, its own XMPP library) sends a message that a
 *       Smack client receives, then listens and prints the message a Smack client sends it;</li>
 *   <li>Finch, libpurple's text client (Pidgin's library), run in a tmux pane: it logs in over
 *       STARTTLS with its own account files, shows a Smack contact online (and is seen online),
 *       receives the contact's message (its conversation log holds it) and answers it, typed
 *       into its conversation window as a person would.</li>
 * </ul>
 * The CI script installs go-sendxmpp, finch and tmux; outside CI a test is skipped when its
 * tool is missing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SeedClientsTest {
    private final Path work = Path.of("target", "seed-clients-" + System.nanoTime()).toAbsolutePath();
    private final Path dataDir = work.resolve("data");
    private final List<ServerProcess> started = new ArrayList<>();
    private final List<Process> clients = new ArrayList<>();

    private ServerProcess server;
    private X509TrustManager trust;
    private String tmuxSocket;

    /** The server of this class, started by the first test that needs it. */
    private ServerProcess server() throws Exception {
        if (server == null) {
            Files.createDirectories(work);
            server = ServerProcess.start(dataDir, ServerProcess.Ports.free(), work.resolve("server.log"));
            started.add(server);
            for (String user : List.of("alice", "gopher", "bob", "finch")) {
                assertThat(server.cli(dataDir, "user", "add", user + "@localhost", user + "-secret")).isZero();
            }
            trust = XmppTestClients.trustNode(dataDir.resolve("tls/localhost.p12"), "changeit");
        }
        return server;
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (tmuxSocket != null) {
            new ProcessBuilder("tmux", "-L", tmuxSocket, "kill-server").start().waitFor(30, TimeUnit.SECONDS);
        }
        for (Process p : clients) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        ServerProcess.cleanUp(started, dataDir);
    }

    @Test
    void goSendxmppSendsAndReceives() throws Exception {
        requireTools("go-sendxmpp");
        ServerProcess server = server();
        XMPPTCPConnection alice = XmppTestClients.smack(server.c2sPort, "alice", "alice-secret", "phone", trust);
        BlockingQueue<Message> aliceGot = new LinkedBlockingQueue<>();
        try {
            alice.connect().login();
            alice.addSyncStanzaListener(st -> aliceGot.add((Message) st), MessageTypeFilter.NORMAL_OR_CHAT);

            // go-sendxmpp reads the message from a file; -n: our certificate is self-signed
            Path text = work.resolve("message.txt");
            Files.writeString(text, "hello from go-sendxmpp");
            Process send = goSendxmpp(server, "-m", text.toString(), "alice@localhost");
            String sendOutput = new String(send.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(send.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(send.exitValue()).as(sendOutput).isZero();
            Message got = aliceGot.poll(30, TimeUnit.SECONDS);
            assertThat(got).as("the message go-sendxmpp sent").isNotNull();
            assertThat(got.getBody()).isEqualTo("hello from go-sendxmpp");
            assertThat(got.getFrom().asBareJid().toString()).isEqualTo("gopher@localhost");

            Process listen = goSendxmpp(server, "-l");
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> new java.io.BufferedReader(new java.io.InputStreamReader(listen.getInputStream(),
                    StandardCharsets.UTF_8)).lines().forEach(lines::add), "go-sendxmpp-out");
            reader.setDaemon(true);
            reader.start();
            // go-sendxmpp is online once its presence reaches a contact; with no roster, send until it prints
            String seen = null;
            for (int attempt = 0; attempt < 30 && seen == null; attempt++) {
                alice.sendStanza(XmppTestClients.chat(alice, JidCreate.from("gopher@localhost"), "hello gopher " + attempt));
                String line = lines.poll(2, TimeUnit.SECONDS);
                while (line != null && !line.contains("hello gopher")) {
                    line = lines.poll(2, TimeUnit.SECONDS);
                }
                seen = line;
            }
            assertThat(seen).as("go-sendxmpp -l printed Alice's message").isNotNull().contains("alice@localhost");
            listen.destroy();
            listen.waitFor(30, TimeUnit.SECONDS);
        } finally {
            alice.disconnect();
        }
    }

    @Test
    void finchLogsInSeesAContactAndChats() throws Exception {
        requireTools("finch", "tmux");
        ServerProcess server = server();
        BareJid finchJid = JidCreate.bareFrom("finch@localhost");
        BareJid bobJid = JidCreate.bareFrom("bob@localhost");
        // Finch's roster: bob and finch subscribe to each other first, through Smack as finch
        XMPPTCPConnection setup = XmppTestClients.smack(server.c2sPort, "finch", "finch-secret", "setup", trust);
        XMPPTCPConnection bob = XmppTestClients.smack(server.c2sPort, "bob", "bob-secret", "phone", trust);
        BlockingQueue<Message> bobGot = new LinkedBlockingQueue<>();
        try {
            setup.connect().login();
            bob.connect().login();
            bob.addSyncStanzaListener(st -> bobGot.add((Message) st), MessageTypeFilter.NORMAL_OR_CHAT);
            Roster setupRoster = Roster.getInstanceFor(setup);
            Roster bobRoster = Roster.getInstanceFor(bob);
            setupRoster.setSubscriptionMode(Roster.SubscriptionMode.accept_all);
            bobRoster.setSubscriptionMode(Roster.SubscriptionMode.accept_all);
            bobRoster.createItemAndRequestSubscription(finchJid, "Finch", null);
            setupRoster.createItemAndRequestSubscription(bobJid, "Bob", null);
            XmppTestClients.await("bob and finch see each other", () -> bobRoster.getPresence(finchJid).isAvailable()
                    && setupRoster.getPresence(bobJid).isAvailable());
            setup.disconnect();
            XmppTestClients.await("finch's setup session gone", () -> !bobRoster.getPresence(finchJid).isAvailable());

            Path purple = finchConfig(server);
            tmuxSocket = "kaiku-seed-" + ProcessHandle.current().pid();
            run("tmux", "-L", tmuxSocket, "new-session", "-d", "-s", "finch", "-x", "160", "-y", "45",
                    "finch -c " + purple + " 2> " + work.resolve("finch.stderr"));

            XmppTestClients.await("bob sees Finch online", () -> bobRoster.getPresences(finchJid).stream()
                    .anyMatch(p -> p.isAvailable() && p.getFrom().getResourceOrEmpty().toString().equals("finch")));
            XmppTestClients.await("Finch's buddy list shows bob", () -> pane().contains("Bob"));

            bob.sendStanza(XmppTestClients.chat(bob, finchJid, "hello finch, bob here"));
            Path log = purple.resolve("logs/jabber/finch@localhost/bob@localhost");
            XmppTestClients.await("Finch logged bob's message", () -> readAll(log).contains("hello finch, bob here"));

            // the message opened a conversation window; Alt-n moves the focus to it (from the buddy list)
            XmppTestClients.await("the reply is typed into the conversation", () -> {
                if (pane().contains("reply from finch_")) {
                    return true;
                }
                run("tmux", "-L", tmuxSocket, "send-keys", "-t", "finch", "C-u");
                run("tmux", "-L", tmuxSocket, "send-keys", "-t", "finch", "M-n");
                run("tmux", "-L", tmuxSocket, "send-keys", "-t", "finch", "-l", "reply from finch");
                return pane().contains("reply from finch_");
            });
            run("tmux", "-L", tmuxSocket, "send-keys", "-t", "finch", "Enter");
            Message reply = bobGot.poll(30, TimeUnit.SECONDS);
            assertThat(reply).as("Finch's answer reached bob").isNotNull();
            assertThat(reply.getBody()).isEqualTo("reply from finch");
            assertThat(reply.getFrom().toString()).isEqualTo("finch@localhost/finch");
        } finally {
            setup.disconnect();
            bob.disconnect();
        }
    }

    /**
     * Finch's own files, as its account dialog would write them: the account (STARTTLS required,
     * server 127.0.0.1 and the test's port), conversation logs on, and the server's self-signed
     * certificate accepted once for 127.0.0.1 (libpurple's tls_peers store, what "Accept" in its
     * certificate dialog records).
     */
    private Path finchConfig(ServerProcess server) throws Exception {
        Path purple = work.resolve("purple");
        Path peers = Files.createDirectories(purple.resolve("certificates/x509/tls_peers"));
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(dataDir.resolve("tls/localhost.p12"))) {
            ks.load(in, "changeit".toCharArray());
        }
        java.security.cert.Certificate cert = ks.getCertificate(ks.aliases().nextElement());
        String pem = "-----BEGIN CERTIFICATE-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        Files.writeString(peers.resolve("127.0.0.1"), pem);
        Files.writeString(purple.resolve("accounts.xml"), "<?xml version='1.0' encoding='UTF-8' ?>\n"
                + "<account version='1.0'><account><protocol>prpl-jabber</protocol><name>finch@localhost/finch</name>"
                + "<password>finch-secret</password><settings>"
                + "<setting name='connect_server' type='string'>127.0.0.1</setting>"
                + "<setting name='port' type='int'>" + server.c2sPort + "</setting>"
                + "<setting name='connection_security' type='string'>require_tls</setting></settings>"
                + "<settings ui='gnt-purple'><setting name='auto-login' type='bool'>1</setting></settings>"
                + "</account></account>\n");
        Files.writeString(purple.resolve("prefs.xml"), "<?xml version='1.0' encoding='UTF-8' ?>\n"
                + "<pref version='1' name='/'><pref name='purple'><pref name='logging'>"
                + "<pref name='log_ims' type='bool' value='1'/><pref name='format' type='string' value='txt'/>"
                + "</pref></pref></pref>\n");
        return purple;
    }

    /** What Finch's terminal shows now. */
    private String pane() {
        try {
            Process p = new ProcessBuilder("tmux", "-L", tmuxSocket, "capture-pane", "-p", "-t", "finch").start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return text;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
            }
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every file under {@code dir}, concatenated ("" while there is none). */
    private static String readAll(Path dir) {
        if (!Files.isDirectory(dir)) {
            return "";
        }
        try (var files = Files.list(dir)) {
            StringBuilder sb = new StringBuilder();
            for (Path f : files.toList()) {
                sb.append(Files.readString(f));
            }
            return sb.toString();
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** Under CI the tools must be there (.ci/run installs them); elsewhere a missing one skips the test. */
    private static void requireTools(String... tools) {
        boolean ci = "true".equals(System.getenv("CI"));
        for (String tool : tools) {
            if (ci) {
                assertThat(onPath(tool)).as(tool + " on PATH under CI").isTrue();
            } else {
                assumeThat(onPath(tool)).as(tool + " on PATH (apt-get install " + tool + ")").isTrue();
            }
        }
    }

    private Process goSendxmpp(ServerProcess server, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("go-sendxmpp", "-u", "gopher@localhost", "-p", "gopher-secret",
                "-j", "127.0.0.1:" + server.c2sPort, "-n", "--timeout", "30"));
        cmd.addAll(List.of(args));
        // an empty config file: go-sendxmpp must not read the user's ~/.config/go-sendxmpp/sendxmpprc
        Path rc = work.resolve("sendxmpprc");
        if (!Files.exists(rc)) {
            Files.writeString(rc, "");
            Files.setPosixFilePermissions(rc, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
        cmd.addAll(1, List.of("-f", rc.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        clients.add(p);
        return p;
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
