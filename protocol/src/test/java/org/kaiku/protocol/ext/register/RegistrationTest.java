package org.kaiku.protocol.ext.register;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.kaiku.protocol.xml.StanzaFixtures.decodeByteByByte;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.StanzaRequestException;
import org.kaiku.protocol.stream.XmlStreamException;
import org.kaiku.protocol.xml.XmlElement;

/** XEP-0077: requests as the XEP's examples write them, the malformed ones and their errors. */
class RegistrationTest {

    private static XmlElement iq(String xml) throws XmlStreamException {
        return decodeByteByByte(xml);
    }

    private static XmlElement query(String xml) throws XmlStreamException {
        return iq(xml).elements().get(0);
    }

    @Test
    void registrationAndPasswordChangeAsInSections31And33() throws Exception {
        Registration.Request r = Registration.read(query("<iq type='set' id='reg2'><query xmlns='jabber:iq:register'>"
                + "<username>bill</username><password>Calliope</password></query></iq>"));
        assertThat(r).isEqualTo(new Registration.Credentials("bill", "Calliope"));
        assertThat(Registration.read(query("<iq type='set' id='unreg1'><query xmlns='jabber:iq:register'><remove/></query></iq>")))
                .isInstanceOf(Registration.Remove.class);
    }

    @Test
    void aSubmittedFormCountsAsTheFields() throws Exception {
        Registration.Request r = Registration.read(query("<iq type='set' id='r'><query xmlns='jabber:iq:register'>"
                + "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>jabber:iq:register</value></field>"
                + "<field var='username'><value>juliet</value></field><field var='password'><value>R0m30</value></field></x>"
                + "</query></iq>"));
        assertThat(r).isEqualTo(new Registration.Credentials("juliet", "R0m30"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "<query xmlns='jabber:iq:register'><username>bill</username></query>",
        "<query xmlns='jabber:iq:register'><username>bill</username><password/></query>",
        "<query xmlns='jabber:iq:register'><username></username><password>x</password></query>",
        "<query xmlns='jabber:iq:register'/>",
    })
    void missingInformationIsNotAcceptable(String q) {
        assertThatThrownBy(() -> Registration.read(query("<iq type='set' id='r'>" + q + "</iq>")))
                .isInstanceOfSatisfying(StanzaRequestException.class,
                        e -> assertThat(e.condition()).isEqualTo(StanzaError.Condition.NOT_ACCEPTABLE));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "<query xmlns='jabber:iq:register'><remove/><username>bill</username></query>",
        "<query xmlns='jabber:iq:register'><username>a</username><password>b</password>"
                + "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>jabber:iq:register</value></field></x></query>",
        "<query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='submit'>"
                + "<field var='FORM_TYPE'><value>urn:example:other</value></field></x></query>",
        "<query xmlns='urn:example:not-register'/>",
    })
    void malformedRequestsAreBadRequests(String q) {
        assertThatThrownBy(() -> Registration.read(query("<iq type='set' id='r'>" + q + "</iq>")))
                .isInstanceOfSatisfying(StanzaRequestException.class,
                        e -> assertThat(e.condition()).isEqualTo(StanzaError.Condition.BAD_REQUEST));
    }

    @Test
    void errorsNeverEchoThePassword() throws Exception {
        XmlElement request = iq("<iq type='set' id='change1'><query xmlns='jabber:iq:register'>"
                + "<username>bill</username><password>newpass</password></query></iq>");
        XmlElement error = Registration.error(request, StanzaError.of(StanzaError.Condition.NOT_ALLOWED));
        assertThat(error.attr("type")).isEqualTo("error");
        assertThat(error.attr("id")).isEqualTo("change1");
        assertThat(error.child("query", Registration.NAMESPACE)).isNull();
        assertThat(error.toString()).doesNotContain("newpass").contains("not-allowed");
    }

    @Test
    void answersOfSection31() {
        XmlElement fields = Registration.fields("Choose a username and password.");
        assertThat(fields.child("username", Registration.NAMESPACE)).isNotNull();
        assertThat(fields.child("password", Registration.NAMESPACE)).isNotNull();
        assertThat(fields.childText("instructions", Registration.NAMESPACE)).isEqualTo("Choose a username and password.");
        XmlElement registered = Registration.registered("juliet");
        assertThat(registered.child("registered", Registration.NAMESPACE)).isNotNull();
        assertThat(registered.childText("username", Registration.NAMESPACE)).isEqualTo("juliet");
        assertThat(registered.child("password", Registration.NAMESPACE)).isNull();
        assertThat(Registration.feature().namespace()).isEqualTo("http://jabber.org/features/iq-register");
    }
}
