package org.kaiku.engine.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.kaiku.engine.config.EngineSettings;
import org.kaiku.engine.config.SettingsException;
import org.kaiku.protocol.sasl.ChannelBinding;
import org.kaiku.protocol.sasl.ChannelBindings;

/**
 * The server's TLS key and certificate (RFC 6120 section 5, XEP-0368). With no keystore
 * configured, a self-signed certificate for the domain is made on first run with the JDK's own
 * {@code keytool} and kept under {@code <data-dir>/tls/}, so later runs present the same
 * certificate and a client that pinned it keeps working.
 */
public final class TlsMaterial {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final SSLContext context;
    private final X509Certificate certificate;
    private final ChannelBinding serverEndPoint;

    private TlsMaterial(SSLContext context, X509Certificate certificate) {
        this.context = context;
        this.certificate = certificate;
        this.serverEndPoint = ChannelBindings.tlsServerEndPoint(certificate).orElse(null);
    }

    public static TlsMaterial load(EngineSettings settings) {
        Path keystore = settings.keystore();
        String key = "kaiku.tls.keystore";
        if (keystore == null) {
            keystore = settings.dataDir().resolve("tls").resolve(settings.domain() + ".p12");
            if (!Files.exists(keystore)) {
                generateSelfSigned(keystore, settings.domain(), settings.keystorePassword());
            }
        } else if (!Files.isReadable(keystore)) {
            throw new SettingsException(key, "cannot read " + keystore);
        }
        char[] password = settings.keystorePassword().toCharArray();
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
            X509Certificate cert = null;
            for (Enumeration<String> aliases = ks.aliases(); aliases.hasMoreElements(); ) {
                String alias = aliases.nextElement();
                if (ks.isKeyEntry(alias) && ks.getCertificate(alias) instanceof X509Certificate x) {
                    cert = x;
                    break;
                }
            }
            if (cert == null) {
                throw new SettingsException(key, keystore + " holds no private key with an X.509 certificate");
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return new TlsMaterial(ctx, cert);
        } catch (IOException | GeneralSecurityException e) {
            throw new SettingsException(key, "cannot load " + keystore + ": " + e.getMessage(), e);
        }
    }

    private static void generateSelfSigned(Path keystore, String domain, String password) {
        try {
            Files.createDirectories(keystore.getParent());
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            // RSA rather than ECDSA: older TLS stacks in XMPP clients still in use handle it best.
            List<String> cmd = List.of(keytool.toString(), "-genkeypair", "-alias", "kaiku", "-keyalg", "RSA",
                    "-keysize", "2048", "-sigalg", "SHA256withRSA", "-validity", "3650",
                    "-dname", "CN=" + domain, "-ext", "SAN=dns:" + domain + (domain.equals("localhost") ? ",ip:127.0.0.1,ip:::1" : ""),
                    "-storetype", "PKCS12", "-keystore", keystore.toString(),
                    "-storepass", password, "-keypass", password);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new SettingsException("kaiku.tls.keystore", "keytool could not make a self-signed certificate: " + out);
            }
        } catch (IOException e) {
            throw new SettingsException("kaiku.tls.keystore", "cannot make " + keystore + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SettingsException("kaiku.tls.keystore", "interrupted while making a certificate");
        }
    }

    /** A server-mode engine for one connection; TLS 1.2 and 1.3 only. */
    public SSLEngine newServerEngine() {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters params = engine.getSSLParameters();
        params.setProtocols(PROTOCOLS);
        engine.setSSLParameters(params);
        return engine;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /**
     * The tls-server-end-point channel binding of our certificate (RFC 5929 section 4), computed
     * once; null when the certificate's signature hash gives none.
     */
    public ChannelBinding serverEndPointBinding() {
        return serverEndPoint;
    }
}
