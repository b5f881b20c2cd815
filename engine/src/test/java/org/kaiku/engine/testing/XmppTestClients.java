package org.kaiku.engine.testing;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.jivesoftware.smack.ConnectionConfiguration;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;

/**
 * Real clients for c2s tests: Smack over STARTTLS trusting the node's own certificate, and raw
 * sockets. Shared with deploy's end-to-end tests through engine's test jar.
 */
public final class XmppTestClients {
    static {
        // the server adds XEP-0153's element to presence; see the provider for why Smack needs one
        org.jivesoftware.smack.provider.ProviderManager.addExtensionProvider("x", VCardUpdateProvider.NAMESPACE,
                new VCardUpdateProvider());
    }

    private XmppTestClients() {
    }

    /** Trusts exactly the certificate the node made under its data dir. */
    public static X509TrustManager trustNode(Path keystore, String password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, password.toCharArray());
        }
        Certificate cert = ks.getCertificate(ks.aliases().nextElement());
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("kaiku", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return (X509TrustManager) tmf.getTrustManagers()[0];
    }

    public static XMPPTCPConnection smack(int port, String user, String password, String resource, X509TrustManager trust) throws Exception {
        XMPPTCPConnectionConfiguration conf = XMPPTCPConnectionConfiguration.builder()
                .setXmppDomain("localhost")
                .setHostAddress(InetAddress.getByName("127.0.0.1"))
                .setPort(port)
                .setUsernameAndPassword(user, password)
                .setResource(resource)
                .setSecurityMode(ConnectionConfiguration.SecurityMode.required)
                .setCustomX509TrustManager(trust)
                .build();
        XMPPTCPConnection c = new XMPPTCPConnection(conf);
        c.setReplyTimeout(20_000);
        return c;
    }

    /**
     * Sends raw bytes (in 64 KiB writes) and returns everything the server wrote until it closed
     * the connection. A reader thread runs meanwhile, so what the server said survives even when
     * it resets a connection we were still writing to.
     */
    public static String raw(int port, byte[] data) throws Exception {
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        try (Socket s = new Socket(InetAddress.getByName("127.0.0.1"), port)) {
            s.setSoTimeout(30_000);
            Thread reader = new Thread(() -> {
                byte[] buf = new byte[8192];
                try {
                    InputStream in = s.getInputStream();
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        synchronized (got) {
                            got.write(buf, 0, n);
                        }
                    }
                } catch (java.io.IOException e) {
                    // reset or timeout: keep what arrived
                }
            });
            reader.start();
            OutputStream out = s.getOutputStream();
            try {
                for (int off = 0; off < data.length; off += 65536) {
                    out.write(data, off, Math.min(65536, data.length - off));
                }
                out.flush();
            } catch (java.io.IOException e) {
                // The server may close while we are still writing a huge stanza.
            }
            reader.join(35_000);
        }
        synchronized (got) {
            return got.toString(StandardCharsets.UTF_8);
        }
    }

    /** Everything the server sends until it closes the connection (a reset counts as the end). */
    public static String readToEnd(java.io.InputStream in) {
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                got.write(buf, 0, n);
            }
        } catch (java.io.IOException e) {
            // reset after the server closed: what we read is what we got
        }
        return got.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A chat message with a body, built by the sending connection's stanza factory. */
    public static org.jivesoftware.smack.packet.Message chat(XMPPTCPConnection from, org.jxmpp.jid.Jid to, String body) {
        return from.getStanzaFactory().buildMessageStanza().to(to)
                .ofType(org.jivesoftware.smack.packet.Message.Type.chat).setBody(body).build();
    }

    /**
     * Makes two logged-in clients mutual contacts (both accept every request, each asks the other)
     * and waits until each sees the other online. Nothing is asked again when they already are.
     */
    public static void befriend(XMPPTCPConnection a, XMPPTCPConnection b) throws Exception {
        org.jivesoftware.smack.roster.Roster ra = org.jivesoftware.smack.roster.Roster.getInstanceFor(a);
        org.jivesoftware.smack.roster.Roster rb = org.jivesoftware.smack.roster.Roster.getInstanceFor(b);
        ra.setSubscriptionMode(org.jivesoftware.smack.roster.Roster.SubscriptionMode.accept_all);
        rb.setSubscriptionMode(org.jivesoftware.smack.roster.Roster.SubscriptionMode.accept_all);
        org.jxmpp.jid.BareJid ja = a.getUser().asBareJid();
        org.jxmpp.jid.BareJid jb = b.getUser().asBareJid();
        if (!ra.contains(jb)) {
            ra.createItemAndRequestSubscription(jb, jb.getLocalpartOrNull().toString(), null);
        }
        if (!rb.contains(ja)) {
            rb.createItemAndRequestSubscription(ja, ja.getLocalpartOrNull().toString(), null);
        }
        await(ja + " and " + jb + " see each other", () -> ra.getPresence(jb).isAvailable() && rb.getPresence(ja).isAvailable());
    }

    public static String streamOpen() {
        return "<?xml version='1.0'?><stream:stream to='localhost' xmlns='jabber:client' "
                + "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";
    }

    /** Waits for a condition to hold (not a timing assertion: the deadline only bounds a failing test). */
    public static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    /** A call to a Smack API that may fail with a stanza error. */
    public interface Call {
        void run() throws Exception;
    }

    /** The condition of the stanza error the call failed with, or null when it succeeded. */
    public static org.jivesoftware.smack.packet.StanzaError.Condition errorCondition(Call call) throws Exception {
        try {
            call.run();
            return null;
        } catch (org.jivesoftware.smack.XMPPException.XMPPErrorException e) {
            return e.getStanzaError().getCondition();
        }
    }
}
