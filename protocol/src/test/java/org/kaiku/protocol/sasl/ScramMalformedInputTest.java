package org.kaiku.protocol.sasl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hostile and malformed SCRAM input: every case must end in a {@link SaslException} with the
 * right condition, never in another exception. Messages use '|' for ',' in the CSV tables.
 */
class ScramMalformedInputTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] CB_DATA = {1, 2, 3, 4};
    private static final Function<String, ChannelBinding> CB_BY_TYPE = type ->
            ChannelBindings.TLS_SERVER_END_POINT.equals(type) ? new ChannelBinding(type, CB_DATA) : null;
    private static final ScramCredential CREDENTIAL =
            ScramCredential.create(ScramMechanism.SHA_256, "pencil", 4096, RANDOM);
    private static final String SERVER_NONCE = "SERVERNONCE";

    private static ScramServer server(boolean plus, boolean serverSupportsPlus) {
        return new ScramServer(ScramMechanism.SHA_256, plus, CB_BY_TYPE, serverSupportsPlus, RANDOM, new byte[32],
                4096, () -> SERVER_NONCE);
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = ';', value = {
        "'';                                          MALFORMED_REQUEST",
        "n;                                           MALFORMED_REQUEST",
        "n|;                                          MALFORMED_REQUEST",
        "n||;                                         MALFORMED_REQUEST",
        "n||n=user;                                   MALFORMED_REQUEST",
        "n||r=abc|n=user;                             MALFORMED_REQUEST",
        "n||n=|r=abc;                                 MALFORMED_REQUEST",
        "n||n=user|r=;                                MALFORMED_REQUEST",
        "n||n=user|r=a b;                             MALFORMED_REQUEST",
        "n||n=us=2Xer|r=abc;                          MALFORMED_REQUEST",
        "n||n=user=|r=abc;                            MALFORMED_REQUEST",
        "n||m=ext|n=user|r=abc;                       MALFORMED_REQUEST",
        "n||n=user|r=abc|;                            MALFORMED_REQUEST",
        "n||n=user|r=abc|1=x;                         MALFORMED_REQUEST",
        "n||n=user|r=abc|x;                           MALFORMED_REQUEST",
        "x||n=user|r=abc;                             MALFORMED_REQUEST",
        "N||n=user|r=abc;                             MALFORMED_REQUEST",
        "p=||n=user|r=abc;                            MALFORMED_REQUEST",
        "p=tls-server-end-point||n=user|r=abc;        MALFORMED_REQUEST",
        "n|b=user|n=user|r=abc;                       MALFORMED_REQUEST",
        "n|a=|n=user|r=abc;                           MALFORMED_REQUEST",
    })
    void badClientFirstWithoutPlus(String message, SaslFailure expected) {
        assertFails(() -> server(false, false).receiveClientFirst(bytes(message)), expected);
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = ';', value = {
        "n||n=user|r=abc;                             MALFORMED_REQUEST",
        "y||n=user|r=abc;                             MALFORMED_REQUEST",
        "p=tls-unique||n=user|r=abc;                  NOT_AUTHORIZED",
        "p=tls-exporter||n=user|r=abc;                NOT_AUTHORIZED",
        "p=tls server||n=user|r=abc;                  MALFORMED_REQUEST",
    })
    void badClientFirstWithPlus(String message, SaslFailure expected) {
        assertFails(() -> server(true, true).receiveClientFirst(bytes(message)), expected);
    }

    @Test
    void downgradeIsNotAuthorizedOnlyWhenPlusWasOffered() throws SaslException {
        assertFails(() -> server(false, true).receiveClientFirst(bytes("y||n=user|r=abc")), SaslFailure.NOT_AUTHORIZED);
        assertThat(server(false, false).receiveClientFirst(bytes("y||n=user|r=abc"))).isEqualTo("user");
        assertThat(server(false, true).receiveClientFirst(bytes("n||n=user|r=abc"))).isEqualTo("user");
    }

    @Test
    void notUtf8NulAndOversizedInputAreMalformed() {
        assertFails(() -> server(false, false).receiveClientFirst(new byte[] {'n', ',', ',', 'n', '=', (byte) 0xC3,
            ',', 'r', '=', 'a'}), SaslFailure.MALFORMED_REQUEST);
        assertFails(() -> server(false, false).receiveClientFirst(bytes("n||n=u\u0000ser|r=abc")),
                SaslFailure.MALFORMED_REQUEST);
        assertFails(() -> server(false, false).receiveClientFirst(null), SaslFailure.MALFORMED_REQUEST);
        assertFails(() -> server(false, false).receiveClientFirst(bytes("n||n=user|r=" + "a".repeat(10_000))),
                SaslFailure.MALFORMED_REQUEST);
    }

    /** A valid proof is computed by hand here, so the cases below differ from it in one thing. */
    private static String validFinal(String gs2Header, byte[] cbData, String clientFirstBare) {
        String withoutProof = "c=" + Base64.getEncoder().encodeToString(concat(bytes(gs2Header), cbData))
                + ",r=abc" + SERVER_NONCE;
        ScramCredential c = CREDENTIAL;
        byte[] salted = ScramCredential.saltedPassword(ScramMechanism.SHA_256, "pencil", c.salt(), 4096);
        var prim = ScramMechanism.SHA_256.primitives();
        byte[] clientKey = com.ongres.scram.common.ScramFunctions.clientKey(prim, salted);
        String serverFirst = "r=abc" + SERVER_NONCE + ",s=" + c.saltBase64() + ",i=4096";
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] signature = com.ongres.scram.common.ScramFunctions.clientSignature(prim, c.storedKey(), authMessage);
        byte[] proof = com.ongres.scram.common.ScramFunctions.clientProof(clientKey, signature);
        return withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof);
    }

    private static ScramServer afterFirst(boolean plus, String clientFirst) throws SaslException {
        ScramServer server = server(plus, plus);
        server.receiveClientFirst(bytes(clientFirst));
        server.serverFirst(CREDENTIAL);
        return server;
    }

    @Test
    void handComputedFinalsSucceedSoTheVariantsBelowAreMeaningful() throws SaslException {
        assertThat(afterFirst(false, "n||n=user|r=abc")
                .receiveClientFinal(bytes(validFinal("n,,", new byte[0], "n=user,r=abc")))).isNotEmpty();
        assertThat(afterFirst(true, "p=tls-server-end-point||n=user|r=abc")
                .receiveClientFinal(bytes(validFinal("p=tls-server-end-point,,", CB_DATA, "n=user,r=abc"))))
                .isNotEmpty();
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = ';', value = {
        "'';                                                  MALFORMED_REQUEST",
        "c=biws;                                              MALFORMED_REQUEST",
        "c=biws|r=abcSERVERNONCE;                             MALFORMED_REQUEST",
        "p=AAAA;                                              MALFORMED_REQUEST",
        "r=abcSERVERNONCE|c=biws|p=AAAA;                      MALFORMED_REQUEST",
        "c=biws|p=AAAA|r=abcSERVERNONCE;                      MALFORMED_REQUEST",
        "c=bi!s|r=abcSERVERNONCE|p=AAAA;                      MALFORMED_REQUEST",
        "c=biws|r=abcSERVERNONCE|p=AAA;                       MALFORMED_REQUEST",
        "c=biws|r=abcSERVERNONCE|p=AAAA;                      MALFORMED_REQUEST",
        "c=biws|r=abcSERVERNONCE|p=;                          MALFORMED_REQUEST",
        "c=biws|r=abcSERVERNONCE|1=x|p=AAAA;                  MALFORMED_REQUEST",
        "c=biws|r=abcSERVERNONCE|p=AAAA|e=x;                  MALFORMED_REQUEST",
    })
    void badClientFinal(String message, SaslFailure expected) throws SaslException {
        ScramServer server = afterFirst(false, "n||n=user|r=abc");
        assertFails(() -> server.receiveClientFinal(bytes(message)), expected);
    }

    @Test
    void finalWithAlteredBindingNonceOrProofIsNotAuthorized() throws SaslException {
        String valid = validFinal("n,,", new byte[0], "n=user,r=abc");
        String[] variants = {
            valid.replace("c=biws", "c=eSws"),
            valid.replace("c=biws", "c=" + Base64.getEncoder().encodeToString(bytes("p=tls-server-end-point,,"))),
            valid.replace("r=abc" + SERVER_NONCE, "r=abc" + SERVER_NONCE + "X"),
            valid.replace("r=abc" + SERVER_NONCE, "r=abd" + SERVER_NONCE),
            flipProofBit(valid),
        };
        for (String variant : variants) {
            ScramServer server = afterFirst(false, "n||n=user|r=abc");
            assertFails(() -> server.receiveClientFinal(bytes(variant)), SaslFailure.NOT_AUTHORIZED);
        }
        String plusValid = validFinal("p=tls-server-end-point,,", CB_DATA, "n=user,r=abc");
        String noCbData = validFinal("p=tls-server-end-point,,", new byte[0], "n=user,r=abc");
        for (String variant : new String[] {noCbData, flipProofBit(plusValid)}) {
            ScramServer server = afterFirst(true, "p=tls-server-end-point||n=user|r=abc");
            assertFails(() -> server.receiveClientFinal(bytes(variant)), SaslFailure.NOT_AUTHORIZED);
        }
    }

    private static String flipProofBit(String clientFinal) {
        int p = clientFinal.lastIndexOf(",p=");
        byte[] proof = Base64.getDecoder().decode(clientFinal.substring(p + 3));
        proof[proof.length - 1] ^= 0x40;
        return clientFinal.substring(0, p) + ",p=" + Base64.getEncoder().encodeToString(proof);
    }

    /** Random mutations of valid messages: only success or a SaslException may come out. */
    @Test
    void mutatedMessagesNeverThrowAnythingElse() {
        Random r = new Random(5802);
        byte[] first = bytes("p=tls-server-end-point|a=user|n=user|r=abc|x=ext");
        byte[] fin = bytes(validFinal("n,,", new byte[0], "n=user,r=abc"));
        byte[] alphabet = bytes("=,|anpcrmyxsv0123456789+/ABC\u00e9");
        int rejected = 0;
        for (int i = 0; i < 3000; i++) {
            boolean plus = r.nextBoolean();
            byte[] m1 = mutate(first, r, alphabet);
            byte[] m2 = mutate(fin, r, alphabet);
            ScramServer server = server(plus, r.nextBoolean());
            try {
                server.receiveClientFirst(m1);
                server.serverFirst(r.nextBoolean() ? CREDENTIAL : null);
                server.receiveClientFinal(m2);
            } catch (SaslException e) {
                rejected++;
            } catch (RuntimeException e) {
                fail("input " + new String(m1, UTF_8) + " / " + new String(m2, UTF_8) + " threw " + e, e);
            }
        }
        assertThat(rejected).isGreaterThan(2900);
    }

    private static byte[] mutate(byte[] in, Random r, byte[] alphabet) {
        byte[] out = in.clone();
        int edits = 1 + r.nextInt(3);
        for (int e = 0; e < edits; e++) {
            int kind = r.nextInt(3);
            int at = r.nextInt(out.length);
            if (kind == 0) {
                out[at] = r.nextInt(4) == 0 ? (byte) r.nextInt(256) : alphabet[r.nextInt(alphabet.length)];
            } else if (kind == 1 && out.length > 1) {
                byte[] shorter = new byte[out.length - 1];
                System.arraycopy(out, 0, shorter, 0, at);
                System.arraycopy(out, at + 1, shorter, at, out.length - at - 1);
                out = shorter;
            } else {
                byte[] longer = new byte[out.length + 1];
                System.arraycopy(out, 0, longer, 0, at);
                longer[at] = alphabet[r.nextInt(alphabet.length)];
                System.arraycopy(out, at, longer, at + 1, out.length - at);
                out = longer;
            }
        }
        return out;
    }

    private interface Step {
        void run() throws SaslException;
    }

    private static void assertFails(Step step, SaslFailure expected) {
        assertThatThrownBy(step::run)
                .isInstanceOf(SaslException.class)
                .extracting(e -> ((SaslException) e).failure()).isEqualTo(expected);
    }

    private static byte[] bytes(String s) {
        return s.replace('|', ',').getBytes(UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
