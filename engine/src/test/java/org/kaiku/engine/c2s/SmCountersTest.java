package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.protocol.xml.XmlElement;

/** The session's XEP-0198 counters: acks trim the queue, map to entity numbers, and wrap at 2^32. */
class SmCountersTest {

    private static XmlElement stanza(String id) {
        return XmlElement.builder("message", "jabber:client").attr("id", id).build();
    }

    @Test
    void anAckTrimsWhatItCoversAndReportsTheHighestEntityNumber() {
        SmCounters c = new SmCounters();
        c.sent(stanza("a"), 7);
        c.sent(stanza("reply"), 0);
        c.sent(stanza("b"), 8);
        c.sent(stanza("c"), 9);
        assertThat(c.ack(0)).isEqualTo(new SmCounters.Ack(false, 0));
        assertThat(c.ack(2)).isEqualTo(new SmCounters.Ack(false, 7));
        assertThat(c.unacked()).extracting(e -> e.stanza().attr("id")).containsExactly("b", "c");
        assertThat(c.ack(2)).as("the same h again").isEqualTo(new SmCounters.Ack(false, 0));
        assertThat(c.ack(5).tooHigh()).isTrue();
        assertThat(c.ack(1).tooHigh()).as("h never goes back").isTrue();
        assertThat(c.ack(4)).isEqualTo(new SmCounters.Ack(false, 9));
        assertThat(c.unackedCount()).isZero();
        assertThat(c.lastEntitySeq()).isEqualTo(9);
    }

    @Test
    void countersWrapAndCarryOverIntoAResumedStream() {
        SmCounters c = new SmCounters(new SessionMessage.SmState(true, "a@b/c", "id", 4294967295L, 4294967294L,
                List.of(new SessionMessage.SmEntry(stanza("x"), 3)), 3, 60));
        c.sent(stanza("y"), 4);
        c.sent(stanza("z"), 5);
        assertThat(c.sent()).isEqualTo(0);
        c.handledOne();
        assertThat(c.handled()).isZero();
        assertThat(c.ack(4294967295L)).isEqualTo(new SmCounters.Ack(false, 4));
        assertThat(c.unacked()).extracting(e -> e.stanza().attr("id")).containsExactly("z");
        assertThat(c.ack(1).tooHigh()).isTrue();
        assertThat(c.ack(0)).isEqualTo(new SmCounters.Ack(false, 5));
    }
}
