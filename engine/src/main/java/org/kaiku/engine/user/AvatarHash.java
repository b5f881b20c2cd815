package org.kaiku.engine.user;

import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.kaiku.engine.features.vcard.VCardModule;
import org.kaiku.engine.storage.AccountDataStore;
import org.kaiku.engine.storage.XmlDocument;
import org.kaiku.protocol.ext.avatar.VCardUpdate;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The account's XEP-0153 photo hash and its place in presence. XEP-0153 leaves the hash to the
 * client; XEP-0398 section 4 has the server add it to every available presence that lacks one,
 * so contacts see avatars of clients that never download their own vCard. The server does that
 * here, with {@link VCardUpdate#inject}, on broadcasts, directed presence, probe answers and
 * the presence of the other resources shown to a new one. The stored presence of each resource
 * stays as its client sent it, so a changed hash is injected afresh everywhere.
 *
 * <p>Where the hash comes from, and its cost: the vCard lives in the {@link AccountDataStore},
 * written by the VCardModule in the client's session, which then signals the entity
 * ({@link UserEntity.AccountDataChanged}). The entity re-reads the vCard (one store read per
 * vCard set, issued with pipeToSelf, never blocking the entity) and keeps the hash in its state
 * as a {@link UserEvent.PhotoHashChanged} (one journal write, only when the hash differs). Reads
 * are numbered and only the latest one counts, so two sets racing each other end with the hash
 * of what the store kept. An entity whose journal holds no hash (the account never set a vCard
 * since this feature exists) reads the vCard each time it starts and keeps that hash in memory
 * only ({@link Account#photoHash}): one store read per entity start and no write, because a
 * journal write at start would hold every command arriving meanwhile in the entity's stash
 * (such as a burst of messages for an offline account, released at once afterwards). Until that
 * read completes presence goes out without a hash, and is sent again with it when it completes.
 * A failed read changes nothing (the old hash stays, or none); a stored document that is not XML
 * counts as no photo.
 *
 * <p>When the hash changes while resources are available, each one's last presence is
 * broadcast again with the new hash, to the subscribers and the account's own resources, as a
 * presence update (RFC 6121 section 4.4); not to directed-presence recipients (XEP-0398 section
 * 4 leaves those to the client). A resource whose client put its own photo element in its
 * presence is left as it is: the rebroadcast would repeat it unchanged.
 */
final class AvatarHash {
    private final Account account;
    private final ActorContext<UserEntity.Command> context;
    private final AccountDataStore store;
    private final PresenceHandler presence;
    private long reads;
    private boolean latestJournals;

    /** @param store where the vCard is kept; null: no hash is ever known, presence goes out as sent */
    AvatarHash(Account account, ActorContext<UserEntity.Command> context, AccountDataStore store, PresenceHandler presence) {
        this.account = account;
        this.context = context;
        this.store = store;
        this.presence = presence;
    }

    /** After recovery: an account whose journal has no hash reads its vCard, and keeps the hash in memory. */
    void started(UserState state) {
        if (state.profile().photoHash() == null) {
            read(false);
        }
    }

    /** A module wrote or removed one of the account's documents. */
    void documentChanged(String key) {
        if (VCardModule.KEY.equals(key)) {
            read(true);
        }
    }

    private void read(boolean journal) {
        if (store == null) {
            return;
        }
        latestJournals = journal;
        long seq = ++reads;
        context.pipeToSelf(store.get(account.bare(), VCardModule.KEY), (doc, err) ->
                new UserEntity.PhotoHashRead(seq, err == null ? hashOf(doc) : null));
    }

    private static String hashOf(Optional<String> doc) {
        if (doc == null || doc.isEmpty()) {
            return "";
        }
        try {
            return VCardUpdate.photoHash(XmlDocument.read(doc.get()));
        } catch (RuntimeException e) {
            return "";
        }
    }

    /** A read completed: keep its hash if it is the latest read and the hash changed, and tell who sees the user. */
    void readDone(Outbox box, UserEntity.PhotoHashRead read) {
        if (read.seq() != reads) {
            return;
        }
        if (read.hash() == null) {
            context.getLog().warn("could not read the vCard of {} for its photo hash", account.bare());
            return;
        }
        String before = account.photoHash(box.state());
        if (read.hash().equals(before)) {
            return;
        }
        if (latestJournals) {
            box.emit(new UserEvent.PhotoHashChanged(read.hash()));
        } else {
            account.photoHashRead(read.hash());
        }
        for (Map.Entry<String, UserState.OnlineResource> e : box.state().availableResources().entrySet()) {
            XmlElement raw = XmlStrings.parse(e.getValue().presence());
            if (raw == null) {
                continue;
            }
            XmlElement now = VCardUpdate.inject(raw, read.hash());
            if (!now.equals(VCardUpdate.inject(raw, before))) {
                presence.rebroadcast(box, now);
            }
        }
    }
}
