package org.kaiku.engine.user;

import org.kaiku.engine.features.mam.MessageArchiver;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.xml.XmlElement;

/**
 * Where the account entity meets its message archive (XEP-0313): every message on its way to the
 * account's resources passes {@link #incoming} (which may add a stanza-id and always strips
 * spoofed ones), every message its clients sent is handed to {@link #outgoing} after it was
 * routed. The decisions and the writes are the {@link MessageArchiver}'s; this only supplies the
 * roster for the 'roster' preference. With no archiver (entity tests, benchmarks) messages pass
 * unchanged.
 */
final class ArchiveHook {
    private final Account account;
    private final MessageArchiver archiver;
    private final DurableReceipts receipts;

    ArchiveHook(Account account, MessageArchiver archiver, DurableReceipts receipts) {
        this.account = account;
        this.archiver = archiver;
        this.receipts = receipts;
    }

    /** The archive write, if any, is handed to {@link DurableReceipts} for the open message. */
    XmlElement incoming(UserState state, XmlElement message) {
        return archiver == null ? message
                : archiver.incoming(account.jid(), message, j -> inRoster(state, j), receipts::archiveWrite);
    }

    void outgoing(UserState state, XmlElement message) {
        if (archiver != null) {
            archiver.outgoing(account.jid(), message, j -> inRoster(state, j));
        }
    }

    /** Starts reading the account's archive preferences, so the first message finds them. */
    void warm() {
        if (archiver != null) {
            archiver.warm(account.jid());
        }
    }

    private static boolean inRoster(UserState state, Jid bare) {
        return state.roster().containsKey(bare.toString());
    }
}
