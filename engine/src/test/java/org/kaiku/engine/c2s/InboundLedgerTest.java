package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The inbound 'h' of XEP-0198 when stored messages count only once durable: 'h' moves over the
 * gap-free prefix only, completions in any order, overdue ones expire, and it wraps at 2^32.
 */
class InboundLedgerTest {

    private static XmlElement message(String id) {
        return XmlElement.builder("message", "jabber:client").attr("id", id).build();
    }

    @Test
    void hCoversOnlyTheGapFreePrefixWhateverTheOrderOfCompletions() {
        InboundLedger l = new InboundLedger(0);
        long m1 = l.awaitDurable(message("m1"), Long.MAX_VALUE);
        l.handledNow();
        long m3 = l.awaitDurable(message("m3"), Long.MAX_VALUE);
        long m4 = l.awaitDurable(message("m4"), Long.MAX_VALUE);
        l.handledNow();
        assertThat(new long[] {m1, m3, m4}).containsExactly(1, 3, 4);
        assertThat(l.handled()).as("m1 pending holds everything behind it").isZero();
        assertThat(l.pendingCount()).isEqualTo(3);

        assertThat(l.complete(m4).stanza().attr("id")).isEqualTo("m4");
        assertThat(l.handled()).as("a completion past a gap waits").isZero();
        assertThat(l.complete(m1).stanza().attr("id")).isEqualTo("m1");
        assertThat(l.handled()).as("1 and 2 now; 3 still pending").isEqualTo(2);
        assertThat(l.complete(m1)).as("a second report of the same number").isNull();
        assertThat(l.handled()).isEqualTo(2);
        l.complete(m3);
        assertThat(l.handled()).as("3 closes the gap up to 5").isEqualTo(5);
        assertThat(l.pendingCount()).isZero();
        assertThat(l.complete(99)).as("a number never given").isNull();
        assertThat(l.handled()).isEqualTo(5);
    }

    @Test
    void overdueReceiptsExpireOldestFirstAndCountAsHandled() {
        InboundLedger l = new InboundLedger(0);
        l.awaitDurable(message("a"), 100);
        l.awaitDurable(message("b"), 300);
        l.awaitDurable(message("c"), 200);
        assertThat(l.nextDeadline()).isEqualTo(100);
        assertThat(l.expire(99)).isEmpty();
        assertThat(l.expire(200)).extracting(p -> p.stanza().attr("id")).containsExactly("a", "c");
        assertThat(l.handled()).isEqualTo(1);
        assertThat(l.nextDeadline()).isEqualTo(300);
        assertThat(l.complete(3)).as("expired: a late report is ignored").isNull();
        assertThat(l.expire(300)).extracting(p -> p.stanza().attr("id")).containsExactly("b");
        assertThat(l.handled()).isEqualTo(3);
    }

    @Test
    void aResumedCountStartsFromItsBaseAndWrapsAt2To32() {
        InboundLedger l = new InboundLedger(4294967294L);
        l.handledNow();
        assertThat(l.handled()).isEqualTo(4294967295L);
        long n = l.awaitDurable(message("x"), Long.MAX_VALUE);
        l.handledNow();
        assertThat(l.handled()).isEqualTo(4294967295L);
        l.complete(n);
        assertThat(l.handled()).as("wrapped past 2^32-1").isEqualTo(1);
    }
}
