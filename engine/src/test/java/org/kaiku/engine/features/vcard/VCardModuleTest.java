package org.kaiku.engine.features.vcard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.kaiku.engine.features.IqFixture;
import org.kaiku.engine.module.IqHandler;
import org.kaiku.engine.module.IqHandler.Scope;
import org.kaiku.engine.storage.AccountDataStore;
import org.kaiku.engine.storage.Stores;
import org.kaiku.engine.storage.XmlDocument;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.StanzaError.Condition;
import org.kaiku.protocol.xml.XmlElement;

/** XEP-0054 through the module's handlers, over in-memory stores. */
class VCardModuleTest {
    private static final String VCARD = "<vCard xmlns='vcard-temp'><FN>Juliet &lt;&amp;&gt; Capulet</FN>"
            + "<N><FAMILY>Capulet</FAMILY><GIVEN>Juliet</GIVEN><MIDDLE/></N>"
            + "<TEL><HOME/><VOICE/><NUMBER>+1 555 \"0100\"</NUMBER></TEL><DESC>line one\nline two</DESC></vCard>";

    private final IqFixture fixture = new IqFixture(Stores.inMemory(), new VCardModule());

    @Test
    void aUserWithoutVCardGetsAnEmptyOne() {
        XmlElement reply = fixture.send(Scope.ACCOUNT,
                "<iq type='get' id='v1' from='juliet@localhost/balcony' to='juliet@localhost'><vCard xmlns='vcard-temp'/></iq>");

        assertThat(reply.attr("type")).isEqualTo("result");
        assertThat(reply.attr("id")).isEqualTo("v1");
        assertThat(reply.attr("to")).isEqualTo("juliet@localhost/balcony");
        assertThat(reply.elements()).containsExactly(XmlElement.of("vCard", "vcard-temp"));
    }

    @Test
    void aStoredVCardComesBackUnchangedAndASecondSetReplacesIt() {
        XmlElement set = fixture.send(Scope.ACCOUNT,
                "<iq type='set' id='v2' from='juliet@localhost/balcony' to='juliet@localhost'>" + VCARD + "</iq>");
        assertThat(set.attr("type")).isEqualTo("result");
        assertThat(set.elements()).isEmpty();

        XmlElement got = get("juliet@localhost/phone");
        assertThat(got.attr("type")).isEqualTo("result");
        assertThat(got.elements()).containsExactly(XmlDocument.read(VCARD));
        assertThat(got.elements().get(0).child("FN", "vcard-temp").text()).isEqualTo("Juliet <&> Capulet");

        fixture.send(Scope.ACCOUNT, "<iq type='set' id='v3' from='juliet@localhost/balcony' to='juliet@localhost'>"
                + "<vCard xmlns='vcard-temp'><NICKNAME>jc</NICKNAME></vCard></iq>");
        assertThat(get("juliet@localhost/phone").elements().get(0).elements())
                .containsExactly(XmlElement.builder("NICKNAME", "vcard-temp").text("jc").build());
    }

    @Test
    void anEmptySetRemovesTheVCard() {
        fixture.send(Scope.ACCOUNT, "<iq type='set' id='a' from='juliet@localhost/b' to='juliet@localhost'>" + VCARD + "</iq>");
        XmlElement cleared = fixture.send(Scope.ACCOUNT,
                "<iq type='set' id='b' from='juliet@localhost/b' to='juliet@localhost'><vCard xmlns='vcard-temp'/></iq>");

        assertThat(cleared.attr("type")).isEqualTo("result");
        assertThat(stored("juliet@localhost")).isEmpty();
        assertThat(get("juliet@localhost/b").elements()).containsExactly(XmlElement.of("vCard", "vcard-temp"));
    }

    @Test
    void settingSomeoneElsesVCardIsForbiddenAndChangesNothing() {
        fixture.send(Scope.ACCOUNT, "<iq type='set' id='a' from='romeo@localhost/x' to='romeo@localhost'>" + VCARD + "</iq>");

        XmlElement reply = fixture.send(Scope.ACCOUNT, "<iq type='set' id='evil' from='tybalt@localhost/x' to='romeo@localhost'>"
                + "<vCard xmlns='vcard-temp'><FN>Villain</FN></vCard></iq>");

        assertThat(IqFixture.condition(reply)).isEqualTo(Condition.FORBIDDEN);
        assertThat(stored("romeo@localhost")).contains(XmlDocument.write(XmlDocument.read(VCARD)));
    }

