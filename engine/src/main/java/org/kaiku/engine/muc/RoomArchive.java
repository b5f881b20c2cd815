package org.kaiku.engine.muc;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.kaiku.engine.features.mam.MamModule;
import org.kaiku.engine.module.IqHandler;
import org.kaiku.engine.storage.ArchiveId;
import org.kaiku.engine.storage.ArchiveStore;
import org.kaiku.engine.storage.ArchivedMessage;
import org.kaiku.engine.storage.XmlDocument;
import org.kaiku.protocol.ext.sid.StanzaId;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.xml.XmlElement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The archive of persistent rooms (XEP-0313 on a room's JID, XEP-0045 section 7.2.15's note on
 * history; XEP-0359 stanza ids by the room): a groupchat message with a body gets its archive id
 * in memory, goes out at once carrying {@code <stanza-id by='room'/>}, and is appended to the
 * {@link ArchiveStore} under the room's bare JID, not waited for (a failed write is logged and
 * counted, the message was delivered anyway). Cost: one Cassandra append per archived message.
 * Queries are answered by {@link MamModule#answerForRoom}, after the room checked the requester
 * may read its archive. Temporary rooms are not archived: a later room of the same name would
 * otherwise inherit a stranger's history.
 */
public final class RoomArchive {
    private static final Logger LOG = LoggerFactory.getLogger(RoomArchive.class);

    private final ArchiveStore store;
    private final MamModule mam;
    private final Clock clock = Clock.systemUTC();
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong lastMicros = new AtomicLong();
    private final AtomicLong failedWrites = new AtomicLong();

    public RoomArchive(ArchiveStore store, MamModule mam) {
        this.store = store;
        this.mam = mam;
    }

    /** The message as the room sends it (stanza id added, spoofed ones stripped), its archive write issued. */
    XmlElement archive(Jid room, String senderRoomJid, XmlElement message) {
        String by = room.toString();
        long now = ArchiveId.micros(clock.instant());
        ArchiveId id = new ArchiveId(lastMicros.accumulateAndGet(now, (last, n) -> Math.max(last + 1, n)), random.nextLong());
        XmlElement stamped = new StanzaId(id.toString(), by).addTo(StanzaId.stripSpoofed(message, by));
        store.append(by, new ArchivedMessage(id, senderRoomJid, false, XmlDocument.write(stamped))).whenComplete((v, err) -> {
            if (err != null) {
                failedWrites.incrementAndGet();
                LOG.warn("room message {} of {} not archived: {}", id, by, err.toString());
            }
        });
        return stamped;
    }

    /** Answers a query to the room's archive; results go to {@code request.push()}. */
    CompletionStage<XmlElement> query(IqHandler.Request request) {
        return mam.answerForRoom(request);
    }

    public long failedWrites() {
        return failedWrites.get();
    }
}
