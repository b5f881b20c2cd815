package org.kaiku.protocol.ext.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.kaiku.protocol.xml.StanzaFixtures.decodeByteByByte;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kaiku.protocol.ext.xdata.DataForm;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.StanzaRequestException;
import org.kaiku.protocol.xml.XmlElement;

/** XEP-0050: requests as the XEP's examples write them, answers, and the errors of section 4.4. */
class AdHocTest {

    @Test
    void requestsOfSection3() throws Exception {
        AdHoc.Request start = AdHoc.read(decodeByteByByte("<command xmlns='http://jabber.org/protocol/commands' node='list' action='execute'/>"));
        assertThat(start).isEqualTo(new AdHoc.Request("list", null, AdHoc.Action.EXECUTE, null));
        AdHoc.Request implied = AdHoc.read(decodeByteByByte("<command xmlns='http://jabber.org/protocol/commands' node='list'/>"));
        assertThat(implied.action()).isEqualTo(AdHoc.Action.EXECUTE);
        AdHoc.Request submit = AdHoc.read(decodeByteByByte("<command xmlns='http://jabber.org/protocol/commands' "
                + "sessionid='config:20020923T213616Z-700' node='config'><x xmlns='jabber:x:data' type='cancel'>"
                + "<field var='service'><value>httpd</value></field></x></command>"));
        assertThat(submit.sessionId()).isEqualTo("config:20020923T213616Z-700");
        // section 4.2.1: a cancel-type form is taken as submitted
        assertThat(submit.form().type()).isEqualTo("submit");
        assertThat(submit.form().field("service").orElseThrow().value()).isEqualTo("httpd");
    }

    @Test
    void malformedRequests() {
        assertThatThrownBy(() -> AdHoc.read(decodeByteByByte("<command xmlns='http://jabber.org/protocol/commands' node='x' action='jump'/>")))
                .isInstanceOfSatisfying(StanzaRequestException.class, e -> assertThat(e.getMessage()).isEqualTo("malformed-action"));
        assertThatThrownBy(() -> AdHoc.read(decodeByteByByte("<command xmlns='http://jabber.org/protocol/commands'/>")))
                .isInstanceOfSatisfying(StanzaRequestException.class,
                        e -> assertThat(e.condition()).isEqualTo(StanzaError.Condition.BAD_REQUEST));
    }

    @Test
    void answersAndErrors() throws Exception {
        XmlElement executing = new AdHoc.Response("config", "s1", AdHoc.Status.EXECUTING, List.of(AdHoc.Action.COMPLETE),
                AdHoc.Action.COMPLETE, new DataForm("form", List.of()), List.of()).toElement();
        assertThat(executing.attr("status")).isEqualTo("executing");
        assertThat(executing.child("actions", AdHoc.NAMESPACE).attr("execute")).isEqualTo("complete");
        assertThat(executing.child("actions", AdHoc.NAMESPACE).child("complete", AdHoc.NAMESPACE)).isNotNull();
        XmlElement completed = new AdHoc.Response("config", "s1", AdHoc.Status.COMPLETED, List.of(), null, null,
                List.of(AdHoc.Note.info("Service 'httpd' has been configured."))).toElement();
        assertThat(completed.child("actions", AdHoc.NAMESPACE)).isNull();
        assertThat(completed.child("note", AdHoc.NAMESPACE).attr("type")).isEqualTo("info");

        XmlElement iq = decodeByteByByte("<iq type='set' id='exec2' from='a@x/r' to='x'><command xmlns='http://jabber.org/protocol/commands' "
                + "node='config' sessionid='gone'/></iq>");
        XmlElement error = AdHoc.error(iq, StanzaError.Condition.NOT_ALLOWED, "session-expired");
        XmlElement e = error.child("error", "jabber:client");
        assertThat(e.attr("type")).isEqualTo("cancel");
        assertThat(e.child("not-allowed", "urn:ietf:params:xml:ns:xmpp-stanzas")).isNotNull();
        assertThat(e.child("session-expired", AdHoc.NAMESPACE)).isNotNull();
        assertThat(error.child("command", AdHoc.NAMESPACE)).isNull();
    }
}
