package org.kaiku.engine.features.last;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.kaiku.engine.features.IqFixture;
import org.kaiku.engine.module.IqHandler.Scope;
import org.kaiku.engine.storage.Stores;
import org.kaiku.protocol.xml.XmlElement;

/** XEP-0012 section 5: the server's uptime, on a clock the test moves. */
class LastActivityModuleTest {
    private static final String ASK = "<iq type='get' id='last3' from='romeo@localhost/orchard' to='localhost'><query xmlns='jabber:iq:last'/></iq>";

    @Test
    void answersWholeSecondsSinceTheModulesWereRegistered() {
        AtomicLong nanos = new AtomicLong(Long.MAX_VALUE - TimeUnit.SECONDS.toNanos(1)); // nanoTime may be near overflow
        IqFixture fixture = new IqFixture(Stores.inMemory(), new LastActivityModule(nanos::get));

        assertThat(seconds(fixture.send(Scope.SERVER, ASK))).isEqualTo("0");
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(123456) + 999_999_999L);
        XmlElement reply = fixture.send(Scope.SERVER, ASK);

        assertThat(reply.attr("type")).isEqualTo("result");
        assertThat(reply.attr("from")).isEqualTo("localhost");
        assertThat(reply.attr("id")).isEqualTo("last3");
        assertThat(seconds(reply)).isEqualTo("123456");
        assertThat(reply.child("query", "jabber:iq:last").children()).as("no text for a server (section 5)").isEmpty();
    }

    @Test
    void isAdvertisedForTheServer() {
        IqFixture fixture = new IqFixture(Stores.inMemory(), new LastActivityModule());
        assertThat(fixture.registry.features()).containsExactly("jabber:iq:last");
    }

    @Test
    void aUserAskingAboutItsOwnBareJidIsConnectedSoTheAnswerIsZero() {
        IqFixture fixture = new IqFixture(Stores.inMemory(), new LastActivityModule(() -> 0L));
        XmlElement reply = fixture.send(Scope.ACCOUNT,
                "<iq type='get' id='me' from='juliet@localhost/balcony' to='juliet@localhost'><query xmlns='jabber:iq:last'/></iq>");
        assertThat(reply.attr("type")).isEqualTo("result");
        assertThat(seconds(reply)).as("XEP-0012 section 3: a connected resource means 0").isEqualTo("0");
        assertThat(reply.child("query", "jabber:iq:last").children()).isEmpty();
    }

    private static String seconds(XmlElement reply) {
        return reply.child("query", "jabber:iq:last").attr("seconds");
    }
}
