package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kaiku.engine.config.StreamManagementSettings;
import org.kaiku.engine.session.SessionMessage.Durable;
import org.kaiku.engine.session.SessionMessage.Durable.Outcome;
import org.kaiku.protocol.xml.XmlElement;

/**
 * When the server tells a client its 'h' (XEP-0198 section 4) while stored messages wait for
 * their writes: unrequested acks every ack-every and when the writes caught up, reading paused
 * at max-pending-durable and resumed below it, no request of ours while writes are pending.
 */
class InboundAcksTest {
    private static final int CAP = 4;
    private static final int EVERY = 3;

    /** What the policy did to its connection. */
    private static final class Recorder implements InboundAcks.Link {
        final List<Long> acks = new ArrayList<>();
        final List<String> refused = new ArrayList<>();
        int pauses;

        @Override
        public void ack(long h) {
            acks.add(h);
        }

        @Override
        public void pauseReading() {
            pauses++;
        }

        @Override
        public void refuse(XmlElement message) {
            refused.add(message.attr("id"));
        }

        @Override
        public void armDurableCheck(Duration after, boolean onlyIfIdle) {
        }
    }

    private final Recorder link = new Recorder();
    private final InboundAcks acks = new InboundAcks(link, new StreamManagementSettings(Duration.ofMinutes(5),
            Duration.ofMinutes(5), 5, Duration.ofSeconds(5), 5000, "", Duration.ofSeconds(30), CAP, Duration.ofSeconds(30), EVERY));
    private final SmCounters counters = new SmCounters();

    private static XmlElement message(String id) {
        return XmlElement.builder("message", "jabber:client").attr("id", id).build();
    }

    @Test
    void stanzasHandledAtOnceGetAnUnrequestedAckEveryAckEvery() {
        acks.start(counters);
        for (int i = 0; i < 7; i++) {
            acks.handledNow(counters);
        }
        assertThat(link.acks).containsExactly(3L, 6L);
        acks.answer(counters);
        assertThat(link.acks).as("a request is answered at once").containsExactly(3L, 6L, 7L);
        assertThat(acks.quiet(counters)).isTrue();
    }

    @Test
    void anAckWaitsForTheWriteAndComesUnrequestedWhenTheWritesCaughtUp() {
        acks.start(counters);
        long m1 = acks.awaitDurable(counters, message("m1"));
        acks.handledNow(counters);
        long m3 = acks.awaitDurable(counters, message("m3"));
        acks.answer(counters);
        assertThat(link.acks).as("asked while m1 waits: 0").containsExactly(0L);
        assertThat(acks.quiet(counters)).as("no <r/> of ours while writes are pending").isFalse();

        assertThat(acks.onDurable(counters, new Durable(m3, Outcome.STORED))).isFalse();
        assertThat(link.acks).as("m3 stored, but m1 still holds 'h' at 0").containsExactly(0L);
        acks.onDurable(counters, new Durable(m1, Outcome.STORED));
        assertThat(link.acks).as("caught up: told without asking").containsExactly(0L, 3L);
        assertThat(acks.quiet(counters)).isTrue();
    }

    @Test
    void aFailedWriteIsRefusedThenCounted() {
        acks.start(counters);
        long m1 = acks.awaitDurable(counters, message("m1"));
        acks.onDurable(counters, new Durable(m1, Outcome.FAILED));
        assertThat(link.refused).containsExactly("m1");
        assertThat(link.acks).containsExactly(1L);
    }

    @Test
    void readingPausesAtTheCapAndResumesBelowIt() {
        acks.start(counters);
        List<Long> numbers = new ArrayList<>();
        for (int i = 0; i < CAP; i++) {
            numbers.add(acks.awaitDurable(counters, message("m" + i)));
        }
        assertThat(link.pauses).isEqualTo(1);
        assertThat(acks.quiet(counters)).isFalse();
        assertThat(acks.onDurable(counters, new Durable(numbers.get(3), Outcome.STORED)))
                .as("one below the cap: read again").isTrue();
        assertThat(link.acks).as("the write that came back is not the oldest: 'h' still 0").isEmpty();
        acks.onDurable(counters, new Durable(numbers.get(0), Outcome.STORED));
        acks.onDurable(counters, new Durable(numbers.get(1), Outcome.STORED));
        assertThat(link.acks).as("'h' moved ack-every (3) past what the client heard? not yet: 2").isEmpty();
        acks.onDurable(counters, new Durable(numbers.get(2), Outcome.STORED));
        assertThat(link.acks).containsExactly(4L);
    }
}
