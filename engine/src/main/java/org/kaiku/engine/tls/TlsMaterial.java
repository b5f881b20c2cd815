package org.kaiku.engine.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.kaiku.engine.config.EngineSettings;
import org.kaiku.engine.config.SettingsException;
import org.kaiku.protocol.sasl.ChannelBinding;
import org.kaiku.protocol.sasl.ChannelBindings;

/**
 * The server's TLS key and certificate (RFC 6120 section 5, XEP-0368), and the factory of the
 * connections that use them. With no keystore configured, a self-signed certificate for the
 * domain is made on first run with the JDK's own {@code keytool} and kept under
 * {@code <data-dir>/tls/}, so later runs present the same certificate and a client that pinned it
 * keeps working.
 *
 * <p>TLS runs on Bouncy Castle's TLS API rather than the JDK's SSLEngine because Java 17's JSSE
 * cannot export keying material (RFC 8446 section 7.5), which the tls-exporter channel binding
 * of SCRAM-*-PLUS needs (RFC 9266, XEP-0440). The cryptography underneath is the JDK's for the
 * record layer (JCA providers, with their AES-GCM intrinsics) and Bouncy Castle's for the
 * handshake's EC signature and X25519 (see {@link TlsCrypto}, for the cost).
 */
public final class TlsMaterial {
    /** Offered in this order; IANA names for logs. AEAD with (EC)DHE only. */
    private static final Map<Integer, String> TLS13_SUITES = orderedSuites(
            CipherSuite.TLS_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256",
            CipherSuite.TLS_AES_256_GCM_SHA384, "TLS_AES_256_GCM_SHA384",
            CipherSuite.TLS_CHACHA20_POLY1305_SHA256, "TLS_CHACHA20_POLY1305_SHA256");
    private static final Map<Integer, String> RSA_SUITES = orderedSuites(
            CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    private static final Map<Integer, String> EC_SUITES = orderedSuites(
            CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");

    private final JcaTlsCrypto crypto;
    private final PrivateKey privateKey;
    private final X509Certificate certificate;
    private final X509Certificate[] certificates;
    private final TlsCertificate[] chain;
    private final int[] cipherSuites;
    private final List<SignatureAndHashAlgorithm> tls13Schemes;
    private final List<SignatureAndHashAlgorithm> tls12Schemes;
    private final ChannelBinding serverEndPoint;

    private TlsMaterial(PrivateKey privateKey, X509Certificate[] certificates) throws IOException {
        this.crypto = new TlsCrypto();
        this.privateKey = TlsCrypto.signingKey(privateKey);
        this.certificate = certificates[0];
        this.certificates = certificates.clone();
        this.chain = new TlsCertificate[certificates.length];
        for (int i = 0; i < certificates.length; i++) {
            try {
                chain[i] = crypto.createCertificate(certificates[i].getEncoded());
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IOException("cannot encode certificate " + i + " of the chain", e);
            }
        }
        boolean rsa = privateKey.getAlgorithm().equals("RSA");
        if (rsa) {
            tls13Schemes = List.of(SignatureAndHashAlgorithm.rsa_pss_rsae_sha256, SignatureAndHashAlgorithm.rsa_pss_rsae_sha384,
                    SignatureAndHashAlgorithm.rsa_pss_rsae_sha512);
            List<SignatureAndHashAlgorithm> both = new ArrayList<>(tls13Schemes);
            both.add(SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.rsa));
            both.add(SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha384, SignatureAlgorithm.rsa));
            both.add(SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha512, SignatureAlgorithm.rsa));
            tls12Schemes = List.copyOf(both);
        } else if (privateKey instanceof ECPrivateKey ec) {
            // RFC 8446 section 4.2.3: in TLS 1.3 the hash is tied to the curve.
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            short hash = bits <= 256 ? HashAlgorithm.sha256 : bits <= 384 ? HashAlgorithm.sha384 : HashAlgorithm.sha512;
            tls13Schemes = List.of(SignatureAndHashAlgorithm.getInstance(hash, SignatureAlgorithm.ecdsa));
            tls12Schemes = List.of(SignatureAndHashAlgorithm.getInstance(hash, SignatureAlgorithm.ecdsa),
                    SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa),
                    SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha384, SignatureAlgorithm.ecdsa));
        } else {
            throw new IOException("the private key is " + privateKey.getAlgorithm() + "; only RSA and EC keys are supported");
        }
        List<Integer> suites = new ArrayList<>(TLS13_SUITES.keySet());
        suites.addAll((rsa ? RSA_SUITES : EC_SUITES).keySet());
        this.cipherSuites = TlsUtils.getSupportedCipherSuites(crypto, suites.stream().mapToInt(Integer::intValue).toArray());
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
            for (Enumeration<String> aliases = ks.aliases(); aliases.hasMoreElements(); ) {
                String alias = aliases.nextElement();
                if (ks.isKeyEntry(alias) && ks.getCertificate(alias) instanceof X509Certificate
                        && ks.getKey(alias, password) instanceof PrivateKey privateKey) {
                    java.security.cert.Certificate[] stored = ks.getCertificateChain(alias);
                    X509Certificate[] chain = new X509Certificate[stored.length];
                    for (int i = 0; i < stored.length; i++) {
                        chain[i] = (X509Certificate) stored[i];
                    }
                    return new TlsMaterial(privateKey, chain);
                }
            }
            throw new SettingsException(key, keystore + " holds no private key with an X.509 certificate");
        } catch (IOException | GeneralSecurityException e) {
            throw new SettingsException(key, "cannot load " + keystore + ": " + e.getMessage(), e);
        }
    }

    private static void generateSelfSigned(Path keystore, String domain, String password) {
        try {
            Files.createDirectories(keystore.getParent());
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            // ECDSA P-256 rather than RSA: every TLS 1.2/1.3 stack our clients use signs and
            // verifies it (Java/Smack, Android, GnuTLS in libpurple, Go, browsers), and the
            // server signs once per handshake: with an RSA-2048 key that signature (RSA-PSS in
            // TLS 1.3, Bouncy Castle's BigInteger arithmetic) was a third of a login's CPU in a
            // JFR profile of `kaiku bench login` (docs/bench/RESULTS.md), with P-256 about 4 %.
            List<String> cmd = List.of(keytool.toString(), "-genkeypair", "-alias", "kaiku", "-keyalg", "EC",
                    "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA", "-validity", "3650",
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

    /** The server end of one new connection, before its handshake. */
    public ServerTlsConnection newConnection() {
        return new ServerTlsConnection(new C2sTlsServer(this));
    }

    JcaTlsCrypto crypto() {
        return crypto;
    }

    PrivateKey privateKey() {
        return privateKey;
    }

    TlsCertificate[] chain() {
        return chain.clone();
    }

    int[] cipherSuites() {
        return cipherSuites.clone();
    }

    /**
     * The first of our signature schemes for this key that the client offered, or null. A TLS
     * 1.2 client that sent no signature_algorithms gets SHA-1 with our key type (RFC 5246
     * section 7.4.1.4.1).
     */
    SignatureAndHashAlgorithm signatureScheme(List<SignatureAndHashAlgorithm> offered, boolean tls13) {
        List<SignatureAndHashAlgorithm> ours = tls13 ? tls13Schemes : tls12Schemes;
        if (offered == null) {
            return tls13 ? null : SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha1, ours.get(0).getSignature() == SignatureAlgorithm.ecdsa
                    ? SignatureAlgorithm.ecdsa : SignatureAlgorithm.rsa);
        }
        for (SignatureAndHashAlgorithm s : ours) {
            if (offered.contains(s)) {
                return s;
            }
        }
        return null;
    }

    static String suiteName(int suite) {
        String name = TLS13_SUITES.get(suite);
        if (name == null) {
            name = RSA_SUITES.get(suite);
        }
        if (name == null) {
            name = EC_SUITES.get(suite);
        }
        return name != null ? name : String.format("0x%04X", suite);
    }

    private static Map<Integer, String> orderedSuites(Object... suiteAndName) {
        Map<Integer, String> m = new LinkedHashMap<>();
        for (int i = 0; i < suiteAndName.length; i += 2) {
            m.put((Integer) suiteAndName[i], (String) suiteAndName[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }

    /**
     * The same key and chain for the JDK's TLS (JSSE), for listeners on libraries that take an
     * {@link javax.net.ssl.SSLContext}: the HTTPS upload service on pekko-http.
     */
    public javax.net.ssl.SSLContext jdkServerContext() {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] none = new char[0];
            ks.setKeyEntry("server", privateKey, none, certificates);
            javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                    javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, none);
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (java.security.GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make a JSSE context from the server key: " + e.getMessage(), e);
        }
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
