package org.kaiku.engine.module;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one module adds, as data. Build it with {@link #builder()}. */
public record ModuleRegistration(List<String> features, List<Identity> identities, Map<IqHandler.Key, IqHandler> iqHandlers) {

    public ModuleRegistration {
        features = List.copyOf(features);
        identities = List.copyOf(identities);
        iqHandlers = Map.copyOf(iqHandlers);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final List<String> features = new ArrayList<>();
        private final List<Identity> identities = new ArrayList<>();
        private final Map<IqHandler.Key, IqHandler> handlers = new LinkedHashMap<>();

        public Builder feature(String var) {
            features.add(var);
            return this;
        }

        public Builder identity(Identity identity) {
            identities.add(identity);
            return this;
        }

        /** Handles iq of {@code type} ("get" or "set") whose payload is in {@code namespace}. */
        public Builder iq(IqHandler.Scope scope, String namespace, String type, IqHandler handler) {
            handlers.put(new IqHandler.Key(scope, namespace, type), handler);
            return this;
        }

        public ModuleRegistration build() {
            return new ModuleRegistration(features, identities, handlers);
        }
    }
}
