package org.kaiku.engine.config;

import java.time.Duration;

/**
 * XEP-0198 policy, from {@code kaiku.c2s.stream-management.*}.
 *
 * @param resumeTimeout     how long a dropped resumable session waits for its client when the
 *                          client asked for no 'max'
 * @param maxResumeTimeout  the most a client may ask for (its 'max' is capped to this); sent back
 *                          as the 'max' of {@code <enabled/>}
 * @param ackRequestEvery   the server sends {@code <r/>} once this many stanzas are unacknowledged
 * @param ackRequestDelay   ... or once any stanza has been unacknowledged this long
 * @param maxUnacked        unacknowledged stanzas one session may hold; past this the stream is
 *                          closed with policy-violation (and what was unacknowledged goes on to
 *                          the account's other resources or to offline storage)
 * @param location          the 'location' of {@code <enabled/>} ("host:port"), empty for none
 * @param entityKeepalive   how often a session with stream management touches its account
 *                          entity, so that idle passivation never drops the entity's queue
 * @param maxPendingDurable messages one session may have waiting for their durable write before
 *                          it stops reading from its socket (the client's 'h' waits for those
 *                          writes, see the c2s InboundLedger)
 * @param durableTimeout    how long a session waits for a recipient's entity to report a
 *                          durable write before it answers the message with a wait error
 * @param ackEvery          how far the client's 'h' may move past the last one it heard before
 *                          the server sends an unrequested {@code <a/>}
 */
public record StreamManagementSettings(Duration resumeTimeout, Duration maxResumeTimeout, int ackRequestEvery,
                                       Duration ackRequestDelay, int maxUnacked, String location,
                                       Duration entityKeepalive, int maxPendingDurable, Duration durableTimeout,
                                       int ackEvery) {

    /** The resumption time granted to a client that asked for {@code requestedSeconds} (0: none asked). */
    public Duration grant(long requestedSeconds) {
        Duration d = requestedSeconds > 0 ? Duration.ofSeconds(requestedSeconds) : resumeTimeout;
        return d.compareTo(maxResumeTimeout) > 0 ? maxResumeTimeout : d;
    }
}
