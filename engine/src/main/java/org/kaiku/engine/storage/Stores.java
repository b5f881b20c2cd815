package org.kaiku.engine.storage;

import org.kaiku.engine.auth.CredentialStore;
import org.kaiku.engine.auth.InMemoryCredentialStore;

/**
 * Every storage contract the engine needs, handed to {@link org.kaiku.engine.XmppEngine#start}
 * in one piece. persistence/ supplies the Cassandra implementations; {@link #inMemory()} serves
 * engine tests only (nothing survives the JVM).
 */
public record Stores(CredentialStore credentials, OfflineStore offline, AccountDataStore accountData, ArchiveStore archive) {

    public static Stores inMemory() {
        return new Stores(new InMemoryCredentialStore(), new InMemoryOfflineStore(), new InMemoryAccountDataStore(),
                new InMemoryArchiveStore());
    }
}
