package org.kaiku.protocol.sasl;

import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Locale;
import java.util.Optional;

/**
 * Computes channel-binding data from a TLS connection's certificates.
 *
 * <p>{@value #TLS_SERVER_END_POINT} (RFC 5929 section 4) is the hash of the server's DER
 * certificate, with the hash function of the certificate's signature algorithm, MD5 and SHA-1
 * being replaced by SHA-256 (section 4.1). It is undefined when the signature uses no single
 * hash function (Ed25519, Ed448, RSASSA-PSS whose MGF1 hash differs): then nothing is returned
 * and the server must not offer it.
 *
 * <p>{@value #TLS_EXPORTER} (RFC 9266) is exported by the TLS implementation itself (RFC 8446
 * section 7.5); only its name is here, and the engine's TLS layer supplies the data.
 */
public final class ChannelBindings {
    /** RFC 5929 section 4. */
    public static final String TLS_SERVER_END_POINT = "tls-server-end-point";
    /** RFC 9266. */
    public static final String TLS_EXPORTER = "tls-exporter";
    /** RFC 5929 section 3; undefined for TLS 1.3 (RFC 9266 section 1), so never offered. */
    public static final String TLS_UNIQUE = "tls-unique";

    private ChannelBindings() {
    }

    /**
     * The tls-server-end-point data for the certificate the server presented, or empty when the
     * binding is undefined for its signature algorithm or the certificate cannot be encoded.
     */
    public static Optional<ChannelBinding> tlsServerEndPoint(X509Certificate serverCert) {
        Optional<String> hash = endPointHash(serverCert);
        if (hash.isEmpty()) {
            return Optional.empty();
        }
        try {
            byte[] digest = MessageDigest.getInstance(hash.get()).digest(serverCert.getEncoded());
            return Optional.of(new ChannelBinding(TLS_SERVER_END_POINT, digest));
        } catch (GeneralSecurityException e) {
            return Optional.empty();
        }
    }

    /** The MessageDigest name RFC 5929 section 4.1 selects for this certificate, if any. */
    static Optional<String> endPointHash(X509Certificate cert) {
        String sigAlg = cert.getSigAlgName().toUpperCase(Locale.ROOT);
        String hash;
        if (sigAlg.equals("RSASSA-PSS")) {
            hash = pssHash(cert.getSigAlgParams());
        } else {
            int with = sigAlg.indexOf("WITH");
            hash = with > 0 ? normalize(sigAlg.substring(0, with)) : null;
        }
        if (hash == null) {
            return Optional.empty();
        }
        if (hash.equals("MD5") || hash.equals("SHA-1")) {
            hash = "SHA-256";
        }
        return Optional.of(hash);
    }

    /** "SHA256" -> "SHA-256", "SHA3-256" unchanged, "SHA512/256" -> "SHA-512/256". */
    private static String normalize(String name) {
        if (name.equals("MD5") || name.startsWith("SHA3-") || name.startsWith("SHA-")) {
            return name;
        }
        if (name.startsWith("SHA")) {
            String bits = name.substring(3);
            return bits.equals("1") ? "SHA-1" : "SHA-" + bits;
        }
        return null;
    }

    /** The digest of RSASSA-PSS parameters, or null when MGF1 uses a different hash. */
    private static String pssHash(byte[] encodedParams) {
        if (encodedParams == null) {
            return null;
        }
        try {
            AlgorithmParameters params = AlgorithmParameters.getInstance("RSASSA-PSS");
            params.init(encodedParams);
            PSSParameterSpec spec = params.getParameterSpec(PSSParameterSpec.class);
            String digest = spec.getDigestAlgorithm().toUpperCase(Locale.ROOT);
            if (spec.getMGFParameters() instanceof MGF1ParameterSpec mgf
                    && !mgf.getDigestAlgorithm().equalsIgnoreCase(digest)) {
                return null;
            }
            return normalize(digest);
        } catch (GeneralSecurityException | java.io.IOException e) {
            return null;
        }
    }
}
