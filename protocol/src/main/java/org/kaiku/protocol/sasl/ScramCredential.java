package org.kaiku.protocol.sasl;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import com.ongres.scram.common.ScramFunctions;
import rocks.xmpp.precis.PrecisProfiles;

/**
 * What the server stores for one account and one SCRAM hash: salt, iteration count, StoredKey and
 * ServerKey (RFC 5802 sections 3 and 5.1). The password itself is never kept; PLAIN logins are
 * checked by recomputing StoredKey.
 *
 * <p>Passwords are prepared with the PRECIS OpaqueString profile (RFC 8265 section 4.2), the
 * successor of the SASLprep that RFC 5802 names (RFC 7613, then RFC 8265, obsoleted RFC 4013).
 * The two agree on ASCII passwords and on most others; they differ on compatibility characters
 * (NFC here, NFKC in SASLprep), which a client using SASLprep would hash differently.
 *
 * <p>Arrays are copied in and out; equality is by content.
 */
public record ScramCredential(ScramMechanism mechanism, byte[] salt, int iterations,
        byte[] storedKey, byte[] serverKey) {

    /** Salt length of new credentials, in bytes (RFC 5802 leaves it open; 128 bits is common). */
    public static final int SALT_LENGTH = 16;

    public ScramCredential {
        Objects.requireNonNull(mechanism, "mechanism");
        Objects.requireNonNull(salt, "salt");
        Objects.requireNonNull(storedKey, "storedKey");
        Objects.requireNonNull(serverKey, "serverKey");
        if (salt.length == 0) {
            throw new IllegalArgumentException("empty salt");
        }
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be positive: " + iterations);
        }
        if (storedKey.length != mechanism.keyLength() || serverKey.length != mechanism.keyLength()) {
            throw new IllegalArgumentException("keys must be " + mechanism.keyLength() + " bytes for " + mechanism);
        }
        salt = salt.clone();
        storedKey = storedKey.clone();
        serverKey = serverKey.clone();
    }

    /** A new credential with a fresh random salt of {@link #SALT_LENGTH} bytes. */
    public static ScramCredential create(ScramMechanism m, String password, int iterations, SecureRandom random) {
        byte[] salt = new byte[SALT_LENGTH];
        random.nextBytes(salt);
        return derive(m, password, salt, iterations);
    }

    /** New credentials for every {@link ScramMechanism}, each with its own salt. */
    public static Map<ScramMechanism, ScramCredential> createAll(String password, int iterations, SecureRandom random) {
        Map<ScramMechanism, ScramCredential> all = new EnumMap<>(ScramMechanism.class);
        for (ScramMechanism m : ScramMechanism.values()) {
            all.put(m, create(m, password, iterations, random));
        }
        return Map.copyOf(all);
    }

    /**
     * The credential for a given salt and iteration count: SaltedPassword = Hi(password, salt, i),
     * ClientKey = HMAC(SaltedPassword, "Client Key"), StoredKey = H(ClientKey),
     * ServerKey = HMAC(SaltedPassword, "Server Key") (RFC 5802 section 3).
     *
     * @throws IllegalArgumentException if the password is empty or not a valid OpaqueString
     */
    public static ScramCredential derive(ScramMechanism m, String password, byte[] salt, int iterations) {
        byte[] salted = saltedPassword(m, preparePassword(password), salt, iterations);
        try {
            byte[] storedKey = ScramFunctions.storedKey(m.primitives(), ScramFunctions.clientKey(m.primitives(), salted));
            byte[] serverKey = ScramFunctions.serverKey(m.primitives(), salted);
            return new ScramCredential(m, salt, iterations, storedKey, serverKey);
        } finally {
            Arrays.fill(salted, (byte) 0);
        }
    }

    /**
     * Checks a password, as for SASL PLAIN (RFC 4616) against stored SCRAM keys: recomputes
     * StoredKey and compares in constant time. An unpreparable password is simply wrong.
     */
    public boolean verifyPassword(String password) {
        String prepared;
        try {
            prepared = preparePassword(password);
        } catch (IllegalArgumentException e) {
            return false;
        }
        byte[] salted = saltedPassword(mechanism, prepared, salt, iterations);
        try {
            byte[] candidate = ScramFunctions.storedKey(mechanism.primitives(),
                    ScramFunctions.clientKey(mechanism.primitives(), salted));
            return MessageDigest.isEqual(candidate, storedKey);
        } finally {
            Arrays.fill(salted, (byte) 0);
        }
    }

    /** OpaqueString enforcement of a password (RFC 8265 section 4.2). */
    static String preparePassword(String password) {
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("empty password");
        }
        return PrecisProfiles.OPAQUE_STRING.enforce(password);
    }

    /** Hi() of RFC 5802 section 2.2, which is PBKDF2 (RFC 8018) over the UTF-8 password. */
    static byte[] saltedPassword(ScramMechanism m, String preparedPassword, byte[] salt, int iterations) {
        char[] chars = preparedPassword.toCharArray();
        PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, m.keyLength() * 8);
        try {
            return SecretKeyFactory.getInstance(m.pbkdf2Algorithm()).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(m.pbkdf2Algorithm() + " is not available", e);
        } finally {
            spec.clearPassword();
            Arrays.fill(chars, '\0');
        }
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] storedKey() {
        return storedKey.clone();
    }

    @Override
    public byte[] serverKey() {
        return serverKey.clone();
    }

    /** Salt as base64, as it appears in server-first-message ({@code s=}). */
    public String saltBase64() {
        return Base64.getEncoder().encodeToString(salt);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScramCredential c
                && mechanism == c.mechanism
                && iterations == c.iterations
                && Arrays.equals(salt, c.salt)
                && Arrays.equals(storedKey, c.storedKey)
                && Arrays.equals(serverKey, c.serverKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mechanism, iterations, Arrays.hashCode(salt), Arrays.hashCode(storedKey),
                Arrays.hashCode(serverKey));
    }

    /** Shows mechanism, iterations and salt; never the keys. */
    @Override
    public String toString() {
        return "ScramCredential[" + mechanism.saslName() + ", i=" + iterations + ", s=" + saltBase64() + "]";
    }
}
