package org.kaiku.engine.storage;

import org.kaiku.engine.auth.CredentialStore;
import org.kaiku.engine.auth.InMemoryCredentialStore;

/**
 * Every storage contract the engine needs, handed to {@link org.kaiku.engine.XmppEngine#start}
 * in one piece. persistence/ supplies the Cassandra implementations; {@link #inMemory()} serves
 * engine tests only (nothing survives the JVM). {@code health} is what the node knows of the
 * stores' reachability (probed by persistence in production).
 */
public record Stores(CredentialStore credentials, OfflineStore offline, AccountDataStore accountData, ArchiveStore archive,
                     StorageHealth health) {

    /** Stores whose reachability nobody tracks ({@link StorageHealth#untracked()}). */
    public Stores(CredentialStore credentials, OfflineStore offline, AccountDataStore accountData, ArchiveStore archive) {
        this(credentials, offline, accountData, archive, StorageHealth.untracked());
    }

    public static Stores inMemory() {
        return new Stores(new InMemoryCredentialStore(), new InMemoryOfflineStore(), new InMemoryAccountDataStore(),
                new InMemoryArchiveStore());
    }
}