    @Test
    void anOversizedVCardIsNotAcceptableAndTheOldOneStays() {
        fixture.send(Scope.ACCOUNT, "<iq type='set' id='a' from='juliet@localhost/b' to='juliet@localhost'>" + VCARD + "</iq>");
        String photo = "A".repeat(AccountDataStore.MAX_DOCUMENT_BYTES);

        XmlElement reply = fixture.send(Scope.ACCOUNT, "<iq type='set' id='big' from='juliet@localhost/b' to='juliet@localhost'>"
                + "<vCard xmlns='vcard-temp'><PHOTO><TYPE>image/png</TYPE><BINVAL>" + photo + "</BINVAL></PHOTO></vCard></iq>");

        assertThat(IqFixture.condition(reply)).isEqualTo(Condition.NOT_ACCEPTABLE);
        assertThat(reply.attr("type")).isEqualTo("error");
        assertThat(get("juliet@localhost/b").elements()).containsExactly(XmlDocument.read(VCARD));
    }

    @Test
    void aWrongPayloadIsABadRequest() {
        XmlElement reply = fixture.send(Scope.ACCOUNT,
                "<iq type='get' id='w' from='juliet@localhost/b' to='juliet@localhost'><VCARD xmlns='vcard-temp'/></iq>");

        assertThat(IqFixture.condition(reply)).isEqualTo(Condition.BAD_REQUEST);
    }

    @Test
    void anAccountOverItsDocumentCountGetsPolicyViolation() {
        AccountDataStore store = fixture.stores.accountData();
        for (int i = 0; i < AccountDataStore.MAX_DOCUMENTS; i++) {
            store.put("hoarder@localhost", "other " + i, "<x xmlns='y'/>").toCompletableFuture().join();
        }

        XmlElement reply = fixture.send(Scope.ACCOUNT,
                "<iq type='set' id='q' from='hoarder@localhost/b' to='hoarder@localhost'>" + VCARD + "</iq>");

        assertThat(IqFixture.condition(reply)).isEqualTo(Condition.POLICY_VIOLATION);
    }

    @Test
    void othersReadAStoredVCardThroughTheEntityHookButCannotSetIt() {
        fixture.send(Scope.ACCOUNT, "<iq type='set' id='a' from='juliet@localhost/b' to='juliet@localhost'>" + VCARD + "</iq>");

        XmlElement read = readOthers("<iq xmlns='jabber:client' type='get' id='o1' from='romeo@localhost/orchard' to='juliet@localhost'>"
                + "<vCard xmlns='vcard-temp'/></iq>");
        assertThat(read.attr("type")).isEqualTo("result");
        assertThat(read.attr("from")).isEqualTo("juliet@localhost");
        assertThat(read.attr("to")).isEqualTo("romeo@localhost/orchard");
        assertThat(read.elements()).containsExactly(XmlDocument.read(VCARD));

        XmlElement missing = readOthers("<iq xmlns='jabber:client' type='get' id='o2' from='romeo@localhost/orchard' to='nurse@localhost'>"
                + "<vCard xmlns='vcard-temp'/></iq>");
        assertThat(IqFixture.condition(missing)).isEqualTo(Condition.SERVICE_UNAVAILABLE);

        XmlElement write = readOthers("<iq xmlns='jabber:client' type='set' id='o3' from='romeo@localhost/orchard' to='juliet@localhost'>"
                + "<vCard xmlns='vcard-temp'><FN>Romeo's</FN></vCard></iq>");
        assertThat(IqFixture.condition(write)).isEqualTo(Condition.FORBIDDEN);
    }

    @Test
    void theServerAdvertisesVcardTemp() {
        assertThat(fixture.registry.features()).contains("vcard-temp");
    }

    private XmlElement get(String from) {
        String bare = Jid.parse(from).bare().toString();
        return fixture.send(Scope.ACCOUNT, "<iq type='get' id='g' from='" + from + "' to='" + bare + "'><vCard xmlns='vcard-temp'/></iq>");
    }

    private Optional<String> stored(String account) {
        return fixture.stores.accountData().get(account, VCardModule.KEY).toCompletableFuture().join();
    }

    private XmlElement readOthers(String xml) {
        XmlElement iq = XmlDocument.read(xml);
        IqHandler.Request request = new IqHandler.Request(iq, iq.elements().get(0), Jid.parse(iq.attr("from")),
                Jid.parse(iq.attr("to")), Scope.ACCOUNT);
        return VCardModule.readOthers(fixture.stores.accountData(), request).toCompletableFuture().join();
    }
}
