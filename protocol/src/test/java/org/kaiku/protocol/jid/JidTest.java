package org.kaiku.protocol.jid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 7622: the section 3.5 examples and the preparation rules of sections 3.2-3.4. */
class JidTest {

    /** RFC 7622 section 3.5.1, every valid example, with the parts it must split into. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "juliet@example.com            | juliet    | example.com   | -",
        "juliet@example.com/foo        | juliet    | example.com   | foo",
        "juliet@example.com/foo bar    | juliet    | example.com   | foo bar",
        "juliet@example.com/foo@bar    | juliet    | example.com   | foo@bar",
        "foo\\20bar@example.com        | foo\\20bar | example.com  | -",
        "fussball@example.com          | fussball  | example.com   | -",
        "fu\u00dfball@example.com      | fu\u00dfball | example.com | -",
        "\u03c0@example.com            | \u03c0    | example.com   | -",
        "\u03a3@example.com/foo        | \u03c3    | example.com   | foo",
        "\u03c3@example.com/foo        | \u03c3    | example.com   | foo",
        "\u03c2@example.com/foo        | \u03c2    | example.com   | foo",
        "king@example.com/\u265a       | king      | example.com   | \u265a",
        "example.com                   | -         | example.com   | -",
        "example.com/foobar            | -         | example.com   | foobar",
        "a.example.com/b@example.net   | -         | a.example.com | b@example.net",
    })
    void rfc7622ValidExamples(String input, String local, String domain, String resource) {
        Jid jid = Jid.parse(input.strip());
        assertThat(jid.local()).isEqualTo(local);
        assertThat(jid.domain()).isEqualTo(domain);
        assertThat(jid.resource()).isEqualTo(resource);
        assertThat(Jid.parse(jid.toString())).isEqualTo(jid);
    }

    /** RFC 7622 section 3.5.2, every invalid example. */
    @ParameterizedTest
    @ValueSource(strings = {
        "\"juliet\"@example.com",
        "foo bar@example.com",
        "juliet@example.com/",
        "@example.com/",
        "henri\u2163@example.com",
        "\u265a@example.com",
        "juliet@",
        "/foobar",
    })
    void rfc7622InvalidExamples(String input) {
        assertThatThrownBy(() -> Jid.parse(input)).isInstanceOf(JidFormatException.class);
        assertThat(Jid.tryParse(input)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a&b", "a'b", "a/b", "a:b", "a<b", "a>b", "\uff02quoted\uff02"})
    void localpartRejectsTheSection331Characters(String local) {
        assertThatThrownBy(() -> Jid.of(local, "example.com", null)).isInstanceOf(JidFormatException.class);
    }

    @Test
    void equalityIsOnThePreparedForm() {
        assertThat(Jid.parse("Juliet@EXAMPLE.com./Balcony")).isEqualTo(Jid.parse("juliet@example.com/Balcony"));
        assertThat(Jid.parse("juliet@example.com/balcony")).isNotEqualTo(Jid.parse("juliet@example.com/Balcony"));
        assertThat(Jid.parse("\uff2a\uff55\uff4c\uff49\uff45\uff54@example.com").local()).isEqualTo("juliet");
        assertThat(new Jid("ROMEO", "Example.COM", null)).isEqualTo(Jid.of("romeo", "example.com", null));
        assertThat(new Jid("ROMEO", "Example.COM", null).toString()).isEqualTo("romeo@example.com");
    }

    @Test
    void bareResourceAndDomainOperations() {
        Jid full = Jid.parse("juliet@example.com/balcony");
        assertThat(full.isBare()).isFalse();
        assertThat(full.bare()).isEqualTo(Jid.parse("juliet@example.com"));
        assertThat(full.bare().isBare()).isTrue();
        assertThat(full.bare().isDomain()).isFalse();
        assertThat(full.domainJid()).isEqualTo(Jid.parse("example.com"));
        assertThat(full.bare().withResource("orchard").toString()).isEqualTo("juliet@example.com/orchard");
        assertThat(Jid.parse("example.com").isDomain()).isTrue();
        assertThat(Jid.parse("example.com/res").isDomain()).isFalse();
        assertThatThrownBy(() -> full.withResource("")).isInstanceOf(JidFormatException.class);
    }

    @ParameterizedTest
    @CsvSource({
        "EXAMPLE.COM, example.com",
        "example.com., example.com",
        "example.com\u3002, example.com",
        "xn--mnchen-3ya.de, m\u00fcnchen.de",
        "M\u00dcNCHEN.de, m\u00fcnchen.de",
        "127.0.0.1, 127.0.0.1",
        "[::1], [::1]",
        "[2001:DB8::A], [2001:db8::a]",
        "[::ffff:192.0.2.1], [::ffff:192.0.2.1]",
        "[1:2:3:4:5:6:7:8], [1:2:3:4:5:6:7:8]",
    })
    void domainpartPreparation(String raw, String prepared) {
        assertThat(Jid.ofDomain(raw).domain()).isEqualTo(prepared);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "a..b", "exa mple.com", "ex_ample.com", "-a.com", "[::1", "[]",
        "[1:2:3:4:5:6:7:8:9]", "[1::2::3]", "[::g]", "[::1%eth0]", "[12345::]", "[::256.1.1.1]",
        "[1.2.3.4::]"})
    void invalidDomainparts(String raw) {
        assertThatThrownBy(() -> Jid.ofDomain(raw)).isInstanceOf(JidFormatException.class);
    }

    @Test
    void partsAreLimitedTo1023Octets() {
        String label = "a".repeat(63);
        String domain = String.join(".", label, label, label, label, label, label, label, label, label, label,
                label, label, label, label, label, label);
        assertThat(domain.length()).isEqualTo(1023);
        assertThat(Jid.ofDomain(domain).domain()).isEqualTo(domain);
        assertThatThrownBy(() -> Jid.ofDomain(domain + ".b")).isInstanceOf(JidFormatException.class);

        assertThat(Jid.of("a".repeat(1023), "example.com", null).local()).hasSize(1023);
        assertThatThrownBy(() -> Jid.of("a".repeat(1024), "example.com", null)).isInstanceOf(JidFormatException.class);
        // 512 two-octet characters: 1024 octets although only 512 chars.
        assertThatThrownBy(() -> Jid.of("\u00e9".repeat(512), "example.com", null))
                .isInstanceOf(JidFormatException.class);
        assertThat(Jid.of(null, "example.com", "r".repeat(1023)).resource()).hasSize(1023);
        assertThatThrownBy(() -> Jid.of(null, "example.com", "r".repeat(1024))).isInstanceOf(JidFormatException.class);
        assertThatThrownBy(() -> Jid.parse("x".repeat(100_000) + "@example.com"))
                .isInstanceOf(JidFormatException.class);
    }

    @Test
    void nullAndControlCharactersAreFormatErrors() {
        assertThatThrownBy(() -> Jid.parse(null)).isInstanceOf(JidFormatException.class);
        assertThatThrownBy(() -> Jid.of("a", null, null)).isInstanceOf(JidFormatException.class);
        assertThatThrownBy(() -> Jid.parse("a\u0000b@example.com")).isInstanceOf(JidFormatException.class);
        assertThatThrownBy(() -> Jid.parse("ab@example.com/x\u0007")).isInstanceOf(JidFormatException.class);
        assertThatThrownBy(() -> Jid.parse("ab@exa\u0000mple.com")).isInstanceOf(JidFormatException.class);
        assertThatThrownBy(() -> Jid.parse("a@b@example.com")).isInstanceOf(JidFormatException.class);
    }

    @Test
    void resourceKeepsCaseAndSpacesButMapsNonAsciiSpace() {
        Jid jid = Jid.parse("juliet@example.com/Foo\u00a0Bar");
        assertThat(jid.resource()).isEqualTo("Foo Bar");
        assertThat(jid.toString()).isEqualTo("juliet@example.com/Foo Bar");
        assertThat(Jid.parse("juliet@example.com/a/b").resource()).isEqualTo("a/b");
    }
}
