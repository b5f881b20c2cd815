package org.kaiku.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.igniterealtime.smack.inttest.Configuration;
import org.igniterealtime.smack.inttest.SmackIntegrationTestFramework;
import org.igniterealtime.smack.inttest.XmppConnectionDescriptor;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.kaiku.engine.module.ModuleRegistry;
import org.kaiku.engine.testing.XmppTestClients;

/**
 * Smack's own server test suite (smack-integration-test, the SmackIntegrationTestFramework) run
 * in this JVM against a Kaiku node in its own process with its own Cassandra node, as an operator
 * starts it ({@link ServerProcess}). The suite makes and deletes its accounts through the
 * XEP-0133 add-user and delete-user commands of an administrator made with {@code kaiku user add}
 * (its in-band registration mode registers every account on one stream, which Kaiku refuses after
 * the first, as XEP-0077 section 3.1.1 allows); it trusts exactly the node's self-signed
 * certificate.
 *
 * <p>What the run yields: {@code target/smack-inttest/results.tsv} (one line per suite test:
 * class, method, connection, specification, outcome, reason) and the expected
 * {@code docs/compliance.md} (claims from the modules' {@code @Xep} annotations next to the
 * suite's outcomes, see {@link SmackSuiteReport}), which must equal the committed one.
 *
 * <p>What it asserts: every test of a specification Kaiku claims passes (RFC 6120 and RFC 6121,
 * the core every module builds on, and each XEP a module claims as complete or partial), except
 * the ones in {@link #KNOWN_FAILURES}, each with its reason. A claimed test that fails is run once
 * more on its own before it counts (printed and kept in results.tsv when only the rerun passed).
 * Tests of specifications Kaiku does not claim may fail or be impossible; they are listed in the
 * document with the reason.
 *
 * <p>Cost: one node start with a fresh Cassandra (about a minute here) and the suite, about two
 * minutes on an idle machine; each wait for an answer is bounded by {@link #REPLY_TIMEOUT_MS}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SmackSuiteTest {
    /**
     * Suite classes not run at all, each with the reason (the document lists them). The framework
     * would otherwise start them: a class that cannot even be set up here aborts the whole run.
     */
    static final Map<String, String> DISABLED = new LinkedHashMap<>();

    static {
        DISABLED.put("ModularXmppClientToServerConnectionLowLevelIntegrationTest",
                "Smack's modular connection finds the server through DNS and takes no port from the suite's "
                        + "configuration; the node listens on a free port, so the same c2s checks run through XMPPTCPConnection");
    }

    /**
     * Tests of claimed specifications that fail for a reason too large to fix here, each with it.
     * Keys are {@code SimpleClassName.method}. Every entry is listed in docs/compliance.md as a
     * known failure whatever one run gave (some depend on timing); one that passes is printed, so
     * a fixed one can be taken off.
     */
    static final Map<String, String> KNOWN_FAILURES = new LinkedHashMap<>();

    static {
        // XEP-0313: MessageArchiver writes the archive behind delivery, and a query waits for the
        // account's writes in flight on its node (MessageArchiver.settled), so MamIntegrationTest's
        // query made the moment a message arrived sees it: no longer a known failure.
        // XEP-0045 section 10.2 lists muc#roomconfig_enablelogging (public logs of the room); Kaiku
        // archives rooms with XEP-0313 instead and does not offer the field, so the test cannot run.
        // RFC 6121 section 2.5.2: removing a contact makes the user's entity send the contact an
        // unsubscribe; the entity answers the roster iq without waiting for the contact's entity to
        // deliver it (the RFC sets no order). The suite empties both rosters, then at once listens
        // for a subscribe from the same user and may hear that late unsubscribe first.
        KNOWN_FAILURES.put("RosterIntegrationTest.testPresenceDeliveredToRecipient",
                "removing a contact is answered before the contact's entity delivered the unsubscribe it causes (RFC 6121"
                        + " 2.5.2 sets no order); the test, right after emptying both rosters, may hear that late unsubscribe"
                        + " first; depends on timing");
        KNOWN_FAILURES.put("MultiUserChatOccupantIntegrationTest.mucJoinRoomWithPublicLoggingTest",
                "not possible: muc#roomconfig_enablelogging is not offered (public room logs; rooms are archived with XEP-0313"
                        + " instead), within the partial XEP-0045 claim");
    }

    /**
     * Why tests of specifications Kaiku does not claim fail or cannot run, for the document (whose
     * text must not change from run to run; results.tsv has each failure's own message).
     */
    static final Map<String, String> UNCLAIMED_REASONS = new LinkedHashMap<>();

    static {
        String noPep = "no PEP (XEP-0163): the account answers pubsub publish with service-unavailable";
        for (String c : List.of("GeolocationIntegrationTest", "MoodIntegrationTest", "UserTuneIntegrationTest")) {
            UNCLAIMED_REASONS.put(c + ".testNotification", noPep);
            UNCLAIMED_REASONS.put(c + ".testNotificationAfterFilterChange", noPep);
        }
        String noPubsub = "no publish-subscribe service (XEP-0060) yet";
        UNCLAIMED_REASONS.put("PubSubIntegrationTest.transientNotificationOnlyNodeWithItemTest", noPubsub);
        UNCLAIMED_REASONS.put("PubSubIntegrationTest.transientNotificationOnlyNodeWithoutItemTest", noPubsub);
        UNCLAIMED_REASONS.put("IoTDiscoveryIntegrationTest.registerClaimAndUnregisterThing", "no IoT registry (XEP-0347)");
        String noPepForE2e = "needs PEP (XEP-0163), which Kaiku does not offer yet";
        UNCLAIMED_REASONS.put("OXInstantMessagingIntegrationTest.basicInstantMessagingTest", noPepForE2e);
        UNCLAIMED_REASONS.put("OXSecretKeyBackupIntegrationTest.test", noPepForE2e);
        for (String t : List.of("MessageEncryptionIntegrationTest.messageTest", "OmemoMamDecryptionTest.mamDecryptionTest",
                "ReadOnlyDeviceIntegrationTest.test", "SessionRenegotiationIntegrationTest.sessionRenegotiationTest")) {
            UNCLAIMED_REASONS.put(t, noPepForE2e);
        }
    }

    /** The specifications of the suite classes that do not name one, by simple class name. */
    static final Map<String, String> UNREFERENCED = Map.ofEntries(
            Map.entry("ChatTest", "RFC 6121"),
            Map.entry("IncomingMessageListenerIntegrationTest", "RFC 6121"),
            Map.entry("OutgoingMessageListenerIntegrationTest", "RFC 6121"),
            Map.entry("LowLevelRosterIntegrationTest", "RFC 6121"),
            Map.entry("LoginIntegrationTest", "RFC 6120"),
            Map.entry("WaitForClosingStreamElementTest", "RFC 6120"),
            Map.entry("XmppConnectionIntegrationTest", "RFC 6120"),
            Map.entry("SimpleXmppConnectionIntegrationTest", "RFC 6120"),
            Map.entry("ModularXmppClientToServerConnectionLowLevelIntegrationTest", "RFC 6120"),
            Map.entry("StreamManagementTest", "XEP-0198"),
            Map.entry("FormTest", "XEP-0004"));

    private static final String ADMIN = "sinttest-admin";
    private static final String ADMIN_PASSWORD = "sinttest-admin-secret";

    /** How long a suite test waits for one answer (the framework's default is 47 s). */
    static final int REPLY_TIMEOUT_MS = 15_000;

    private final Path work = Path.of("target", "smack-inttest").toAbsolutePath();
    private final Path dataDir = work.resolve("data-" + System.nanoTime());
    private final List<ServerProcess> started = new ArrayList<>();

    @AfterAll
    void cleanUp() throws Exception {
        ServerProcess.cleanUp(started, dataDir);
    }

    @Test
    void smackSuitePassesForEveryClaimedSpecification() throws Exception {
        Files.createDirectories(work);
        ServerProcess.Ports ports = ServerProcess.Ports.free();
        int uploadPort = freePort();
        ServerProcess node = ServerProcess.start(dataDir, ports, work.resolve("server.log"), List.of(
                "kaiku.admins = [\"" + ADMIN + "@localhost\"]",
                "kaiku.upload.enabled = on",
                "kaiku.upload.port = " + uploadPort,
                // the certificate names localhost, so the URLs the client checks must too
                "kaiku.upload.public-url = \"https://localhost:" + uploadPort + "\""));
        started.add(node);
        assertThat(node.cli(dataDir, "user", "add", ADMIN + "@localhost", ADMIN_PASSWORD)).isZero();

        X509TrustManager trust = XmppTestClients.trustNode(dataDir.resolve("tls/localhost.p12"), "changeit");
        // The upload test's HTTPS requests use the JVM's default socket factory: trust the node there
        // for the run (the suite's own TLS pin setting does not reach Smack 4.5's TLS, which
        // re-initialises the pinned context with the default trust managers).
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {trust}, null);
        SSLSocketFactory defaultFactory = HttpsURLConnection.getDefaultSSLSocketFactory();
        HttpsURLConnection.setDefaultSSLSocketFactory(tls.getSocketFactory());
        SmackSuiteReport report;
        try {
            SmackIntegrationTestFramework.TestRunResult result = new SmackIntegrationTestFramework(configuration(node, trust, List.of())).run();
            new SmackIntegrationTestFramework.JulTestRunResultProcessor().process(result);
            report = SmackSuiteReport.of(result, ModuleRegistry.load("localhost", "Kaiku", "test"),
                    DISABLED, KNOWN_FAILURES, UNCLAIMED_REASONS, UNREFERENCED);
            // Tests of claimed specifications that failed run once more, on their own, before they
            // count: a loaded machine (six builds on two cores) can miss a reply timeout. What passed
            // only the second time is printed and kept in results.tsv.
            List<String> again = report.unexpectedFailures().stream().map(SmackSuiteReport.Row::qualifiedId).distinct().toList();
            if (!again.isEmpty()) {
                SmackIntegrationTestFramework.TestRunResult rerun = new SmackIntegrationTestFramework(configuration(node, trust, again)).run();
                report = report.withRerun(rerun);
                System.out.println("passed only on the rerun: " + report.passedOnRerun());
            }
        } finally {
            HttpsURLConnection.setDefaultSSLSocketFactory(defaultFactory);
            assertThat(node.terminate()).isIn(0, 143);
        }

        Files.writeString(work.resolve("results.tsv"), report.tsv());
        String expectedDoc = report.markdown();
        Files.writeString(work.resolve("compliance.md"), expectedDoc);
        System.out.println(report.totalsLine());

        assertThat(report.unexpectedFailures())
                .as("tests of claimed specifications that failed (see target/smack-inttest/results.tsv and server.log)")
                .isEmpty();
        if (!report.knownFailuresThatPassed().isEmpty()) {
            // not asserted: some known failures depend on timing
            System.out.println("known failures that passed this time (fixed? then take them off KNOWN_FAILURES): "
                    + report.knownFailuresThatPassed());
        }
        Path doc = Path.of("..", "docs", "compliance.md");
        String committed = Files.exists(doc) ? Files.readString(doc) : "";
        if (!committed.equals(expectedDoc)) {
            System.out.println("docs/compliance.md differs from this run (unclaimed outcomes may vary); to take this run's:"
                    + " cp deploy/target/smack-inttest/compliance.md docs/compliance.md");
        }
        // What must not go stale: the claims, the list of suite tests and the outcomes of claimed
        // ones. Outcomes of unclaimed specifications are not asserted (they may vary between runs
        // on a loaded machine and are not rerun), so they are left out of the comparison.
        assertThat(claimedView(committed))
                .as("docs/compliance.md is stale; from the repository root: cp deploy/target/smack-inttest/compliance.md docs/compliance.md")
                .isEqualTo(claimedView(expectedDoc));
    }

    /**
     * The document without what depends on unclaimed outcomes: the totals table, and the counts
     * and outcomes on the rows of specifications not claimed.
     */
    static String claimedView(String doc) {
        StringBuilder out = new StringBuilder();
        boolean totals = false;
        for (String line : doc.split("\n", -1)) {
            if (line.startsWith("## ")) {
                totals = line.equals("## Totals");
            }
            if (totals) {
                continue;
            }
            String[] cells = line.split("\\|", -1);
            boolean unclaimedSpec = cells.length > 3 && cells[2].trim().equals("no");
            boolean unclaimedTest = cells.length > 3 && cells[1].contains("(not claimed)");
            if (unclaimedSpec || unclaimedTest) {
                out.append(cells[1].trim()).append(" | ").append(cells[2].trim()).append('\n');
            } else {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    /** The suite's settings: the node's domain, address and port, its certificate trusted, accounts made by the administrator. */
    private Configuration configuration(ServerProcess node, X509TrustManager trust, List<String> onlyTests) throws Exception {
        // The suite's connections take the server's address from the descriptor named "tcp" (its
        // default): this one adds the node's loopback address and port and trusts its certificate. The modular and WebSocket
        // descriptors are dropped, since the suite would try them on the default port.
        for (String nick : List.of("modular", "modular-nocompress", "modular-websocket-okhttp", "modular-websocket-java11")) {
            org.igniterealtime.smack.inttest.XmppConnectionManager.removeConnectionDescriptor(nick);
        }
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        org.igniterealtime.smack.inttest.XmppConnectionManager.addConnectionDescriptor(
                XmppConnectionDescriptor.buildWith(XMPPTCPConnection.class, XMPPTCPConnectionConfiguration.class,
                                XMPPTCPConnectionConfiguration.Builder.class)
                        .withNickname("tcp")
                        .applyExtraConfiguration(b -> b.setHostAddress(loopback).setPort(node.c2sPort).setCustomX509TrustManager(trust))
                        .build());
        Configuration.Builder b = Configuration.builder();
        if (!onlyTests.isEmpty()) {
            b.setEnabledTests(String.join(",", onlyTests));
        }
        return b
                .setService("localhost")
                .setAdminAccountUsernameAndPassword(ADMIN, ADMIN_PASSWORD)
                .setSecurityMode("required")
                .setReplyTimeout(String.valueOf(REPLY_TIMEOUT_MS))
                .setDefaultConnection("tcp")
                .setEnabledConnections("tcp")
                .setDisabledTests(String.join(",", DISABLED.keySet()))
                .addTestPackages(new String[] {"org.jivesoftware.smack", "org.jivesoftware.smackx"})
                .build();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
