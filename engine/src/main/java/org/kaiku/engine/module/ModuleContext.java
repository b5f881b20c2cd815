package org.kaiku.engine.module;

import com.typesafe.config.Config;
import org.kaiku.engine.storage.Stores;

/**
 * What a module may use when it registers. {@code registry} is the registry being built; read it
 * only when handling a request (disco answers from the finished registry), never during register().
 * {@code stores} are the node's storage contracts (Cassandra in production). {@code config} is
 * the node's configuration, for a module to read its {@code kaiku.*} settings once, here (a bad
 * value throws {@link org.kaiku.engine.config.SettingsException} naming the key).
 * {@code accounts} tells account entities that a document of theirs changed (see {@link AccountSignals}).
 */
public record ModuleContext(String domain, String serverName, String serverVersion, ModuleRegistry registry,
                            Stores stores, Config config, AccountSignals accounts) {
}
