package org.kaiku.engine.c2s;

import java.util.concurrent.atomic.AtomicInteger;
import org.kaiku.engine.auth.CredentialStore;
import org.kaiku.engine.config.EngineSettings;
import org.kaiku.engine.module.ModuleRegistry;
import org.kaiku.engine.routing.Router;
import org.kaiku.engine.storage.StorageHealth;
import org.kaiku.engine.tls.TlsMaterial;
import org.kaiku.engine.user.SessionRegistry;

/**
 * What every client session of this node shares: read-only after start.
 *
 * @param unknownUserSecret keys the fake SCRAM salts answered for accounts that do not exist, so
 *     that they look the same on every attempt and across restarts (user enumeration)
 * @param health whether storage is reachable: account iq sets are refused while it is not
 * @param connections client connections open on this node now (kept by {@link C2sListener})
 * @param sessions the accounts with a session bound on this node, for the cluster ({@link SessionRegistry})
 * @param caps the clients' XEP-0115 strings, verified and cached cluster-wide (null: not checked)
 */
public record C2sContext(EngineSettings settings, TlsMaterial tls, CredentialStore credentials,
                         ModuleRegistry modules, Router router, byte[] unknownUserSecret,
                         StorageHealth health, AtomicInteger connections, SessionRegistry sessions,
                         org.kaiku.engine.features.caps.CapsCache caps) {
}
