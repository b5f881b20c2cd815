package org.kaiku.protocol.sasl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Stored SCRAM credentials (RFC 5802 section 3) and the mechanism table. */
class ScramCredentialTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void createAllMakesOneCredentialPerMechanismWithItsOwnSalt() {
        Map<ScramMechanism, ScramCredential> all = ScramCredential.createAll("correct horse", 4096, RANDOM);
        assertThat(all).containsOnlyKeys(ScramMechanism.values());
        all.forEach((m, c) -> {
            assertThat(c.mechanism()).isEqualTo(m);
            assertThat(c.iterations()).isEqualTo(4096);
            assertThat(c.salt()).hasSizeGreaterThanOrEqualTo(16);
            assertThat(c.storedKey()).hasSize(m.keyLength());
            assertThat(c.serverKey()).hasSize(m.keyLength());
            assertThat(c.verifyPassword("correct horse")).isTrue();
            assertThat(c.verifyPassword("correct horsE")).isFalse();
        });
        assertThat(all.get(ScramMechanism.SHA_1).salt()).isNotEqualTo(all.get(ScramMechanism.SHA_256).salt());
        assertThat(ScramCredential.create(ScramMechanism.SHA_256, "x", 4096, RANDOM))
                .isNotEqualTo(ScramCredential.create(ScramMechanism.SHA_256, "x", 4096, RANDOM));
    }

    @Test
    void arraysAreCopiedAndEqualityIsByContent() {
        byte[] salt = new byte[16];
        ScramCredential a = ScramCredential.derive(ScramMechanism.SHA_512, "pencil", salt, 10);
        ScramCredential b = new ScramCredential(a.mechanism(), a.salt(), a.iterations(), a.storedKey(), a.serverKey());
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        salt[0] = 1;
        a.salt()[0] = 1;
        a.storedKey()[0] ^= 1;
        assertThat(a).isEqualTo(b);
        assertThat(a.verifyPassword("pencil")).isTrue();
        assertThat(a).isNotEqualTo(ScramCredential.derive(ScramMechanism.SHA_512, "pencil", new byte[16], 11));
        assertThat(a.toString()).doesNotContain(java.util.Base64.getEncoder().encodeToString(a.storedKey()));
    }

    @Test
    void passwordsArePreparedAsOpaqueString() {
        ScramCredential c = ScramCredential.create(ScramMechanism.SHA_256, "pass\u00a0word", 4096, RANDOM);
        assertThat(c.verifyPassword("pass word")).isTrue();
        // NFC: a decomposed e-acute is the same password as the precomposed one.
        ScramCredential nfc = ScramCredential.create(ScramMechanism.SHA_256, "caf\u00e9", 4096, RANDOM);
        assertThat(nfc.verifyPassword("cafe\u0301")).isTrue();
        assertThat(nfc.verifyPassword("cafe")).isFalse();
        assertThat(c.verifyPassword("pass\u0000word")).isFalse();
        assertThatThrownBy(() -> ScramCredential.create(ScramMechanism.SHA_256, "", 4096, RANDOM))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScramCredential.create(ScramMechanism.SHA_256, "a\u0007b", 4096, RANDOM))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void invalidFieldsAreRejected() {
        ScramCredential ok = ScramCredential.derive(ScramMechanism.SHA_1, "pencil", new byte[16], 1);
        assertThatThrownBy(() -> new ScramCredential(ScramMechanism.SHA_256, ok.salt(), 1, ok.storedKey(), ok.serverKey()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScramCredential(ScramMechanism.SHA_1, ok.salt(), 0, ok.storedKey(), ok.serverKey()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScramCredential(ScramMechanism.SHA_1, new byte[0], 1, ok.storedKey(), ok.serverKey()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mechanismNames() {
        assertThat(ScramMechanism.SHA_1.saslName()).isEqualTo("SCRAM-SHA-1");
        assertThat(ScramMechanism.SHA_256.plusName()).isEqualTo("SCRAM-SHA-256-PLUS");
        assertThat(ScramMechanism.SHA_512.hashAlgorithm()).isEqualTo("SHA-512");
        assertThat(ScramMechanism.SHA_512.hmacAlgorithm()).isEqualTo("HmacSHA512");
        assertThat(ScramMechanism.bySaslName("SCRAM-SHA-512-PLUS")).contains(ScramMechanism.SHA_512);
        assertThat(ScramMechanism.bySaslName("SCRAM-SHA-1")).contains(ScramMechanism.SHA_1);
        assertThat(ScramMechanism.bySaslName("SCRAM-SHA-384")).isEmpty();
        assertThat(ScramMechanism.bySaslName("scram-sha-1")).isEmpty();
        assertThat(ScramMechanism.bySaslName("-PLUS")).isEmpty();
        assertThat(ScramMechanism.bySaslName(null)).isEmpty();
        assertThat(ScramMechanism.isPlusName("SCRAM-SHA-256-PLUS")).isTrue();
        assertThat(ScramMechanism.isPlusName("SCRAM-SHA-256")).isFalse();
        for (ScramMechanism m : ScramMechanism.values()) {
            assertThat(m.primitives().getName()).isEqualTo(m.saslName());
        }
    }

    @Test
    void failureConditionsMatchRfc6120Section65() {
        assertThat(SaslFailure.values()).extracting(SaslFailure::elementName).containsExactly(
                "aborted", "account-disabled", "credentials-expired", "encryption-required", "incorrect-encoding",
                "invalid-authzid", "invalid-mechanism", "malformed-request", "mechanism-too-weak", "not-authorized",
                "temporary-auth-failure");
        for (SaslFailure f : SaslFailure.values()) {
            assertThat(SaslFailure.byElementName(f.elementName())).contains(f);
        }
        assertThat(SaslFailure.byElementName("bogus")).isEmpty();
        assertThat(new SaslException(SaslFailure.ABORTED, "x").failure()).isEqualTo(SaslFailure.ABORTED);
    }
}
