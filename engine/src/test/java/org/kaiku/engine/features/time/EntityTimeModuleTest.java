package org.kaiku.engine.features.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.kaiku.engine.features.IqFixture;
import org.kaiku.engine.module.IqHandler.Scope;
import org.kaiku.engine.storage.Stores;
import org.kaiku.protocol.xml.XmlElement;

/** XEP-0202 answers of the server, with fixed clocks. */
class EntityTimeModuleTest {
    private static final String ASK = "<iq type='get' id='t1' from='romeo@localhost/orchard' to='localhost'><time xmlns='urn:xmpp:time'/></iq>";

    @Test
    void answersUtcWithMillisecondsAndTheZoneOffset() {
        Clock clock = Clock.fixed(Instant.parse("2006-12-19T23:58:35.123456Z"), ZoneId.of("America/Denver"));
        XmlElement reply = new IqFixture(Stores.inMemory(), new EntityTimeModule(clock)).send(Scope.SERVER, ASK);

        assertThat(reply.attr("type")).isEqualTo("result");
        assertThat(reply.attr("from")).isEqualTo("localhost");
        assertThat(reply.attr("to")).isEqualTo("romeo@localhost/orchard");
        XmlElement time = reply.child("time", "urn:xmpp:time");
        assertThat(time.childText("tzo", "urn:xmpp:time")).isEqualTo("-07:00");
        assertThat(time.childText("utc", "urn:xmpp:time")).isEqualTo("2006-12-19T23:58:35.123Z");
    }

    @Test
    void utcItselfIsPlusZeroAndOddOffsetsKeepTheirMinutes() {
        Clock utc = Clock.fixed(Instant.parse("2024-02-29T00:00:00Z"), ZoneOffset.UTC);
        XmlElement reply = new IqFixture(Stores.inMemory(), new EntityTimeModule(utc)).send(Scope.SERVER, ASK);

        assertThat(reply.child("time", "urn:xmpp:time").childText("tzo", "urn:xmpp:time")).isEqualTo("+00:00");
        assertThat(reply.child("time", "urn:xmpp:time").childText("utc", "urn:xmpp:time")).isEqualTo("2024-02-29T00:00:00.000Z");
        assertThat(EntityTimeModule.tzd(ZoneOffset.ofHoursMinutes(5, 45))).isEqualTo("+05:45");
        assertThat(EntityTimeModule.tzd(ZoneOffset.ofHoursMinutes(-3, -30))).isEqualTo("-03:30");
        assertThat(EntityTimeModule.tzd(ZoneOffset.ofHoursMinutesSeconds(0, -25, -21))).isEqualTo("-00:25");
    }

    @Test
    void isAdvertisedAndAnsweredOnlyForTheServer() {
        IqFixture fixture = new IqFixture(Stores.inMemory(), new EntityTimeModule());
        assertThat(fixture.registry.features()).containsExactly("urn:xmpp:time");
        assertThat(fixture.registry.handler(Scope.SERVER, "urn:xmpp:time", "set")).isNull();
        assertThat(fixture.registry.handler(Scope.ACCOUNT, "urn:xmpp:time", "get")).isNull();
    }
}
