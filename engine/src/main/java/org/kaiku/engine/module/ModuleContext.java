package org.kaiku.engine.module;

/**
 * What a module may use when it registers. {@code registry} is the registry being built; read it
 * only when handling a request (disco answers from the finished registry), never during register().
 */
public record ModuleContext(String domain, String serverName, String serverVersion, ModuleRegistry registry) {
}
