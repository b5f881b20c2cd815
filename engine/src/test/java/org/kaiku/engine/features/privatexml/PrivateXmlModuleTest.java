package org.kaiku.engine.features.privatexml;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.kaiku.engine.features.IqFixture;
import org.kaiku.engine.module.IqHandler.Scope;
import org.kaiku.engine.storage.AccountDataStore;
import org.kaiku.engine.storage.Stores;
import org.kaiku.engine.storage.XmlDocument;
import org.kaiku.protocol.stanza.StanzaError.Condition;
import org.kaiku.protocol.xml.XmlElement;

/** XEP-0049 through the module's handlers, over in-memory stores, hostile requests included. */
class PrivateXmlModuleTest {
    private static final String PREFS = "<exodus xmlns='exodus:prefs'><defaultnick>Hamlet</defaultnick></exodus>";
    private static final String BOOKMARKS = "<storage xmlns='storage:bookmarks'><conference jid='council@conf.localhost'"
            + " autojoin='true' name='The &quot;Council&quot;'><nick>Ham</nick></conference></storage>";

    private final IqFixture fixture = new IqFixture(Stores.inMemory(), new PrivateXmlModule());

    @Test
    void storesAndReturnsAFragmentAsTheXepExampleDoes() {
        XmlElement set = set("hamlet@localhost/denmark", "hamlet@localhost", PREFS);
        assertThat(set.attr("type")).isEqualTo("result");
        assertThat(set.attr("id")).isEqualTo("s");

        XmlElement got = get("hamlet@localhost/elsinore", "<exodus xmlns='exodus:prefs'/>");

        assertThat(got.attr("type")).isEqualTo("result");
        assertThat(got.attr("to")).isEqualTo("hamlet@localhost/elsinore");
        assertThat(got.elements()).containsExactly(query(PREFS));
    }

    @Test
    void nothingStoredAnswersTheRequestedElementEmpty() {
        XmlElement got = get("hamlet@localhost/d", "<storage xmlns='storage:bookmarks'/>");

        assertThat(got.attr("type")).isEqualTo("result");
        assertThat(got.elements()).containsExactly(query("<storage xmlns='storage:bookmarks'/>"));
    }

    @Test
    void fragmentsAreKeptByQualifiedNameSoOneSetDoesNotEraseAnother() {
        set("hamlet@localhost/d", "hamlet@localhost", PREFS + BOOKMARKS);
        set("hamlet@localhost/d", "hamlet@localhost", "<other xmlns='exodus:prefs'><x>1</x></other>");

        assertThat(get("hamlet@localhost/d", "<storage xmlns='storage:bookmarks'/>").elements()).containsExactly(query(BOOKMARKS));
        assertThat(get("hamlet@localhost/d", "<exodus xmlns='exodus:prefs'/><other xmlns='exodus:prefs'/>").elements())
                .containsExactly(query(PREFS + "<other xmlns='exodus:prefs'><x>1</x></other>"));
    }

    @Test
    void aGetForTwoNamespacesIsNotAcceptable() {
        XmlElement reply = get("hamlet@localhost/d", "<exodus xmlns='exodus:prefs'/><storage xmlns='storage:bookmarks'/>");

        assertThat(IqFixture.condition(reply)).isEqualTo(Condition.NOT_ACCEPTABLE);
    }

    @Test
    void anEmptyQueryIsNotAcceptable() {
        assertThat(IqFixture.condition(get("hamlet@localhost/d", ""))).isEqualTo(Condition.NOT_ACCEPTABLE);
        assertThat(IqFixture.condition(set("hamlet@localhost/d", "hamlet@localhost", ""))).isEqualTo(Condition.NOT_ACCEPTABLE);
    }

    @Test
    void reservedNamespacesAreNotAcceptableAndSpoilTheWholeSet() {
        for (String reserved : new String[] {"<vCard xmlns='vcard-temp'><FN>H</FN></vCard>", "<message xmlns='jabber:client'/>",
                "<query xmlns='jabber:iq:private'/>", "<inherits>the query's namespace</inherits>", "<x xmlns='jabber:server'/>"}) {
            XmlElement reply = set("hamlet@localhost/d", "hamlet@localhost", PREFS + reserved);
            assertThat(IqFixture.condition(reply)).as(reserved).isEqualTo(Condition.NOT_ACCEPTABLE);
        }
        assertThat(stored("hamlet@localhost", "exodus:prefs", "exodus")).isEmpty();
        assertThat(IqFixture.condition(get("hamlet@localhost/d", "<vCard xmlns='vcard-temp'/>"))).isEqualTo(Condition.NOT_ACCEPTABLE);
    }

