package org.kaiku.engine.tls;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.Signature;
import org.bouncycastle.jcajce.util.DefaultJcaJceHelper;
import org.bouncycastle.jcajce.util.ProviderJcaJceHelper;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;

/**
 * The cryptography under Kaiku's TLS: the JDK's own providers first (their AES-GCM and SHA use
 * CPU intrinsics), Bouncy Castle's provider only for the signature names the JDK does not know.
 * Bouncy Castle's TLS asks for RSASSA-PSS as "SHA256WITHRSAANDMGF1" and friends, which Java 17's
 * SunRsaSign does not register; TLS 1.3 needs PSS for every RSA certificate (RFC 8446 section
 * 4.2.3). The fallback provider is held here, never installed in the JVM's provider list.
 */
final class TlsCrypto extends JcaTlsCrypto {

    TlsCrypto() {
        super(new JdkFirst(), new SecureRandom(), new SecureRandom());
    }

    private static final class JdkFirst extends DefaultJcaJceHelper {
        private final ProviderJcaJceHelper fallback = new ProviderJcaJceHelper(new BouncyCastleProvider());

        @Override
        public Signature createSignature(String algorithm) throws NoSuchAlgorithmException {
            try {
                return super.createSignature(algorithm);
            } catch (NoSuchAlgorithmException e) {
                return fallback.createSignature(algorithm);
            }
        }
    }
}
