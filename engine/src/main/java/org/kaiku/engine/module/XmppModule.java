package org.kaiku.engine.module;

/**
 * A feature module, found through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/org.kaiku.engine.module.XmppModule}). It states what it adds as data:
 * disco features and identities, and iq handlers by payload namespace and type; the
 * {@link ModuleRegistry} merges them, answers disco from them and computes the caps hash.
 * Annotate each module with {@link Xep}.
 */
public interface XmppModule {
    ModuleRegistration register(ModuleContext context);
}
