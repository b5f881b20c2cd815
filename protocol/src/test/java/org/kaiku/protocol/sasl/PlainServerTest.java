package org.kaiku.protocol.sasl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SASL PLAIN decoding, RFC 4616 section 2. NUL is written as '|' in the tables. */
class PlainServerTest {

    private static byte[] msg(String s) {
        return s.replace('|', '\0').getBytes(UTF_8);
    }

    @Test
    void decodesWithAndWithoutAuthzid() throws SaslException {
        assertThat(PlainServer.decode(msg("|tim|tanstaaftanstaaf")))
                .isEqualTo(new PlainCredentials(null, "tim", "tanstaaftanstaaf"));
        assertThat(PlainServer.decode(msg("Ursel|Kurt|xipj3plmq")))
                .isEqualTo(new PlainCredentials("Ursel", "Kurt", "xipj3plmq"));
        assertThat(PlainServer.decode(msg("|j\u00fcrgen|p\u00e4ss w\u00f6rd")).password()).isEqualTo("p\u00e4ss w\u00f6rd");
        assertThat(PlainServer.decode(msg("|u|" + "p".repeat(255))).password()).hasSize(255);
        assertThat(PlainServer.decode(msg("|u|x")).toString()).doesNotContain("x]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "|", "||", "|tim|", "||pw", "tim", "tim|pw", "|tim|pw|", "a|b|c|d", "|tim||pw"})
    void structureErrorsAreMalformedRequest(String s) {
        assertThatThrownBy(() -> PlainServer.decode(msg(s)))
                .isInstanceOf(SaslException.class)
                .extracting(e -> ((SaslException) e).failure()).isEqualTo(SaslFailure.MALFORMED_REQUEST);
    }

    @Test
    void partsLongerThan255OctetsAreMalformed() {
        for (String s : new String[] {"|u|" + "p".repeat(256), "|" + "u".repeat(256) + "|p", "a".repeat(256) + "|u|p",
            "|u|" + "\u00e9".repeat(128)}) {
            assertThatThrownBy(() -> PlainServer.decode(msg(s)))
                    .isInstanceOf(SaslException.class)
                    .extracting(e -> ((SaslException) e).failure()).isEqualTo(SaslFailure.MALFORMED_REQUEST);
        }
        assertThatThrownBy(() -> PlainServer.decode(null)).isInstanceOf(SaslException.class);
    }

    @Test
    void invalidUtf8IsIncorrectEncoding() {
        byte[][] cases = {
            {0, 'u', 0, (byte) 0xC3},
            {0, (byte) 0xFF, 0, 'p'},
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80, 0, 'u', 0, 'p'},
            {0, 'u', 0, (byte) 0xC0, (byte) 0xAF},
        };
        for (byte[] c : cases) {
            assertThatThrownBy(() -> PlainServer.decode(c))
                    .isInstanceOf(SaslException.class)
                    .extracting(e -> ((SaslException) e).failure()).isEqualTo(SaslFailure.INCORRECT_ENCODING);
        }
    }

    @Test
    void decodedPasswordChecksAgainstStoredScramCredential() throws SaslException {
        ScramCredential stored = ScramCredential.create(ScramMechanism.SHA_256, "tanstaaftanstaaf", 4096,
                new java.security.SecureRandom());
        assertThat(stored.verifyPassword(PlainServer.decode(msg("|tim|tanstaaftanstaaf")).password())).isTrue();
        assertThat(stored.verifyPassword(PlainServer.decode(msg("|tim|tanstaaf")).password())).isFalse();
    }
}
