package org.kaiku.engine.module;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one module adds, as data. Build it with {@link #builder()}. {@code features} are the
 * server's (disco#info on the domain); {@code accountFeatures} are answered on every account's
 * bare JID (disco#info to the user's own bare JID, e.g. XEP-0313 section 6); {@code items} are
 * the addresses the server's disco#items lists (services on domains of their own); {@code commands}
 * are the server's ad-hoc commands.
 */
public record ModuleRegistration(List<String> features, List<Identity> identities, Map<IqHandler.Key, IqHandler> iqHandlers,
                                 List<String> accountFeatures, List<String> items, List<AdHocCommand> commands) {

    public ModuleRegistration {
        commands = List.copyOf(commands);
        items = List.copyOf(items);
        features = List.copyOf(features);
        accountFeatures = List.copyOf(accountFeatures);
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
        private final List<String> accountFeatures = new ArrayList<>();
        private final List<String> items = new ArrayList<>();
        private final List<AdHocCommand> commands = new ArrayList<>();

        public Builder feature(String var) {
            features.add(var);
            return this;
        }

        /** A feature of every account's bare JID. */
        public Builder accountFeature(String var) {
            accountFeatures.add(var);
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

        /** An address (a service's JID) listed in the server's disco#items. */
        public Builder item(String jid) {
            items.add(jid);
            return this;
        }

        /** An ad-hoc command (XEP-0050) of the server. */
        public Builder command(AdHocCommand command) {
            commands.add(command);
            return this;
        }

        public ModuleRegistration build() {
            return new ModuleRegistration(features, identities, handlers, accountFeatures, items, commands);
        }
    }
}
