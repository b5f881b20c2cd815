package org.kaiku.protocol.ext.xdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kaiku.protocol.xml.StanzaFixtures.decodeByteByByte;

import java.util.List;
import org.junit.jupiter.api.Test;

/** XEP-0004: a form written and read back whole, and the section 3.3 checks of a submission. */
class DataFormTest {
    private static final DataForm FORM = new DataForm("form", "Adding a User", List.of("Fill out this form."), List.of(
            DataForm.Field.of(DataForm.FORM_TYPE, "hidden", "http://jabber.org/protocol/admin"),
            DataForm.Field.ask("accountjid", "jid-single", "The Jabber ID", true),
            DataForm.Field.ask("password", "text-private", "Password", false),
            new DataForm.Field("max_items", "list-single", "Maximum", false, List.of("25"),
                    List.of(new DataForm.Option("25", "25"), new DataForm.Option("50", "50")), null),
            DataForm.Field.ask("notify", "boolean", "Notify", false)));

    @Test
    void writtenAndReadBack() throws Exception {
        DataForm back = DataForm.fromElement(decodeByteByByte(FORM.toElement().toXml())).orElseThrow();
        assertThat(back).isEqualTo(FORM);
        assertThat(back.field("accountjid").orElseThrow().required()).isTrue();
        assertThat(back.formType()).isEqualTo("http://jabber.org/protocol/admin");
    }

    @Test
    void aGoodSubmissionHasNoProblems() {
        DataForm submit = new DataForm("submit", List.of(
                DataForm.Field.of(DataForm.FORM_TYPE, "hidden", "http://jabber.org/protocol/admin"),
                DataForm.Field.of("accountjid", null, "juliet@example.org"),
                DataForm.Field.of("max_items", null, "50"),
                DataForm.Field.of("notify", null, "true"),
                DataForm.Field.of("unknown-extra", null, "ignored")));
        assertThat(FORM.problems(submit)).isEmpty();
    }

    @Test
    void badSubmissionsAreNamed() {
        DataForm submit = new DataForm("submit", List.of(
                DataForm.Field.of(DataForm.FORM_TYPE, "hidden", "urn:example:other"),
                DataForm.Field.of("password", null, "a", "b"),
                DataForm.Field.of("max_items", null, "1000"),
                DataForm.Field.of("notify", null, "yes")));
        assertThat(FORM.problems(submit)).containsExactly(
                "FORM_TYPE urn:example:other does not answer http://jabber.org/protocol/admin",
                "accountjid is required",
                "password takes one value",
                "max_items has no option '1000'",
                "notify is a boolean, not 'yes'");
        assertThat(FORM.problems(new DataForm("submit", List.of(DataForm.Field.of("accountjid", null, "@@bad")))))
                .containsExactly("accountjid is not a JID: '@@bad'");
        assertThat(FORM.problems(new DataForm("form", List.of()))).hasSize(1);
    }
}