    @Test
    void aSetWithTheSameElementTwiceIsNotAcceptableAndStoresNothing() {
        XmlElement reply = set("hamlet@localhost/d", "hamlet@localhost",
                PREFS + "<exodus xmlns='exodus:prefs'><defaultnick>Yorick</defaultnick></exodus>");

        assertThat(IqFixture.condition(reply)).isEqualTo(Condition.NOT_ACCEPTABLE);
        assertThat(stored("hamlet@localhost", "exodus:prefs", "exodus")).isEmpty();
    }

    @Test
    void anotherUsersStorageIsForbiddenForReadAndWrite() {
        set("hamlet@localhost/d", "hamlet@localhost", PREFS);

        XmlElement write = set("macbeth@localhost/d", "hamlet@localhost",
                "<exodus xmlns='exodus:prefs'><defaultnick>Macbeth</defaultnick></exodus>");
        XmlElement read = fixture.send(Scope.ACCOUNT, "<iq type='get' id='g' from='macbeth@localhost/d' to='hamlet@localhost'>"
                + "<query xmlns='jabber:iq:private'><exodus xmlns='exodus:prefs'/></query></iq>");

        assertThat(IqFixture.condition(write)).isEqualTo(Condition.FORBIDDEN);
        assertThat(IqFixture.condition(read)).isEqualTo(Condition.FORBIDDEN);
        assertThat(read.elements()).doesNotContain(query(PREFS));
        assertThat(get("hamlet@localhost/d", "<exodus xmlns='exodus:prefs'/>").elements()).containsExactly(query(PREFS));
    }

    @Test
    void anOversizedFragmentIsNotAcceptableAndItsSiblingsAreNotStored() {
        String big = "<blob xmlns='urn:example:blob'>" + "é".repeat(AccountDataStore.MAX_DOCUMENT_BYTES / 2) + "</blob>";

        XmlElement reply = set("hamlet@localhost/d", "hamlet@localhost", PREFS + big);

        assertThat(IqFixture.condition(reply)).isEqualTo(Condition.NOT_ACCEPTABLE);
        assertThat(stored("hamlet@localhost", "exodus:prefs", "exodus")).isEmpty();
    }

    @Test
    void anEmptyFragmentRemovesWhatWasStored() {
        set("hamlet@localhost/d", "hamlet@localhost", PREFS);

        set("hamlet@localhost/d", "hamlet@localhost", "<exodus xmlns='exodus:prefs'/>");

        assertThat(stored("hamlet@localhost", "exodus:prefs", "exodus")).isEmpty();
        assertThat(get("hamlet@localhost/d", "<exodus xmlns='exodus:prefs'/>").elements())
                .containsExactly(query("<exodus xmlns='exodus:prefs'/>"));
    }

    @Test
    void aPayloadThatIsNotAQueryIsABadRequest() {
        XmlElement reply = fixture.send(Scope.ACCOUNT, "<iq type='set' id='b' from='hamlet@localhost/d' to='hamlet@localhost'>"
                + "<storage xmlns='jabber:iq:private'>" + PREFS + "</storage></iq>");

        assertThat(IqFixture.condition(reply)).isEqualTo(Condition.BAD_REQUEST);
    }

    private XmlElement set(String from, String to, String fragments) {
        return fixture.send(Scope.ACCOUNT, "<iq type='set' id='s' from='" + from + "' to='" + to + "'>"
                + "<query xmlns='jabber:iq:private'>" + fragments + "</query></iq>");
    }

    private XmlElement get(String from, String fragments) {
        String bare = from.substring(0, from.indexOf('/'));
        return fixture.send(Scope.ACCOUNT, "<iq type='get' id='g' from='" + from + "' to='" + bare + "'>"
                + "<query xmlns='jabber:iq:private'>" + fragments + "</query></iq>");
    }

    private static XmlElement query(String fragments) {
        return XmlDocument.read("<query xmlns='jabber:iq:private'>" + fragments + "</query>");
    }

    private Optional<String> stored(String account, String namespace, String name) {
        return fixture.stores.accountData().get(account, PrivateXmlModule.key(XmlElement.of(name, namespace)))
                .toCompletableFuture().join();
    }
}
