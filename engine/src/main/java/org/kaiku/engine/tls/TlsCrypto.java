package org.kaiku.engine.tls;

import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Locale;
import javax.crypto.KeyAgreement;
import org.bouncycastle.jcajce.util.DefaultJcaJceHelper;
import org.bouncycastle.jcajce.util.ProviderJcaJceHelper;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;

/**
 * The cryptography under Kaiku's TLS: the JDK's own providers for the record layer and the key
 * schedule (their AES-GCM and SHA use CPU intrinsics), Bouncy Castle's provider for the public-key
 * operations of each handshake and for the signature names the JDK does not know. The fallback
 * provider is held here, never installed in the JVM's provider list.
 *
 * <ul>
 *   <li>ECDSA signatures (the server's CertificateVerify or ServerKeyExchange, one per full
 *       handshake, with the key from {@link #signingKey}) and X25519 (the usual TLS 1.3 key
 *       share: one key pair and one agreement per handshake) go to Bouncy Castle, whose
 *       fixed-base comb multiplication and rfc7748 X25519 cost a fraction of the CPU of Java 17's
 *       SunEC: measured 0.08 ms against 0.55-0.64 ms per P-256 signature and 0.07-0.08 ms
 *       against 0.15-0.2 ms per X25519 operation (see docs/bench/LOGIN-PROFILE.md, where these
 *       were the largest single item of a login's CPU in the Kaiku JVM). The same standard
 *       algorithms; ECDSA keeps random nonces, from a SecureRandom.</li>
 *   <li>Bouncy Castle's TLS asks for RSASSA-PSS as "SHA256WITHRSAANDMGF1" and friends, which Java
 *       17's SunRsaSign does not register; TLS 1.3 needs PSS for every RSA certificate (RFC 8446
 *       section 4.2.3): those come from Bouncy Castle too.</li>
 * </ul>
 */
final class TlsCrypto extends JcaTlsCrypto {

    TlsCrypto() {
        super(new JdkFirst(), new SecureRandom(), new SecureRandom());
    }

    /**
     * The server's private key in the form its signatures are cheapest in: an EC key becomes
     * Bouncy Castle's own key object, once, so that every signature finds the precomputed
     * multiples of the curve's base point that Bouncy Castle caches on that key's parameters.
     * Given the JDK's key object instead, Bouncy Castle converts the parameters afresh on each
     * signature and repeats the precomputation: 0.26 ms a signature against 0.08 ms (SunEC: 0.55
     * ms). Other keys, and keys that cannot be exported (a hardware token's), stay as they are.
     */
    static PrivateKey signingKey(PrivateKey key) {
        if (!(key instanceof ECPrivateKey) || key.getEncoded() == null) {
            return key;
        }
        try {
            return JdkFirst.BC.createKeyFactory("EC").generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            return key;
        }
    }

    private static final class JdkFirst extends DefaultJcaJceHelper {
        static final ProviderJcaJceHelper BC = new ProviderJcaJceHelper(new BouncyCastleProvider());
        private final ProviderJcaJceHelper bc = BC;

        @Override
        public Signature createSignature(String algorithm) throws NoSuchAlgorithmException {
            if (algorithm.toUpperCase(Locale.ROOT).contains("ECDSA")) {
                return bc.createSignature(algorithm);
            }
            try {
                return super.createSignature(algorithm);
            } catch (NoSuchAlgorithmException e) {
                return bc.createSignature(algorithm);
            }
        }

        @Override
        public KeyPairGenerator createKeyPairGenerator(String algorithm) throws NoSuchAlgorithmException {
            return x25519(algorithm) ? bc.createKeyPairGenerator(algorithm) : super.createKeyPairGenerator(algorithm);
        }

        @Override
        public KeyAgreement createKeyAgreement(String algorithm) throws NoSuchAlgorithmException {
            return x25519(algorithm) ? bc.createKeyAgreement(algorithm) : super.createKeyAgreement(algorithm);
        }

        @Override
        public KeyFactory createKeyFactory(String algorithm) throws NoSuchAlgorithmException {
            return x25519(algorithm) ? bc.createKeyFactory(algorithm) : super.createKeyFactory(algorithm);
        }

        /** Key pairs, agreements and public keys of one X25519 exchange all come from one provider. */
        private static boolean x25519(String algorithm) {
            return "X25519".equalsIgnoreCase(algorithm);
        }
    }
}
