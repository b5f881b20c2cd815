package org.kaiku.protocol.sasl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The example exchanges of RFC 5802 section 5 (SCRAM-SHA-1) and RFC 7677 section 3
 * (SCRAM-SHA-256), byte for byte, with the RFCs' server nonces fed in.
 */
class ScramRfcVectorsTest {

    private static ScramServer server(ScramMechanism m, String serverNonce) {
        return new ScramServer(m, false, type -> null, false, new SecureRandom(), new byte[32], 4096,
                () -> serverNonce);
    }

    @Test
    void rfc5802ScramSha1() throws SaslException {
        ScramCredential credential = ScramCredential.derive(ScramMechanism.SHA_1, "pencil",
                Base64.getDecoder().decode("QSXCR+Q6sek8bf92"), 4096);
        ScramServer server = server(ScramMechanism.SHA_1, "3rfcNHYJY1ZVvWVs7j");

        assertThat(server.receiveClientFirst("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL".getBytes(UTF_8)))
                .isEqualTo("user");
        assertThat(new String(server.serverFirst(credential), UTF_8))
                .isEqualTo("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096");
        byte[] serverFinal = server.receiveClientFinal(
                "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=".getBytes(UTF_8));
        assertThat(new String(serverFinal, UTF_8)).isEqualTo("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=");
        assertThat(server.isSucceeded()).isTrue();
        assertThat(server.username()).isEqualTo("user");
        assertThat(server.authzid()).isNull();
    }

    @Test
    void rfc7677ScramSha256() throws SaslException {
        ScramCredential credential = ScramCredential.derive(ScramMechanism.SHA_256, "pencil",
                Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
        ScramServer server = server(ScramMechanism.SHA_256, "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");

        assertThat(server.receiveClientFirst("n,,n=user,r=rOprNGfwEbeRWgbNEkqO".getBytes(UTF_8))).isEqualTo("user");
        assertThat(new String(server.serverFirst(credential), UTF_8))
                .isEqualTo("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
        byte[] serverFinal = server.receiveClientFinal(("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=").getBytes(UTF_8));
        assertThat(new String(serverFinal, UTF_8)).isEqualTo("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
    }

    @Test
    void rfc7677CredentialVerifiesThePasswordForPlain() {
        ScramCredential credential = ScramCredential.derive(ScramMechanism.SHA_256, "pencil",
                Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
        assertThat(credential.verifyPassword("pencil")).isTrue();
        assertThat(credential.verifyPassword("Pencil")).isFalse();
        assertThat(credential.verifyPassword("")).isFalse();
        assertThat(credential.verifyPassword(null)).isFalse();
    }

    @Test
    void aProofFromTheRfcFailsAgainstAnotherPassword() {
        ScramCredential wrong = ScramCredential.derive(ScramMechanism.SHA_1, "pen",
                Base64.getDecoder().decode("QSXCR+Q6sek8bf92"), 4096);
        ScramServer server = server(ScramMechanism.SHA_1, "3rfcNHYJY1ZVvWVs7j");
        try {
            server.receiveClientFirst("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL".getBytes(UTF_8));
            server.serverFirst(wrong);
            server.receiveClientFinal(
                    "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=".getBytes(UTF_8));
            throw new AssertionError("accepted a proof for another password");
        } catch (SaslException e) {
            assertThat(e.failure()).isEqualTo(SaslFailure.NOT_AUTHORIZED);
        }
        assertThat(server.isSucceeded()).isFalse();
    }
}
