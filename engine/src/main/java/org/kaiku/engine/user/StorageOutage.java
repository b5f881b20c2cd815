package org.kaiku.engine.user;

import java.time.Duration;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.slf4j.event.Level;
import org.kaiku.engine.storage.StorageHealth;
import org.kaiku.protocol.stanza.StanzaKind;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * How an account entity ({@link UserEntity}) lives through a storage (Cassandra) outage, so that
 * the sessions bound to it stay up and nothing it acknowledged is lost:
 * <ul>
 *   <li>Online delivery, stream management tracking and acks write nothing and go on as usual.</li>
 *   <li>A presence, iq set or bind from the account's own client, which may write a journal
 *       event, is refused while {@link StorageHealth} says storage is down ({@link #refused}):
 *       the client gets {@code <wait/><resource-constraint/>} (RFC 6120 section 8.3.3.18, "try
 *       again later"), nothing changes, and so nothing it was told is lost. Refused before any
 *       handler runs: a half-run handler could leave in-memory state (an offline drain, say)
 *       behind a write that never happens.</li>
 *   <li>A journal write that fails anyway (the outage began before the prober saw it, or an
 *       internal command such as the logout of a session that died) does not stop the entity, as
 *       Pekko Persistence does by default: {@link #PERSIST_FAILURE} restarts it with backoff. The
 *       restart replays the journal, retrying while Cassandra does not answer, and stashes what
 *       arrives meanwhile (at most {@value #RESTART_STASH} commands; Pekko drops more, as dead
 *       letters, which is a loss for messages beyond that many per account during one outage).
 *       The entity object itself, with its in-memory SM queues and offline drain, is kept; a
 *       session that died meanwhile is watched again from the replayed state and logged out.
 *       The failed command's effects (its answer, broadcasts) never happen: its client hears
 *       nothing for it.</li>
 *   <li>An entity started during the outage (a message for an account not in memory) likewise
 *       retries its recovery with backoff and handles what it stashed once Cassandra is back.</li>
 *   <li>An offline append that fails goes back to its sender as {@code <wait/><resource-constraint/>}
 *       ({@link OfflineDelivery}).</li>
 * </ul>
 * What the stash holds is memory: if the node itself dies during the outage, it is gone, as
 * anything the server acknowledged before writing it (see the durable acknowledgements of issue
 * 5 for the sender's side).
 */
final class StorageOutage {
    /** Commands kept while the entity restarts after a journal failure. */
    static final int RESTART_STASH = 5_000;
    /**
     * Journal failures restart the entity after 0.5 s, doubling up to 5 s while they go on. Each
     * restart is logged at DEBUG only: the outage itself is reported once by {@link StorageHealth},
     * and thousands of accounts would otherwise log a stack trace each per retry.
     */
    static final BackoffSupervisorStrategy PERSIST_FAILURE = SupervisorStrategy
            .restartWithBackoff(Duration.ofMillis(500), Duration.ofSeconds(5), 0.2)
            .withStashCapacity(RESTART_STASH)
            .withLogLevel(Level.DEBUG);

    private StorageOutage() {
    }

    /** Whether a stanza from the account's client is refused now: a presence or an iq set while storage is down. */
    static boolean refused(StorageHealth health, XmlElement stanza) {
        if (!health.isDown() || Stanzas.isError(stanza)) {
            return false;
        }
        StanzaKind kind = StanzaKind.of(stanza);
        return kind == StanzaKind.PRESENCE || (kind == StanzaKind.IQ && "set".equals(Stanzas.type(stanza)));
    }
}
