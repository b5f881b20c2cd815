package org.kaiku.engine.c2s;

import java.time.Duration;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/** {@link InboundAcks} on a client session's connection and timers. */
final class SessionAckLink implements InboundAcks.Link {
    private final C2sSession session;
    private final TimerScheduler<SessionMessage> timers;

    SessionAckLink(C2sSession session, TimerScheduler<SessionMessage> timers) {
        this.session = session;
        this.timers = timers;
    }

    @Override
    public void ack(long h) {
        session.writeAck(h);
    }

    @Override
    public void pauseReading() {
        session.waitForAnswer();
    }

    /**
     * RFC 6120 section 8.3.3.18, resource-constraint (type wait): the server could not store
     * the message now; the client may send it again later. Chosen over internal-server-error
     * (type cancel) because the cause, storage down or slow, passes.
     */
    @Override
    public void refuse(XmlElement message) {
        session.writeStanza(Stanzas.errorReply(message, StanzaError.of(StanzaError.Condition.RESOURCE_CONSTRAINT)), 0);
    }

    @Override
    public void armDurableCheck(Duration after, boolean onlyIfIdle) {
        if (!onlyIfIdle || !timers.isTimerActive(C2sSession.Tick.DURABLE_CHECK)) {
            timers.startSingleTimer(C2sSession.Tick.DURABLE_CHECK, after);
        }
    }
}
