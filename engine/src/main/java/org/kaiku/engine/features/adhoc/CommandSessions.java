package org.kaiku.engine.features.adhoc;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.kaiku.protocol.ext.xdata.DataForm;

/**
 * The open ad-hoc command sessions of this node: which requester runs which command and which
 * form it was last asked to fill in. A client's iqs to the server are handled on the node that
 * holds its connection, so a session lives on that node only. Sessions end when completed or
 * canceled, or {@code lifetime} after their last stage; at most {@code perRequester} run at once
 * per requester and {@code total} on the node (one more: the oldest expired ones go first, then
 * the start is refused). Session ids are random (128 bits), so one requester cannot guess
 * another's. Thread-safe.
 */
final class CommandSessions {
    record Session(String requester, String node, DataForm asked, long expiresAt) {
    }

    private final Duration lifetime;
    private final int perRequester;
    private final int total;
    private final LongSupplier clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> open = new LinkedHashMap<>();

    CommandSessions(Duration lifetime, int perRequester, int total, LongSupplier nanoClock) {
        this.lifetime = lifetime;
        this.perRequester = perRequester;
        this.total = total;
        this.clock = nanoClock;
    }

    /** Opens a session; null when the requester or the node has too many open. */
    synchronized String open(String requester, String node, DataForm asked) {
        expire();
        long mine = open.values().stream().filter(s -> s.requester().equals(requester)).count();
        if (mine >= perRequester || open.size() >= total) {
            return null;
        }
        byte[] id = new byte[16];
        random.nextBytes(id);
        String sessionId = HexFormat.of().formatHex(id);
        open.put(sessionId, new Session(requester, node, asked, clock.getAsLong() + lifetime.toNanos()));
        return sessionId;
    }

    /** The live session with this id, or null (unknown, ended or expired). */
    synchronized Session get(String sessionId) {
        expire();
        return sessionId == null ? null : open.get(sessionId);
    }

    /** The session goes on to another stage with another form. */
    synchronized void advance(String sessionId, DataForm asked) {
        Session s = open.get(sessionId);
        if (s != null) {
            open.put(sessionId, new Session(s.requester(), s.node(), asked, clock.getAsLong() + lifetime.toNanos()));
        }
    }

    synchronized void close(String sessionId) {
        open.remove(sessionId);
    }

    private void expire() {
        long now = clock.getAsLong();
        for (Iterator<Session> it = open.values().iterator(); it.hasNext(); ) {
            if (now - it.next().expiresAt() >= 0) {
                it.remove();
            }
        }
    }
}
