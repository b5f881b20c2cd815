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
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.jxmpp.jid.impl.JidCreate;
import org.kaiku.engine.testing.XmppTestClients;

/**
 * Issue 7 point 11, the seed's own clients against the server as users launch it: Debian's
 * {@code go-sendxmpp} (STARTTLS, SASL, its own XMPP library) sends a message that a Smack client
 * receives, then listens and prints the message a Smack client sends it. The CI script installs
 * go-sendxmpp; outside CI the test is skipped when the command is missing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SeedClientsTest {
    private final Path work = Path.of("target", "seed-clients-" + System.nanoTime()).toAbsolutePath();
    private final Path dataDir = work.resolve("data");
    private final List<ServerProcess> started = new ArrayList<>();
    private final List<Process> clients = new ArrayList<>();

    @AfterAll
    void cleanUp() throws Exception {
        for (Process p : clients) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        ServerProcess.cleanUp(started, dataDir);
    }

    @Test
    void goSendxmppSendsAndReceives() throws Exception {
        boolean ci = "true".equals(System.getenv("CI"));
        if (!ci) {
            assumeThat(onPath("go-sendxmpp")).as("go-sendxmpp on PATH (apt-get install go-sendxmpp)").isTrue();
        }
        Files.createDirectories(work);
        ServerProcess server = ServerProcess.start(dataDir, ServerProcess.Ports.free(), work.resolve("server.log"));
        started.add(server);
        assertThat(server.cli(dataDir, "user", "add", "alice@localhost", "alice-secret")).isZero();
        assertThat(server.cli(dataDir, "user", "add", "gopher@localhost", "gopher-secret")).isZero();
        X509TrustManager trust = XmppTestClients.trustNode(dataDir.resolve("tls/localhost.p12"), "changeit");
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
