package org.kaiku.engine.c2s;

import org.kaiku.engine.auth.CredentialStore;
import org.kaiku.engine.config.EngineSettings;
import org.kaiku.engine.module.ModuleRegistry;
import org.kaiku.engine.routing.Router;
import org.kaiku.engine.tls.TlsMaterial;

/**
 * What every client session of this node shares: read-only after start.
 *
 * @param unknownUserSecret keys the fake SCRAM salts answered for accounts that do not exist, so
 *     that they look the same on every attempt and across restarts (user enumeration)
 */
public record C2sContext(EngineSettings settings, TlsMaterial tls, CredentialStore credentials,
                         ModuleRegistry modules, Router router, byte[] unknownUserSecret) {
}
