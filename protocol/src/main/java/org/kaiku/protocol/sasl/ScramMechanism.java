package org.kaiku.protocol.sasl;

import java.util.Optional;

/**
 * The SCRAM hash families Kaiku offers: SCRAM-SHA-1 (RFC 5802, kept for older clients),
 * SCRAM-SHA-256 (RFC 7677) and SCRAM-SHA-512 (registered in the IANA SASL registry, widely used
 * by XMPP clients). Each is also offered as its "-PLUS" channel-binding variant (RFC 5802
 * section 4) when the connection has channel-binding data.
 */
public enum ScramMechanism {
    SHA_1("SCRAM-SHA-1", "SHA-1", "HmacSHA1", 20,
            com.ongres.scram.common.ScramMechanism.SCRAM_SHA_1),
    SHA_256("SCRAM-SHA-256", "SHA-256", "HmacSHA256", 32,
            com.ongres.scram.common.ScramMechanism.SCRAM_SHA_256),
    SHA_512("SCRAM-SHA-512", "SHA-512", "HmacSHA512", 64,
            com.ongres.scram.common.ScramMechanism.SCRAM_SHA_512);

    private static final String PLUS_SUFFIX = "-PLUS";

    private final String saslName;
    private final String hashAlgorithm;
    private final String hmacAlgorithm;
    private final int keyLength;
    private final com.ongres.scram.common.ScramMechanism primitives;

    ScramMechanism(String saslName, String hashAlgorithm, String hmacAlgorithm, int keyLength,
            com.ongres.scram.common.ScramMechanism primitives) {
        this.saslName = saslName;
        this.hashAlgorithm = hashAlgorithm;
        this.hmacAlgorithm = hmacAlgorithm;
        this.keyLength = keyLength;
        this.primitives = primitives;
    }

    /** The mechanism name without channel binding, e.g. {@code SCRAM-SHA-256}. */
    public String saslName() {
        return saslName;
    }

    /** The channel-binding variant's name, e.g. {@code SCRAM-SHA-256-PLUS}. */
    public String plusName() {
        return saslName + PLUS_SUFFIX;
    }

    /** The {@link java.security.MessageDigest} algorithm H() of RFC 5802 section 2.2. */
    public String hashAlgorithm() {
        return hashAlgorithm;
    }

    /** The {@link javax.crypto.Mac} algorithm HMAC() of RFC 5802 section 2.2. */
    public String hmacAlgorithm() {
        return hmacAlgorithm;
    }

    /** Output length of H() in bytes: the length of salted passwords, keys, proofs, signatures. */
    public int keyLength() {
        return keyLength;
    }

    /** The PBKDF2 algorithm computing Hi() (RFC 5802 section 2.2 Hi is PBKDF2 with HMAC). */
    String pbkdf2Algorithm() {
        return "PBKDF2With" + hmacAlgorithm;
    }

    /** scram-common's enum, for its HMAC and hash primitives. */
    com.ongres.scram.common.ScramMechanism primitives() {
        return primitives;
    }

    /** Finds a mechanism by its SASL name, with or without the "-PLUS" suffix (exact case). */
    public static Optional<ScramMechanism> bySaslName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String base = name.endsWith(PLUS_SUFFIX) ? name.substring(0, name.length() - PLUS_SUFFIX.length()) : name;
        for (ScramMechanism m : values()) {
            if (m.saslName.equals(base)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** True when {@code name} is a "-PLUS" (channel-binding) mechanism name. */
    public static boolean isPlusName(String name) {
        return name != null && name.endsWith(PLUS_SUFFIX) && bySaslName(name).isPresent();
    }
}
