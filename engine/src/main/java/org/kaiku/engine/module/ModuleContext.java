package org.kaiku.engine.module;

import org.kaiku.engine.storage.Stores;

/**
 * What a module may use when it registers. {@code registry} is the registry being built; read it
 * only when handling a request (disco answers from the finished registry), never during register().
 * {@code stores} are the node's storage contracts (Cassandra in production).
 */
public record ModuleContext(String domain, String serverName, String serverVersion, ModuleRegistry registry,
                            Stores stores) {
}
