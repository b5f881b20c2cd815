package org.kaiku.engine.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.xml.XmlElement;

/** XEP-0012 section 3 arithmetic and rules, on a fixed clock. */
class LastActivityTest {
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private final Account juliet = new Account(Jid.parse("juliet@capulet.com"));
    private final LastActivity last = new LastActivity(juliet, Clock.fixed(NOW, ZoneOffset.UTC));

    private static UserState offline(long lastLogout, String status) {
        RosterItem romeo = new RosterItem("romeo@montague.net", null, List.of(), RosterItem.Subscription.BOTH, false, false);
        return new UserState(Map.of(romeo.jid(), romeo), Map.of(), Map.of(), 1, Set.of(),
                new UserState.Profile("", lastLogout, status));
    }

    private static XmlElement ask() {
        return EntityHarness.xml("<iq xmlns='jabber:client' type='get' id='last1' from='romeo@montague.net/orchard' "
                + "to='juliet@capulet.com'><query xmlns='jabber:iq:last'/></iq>");
    }

    @Test
    void secondsSinceTheLastLogoutWithItsStatusAsInTheXepsExample() {
        long logout = NOW.minusSeconds(903).toEpochMilli() - 400; // 903.4 s ago: whole seconds, rounded down
        XmlElement answer = last.answer(offline(logout, "Heading Home"), ask(), Jid.parse("romeo@montague.net/orchard"));
        assertThat(answer.attr("type")).isEqualTo("result");
        assertThat(answer.attr("to")).isEqualTo("romeo@montague.net/orchard");
        XmlElement query = answer.child("query", "jabber:iq:last");
        assertThat(query.attr("seconds")).isEqualTo("903");
        assertThat(query.text()).isEqualTo("Heading Home");
    }

    @Test
    void aLogoutInTheFutureOfThisNodesClockIsZeroNotNegative() {
        long logout = NOW.plusSeconds(5).toEpochMilli(); // recorded by a node whose clock runs ahead
        XmlElement answer = last.answer(offline(logout, null), ask(), Jid.parse("romeo@montague.net/orchard"));
        assertThat(answer.child("query", "jabber:iq:last").attr("seconds")).isEqualTo("0");
        assertThat(answer.child("query", "jabber:iq:last").text()).isEmpty();
    }

    @Test
    void strangersAreForbiddenAndLongStatusesAreCut() {
        XmlElement answer = last.answer(offline(1, "x"), ask(), Jid.parse("tybalt@capulet.com/street"));
        assertThat(EntityHarness.errorCondition(answer)).isEqualTo("forbidden");

        last.unavailableSent("balcony", EntityHarness.xml("<presence xmlns='jabber:client' type='unavailable'><status>"
                + "a".repeat(LastActivity.MAX_STATUS - 1) + "\uD83D\uDE00" + "</status></presence>"));
        Outbox box = new Outbox(UserState.empty(), s -> { });
        last.loggedOut(box, "balcony");
        assertThat(box.events()).singleElement().isInstanceOfSatisfying(UserEvent.LoggedOut.class, e -> {
            assertThat(e.at()).isEqualTo(NOW.toEpochMilli());
            assertThat(e.status()).hasSize(LastActivity.MAX_STATUS - 1).doesNotContain("\uD83D");
        });
    }
}
