package org.kaiku.engine.component;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.kaiku.engine.config.SettingsException;
import org.kaiku.protocol.jid.Jid;

/**
 * The component listener's settings, read once from {@code kaiku.components.*} (defaults and
 * comments in engine's reference.conf). A bad value stops the start with its key named.
 *
 * @param secrets each component domain (prepared) and its shared secret; empty: no listener
 */
public record ComponentSettings(String bindHost, int port, Duration handshakeTimeout, int sendQueueSize,
                                Map<String, String> secrets) {

    public ComponentSettings {
        secrets = Map.copyOf(secrets);
    }

    public static ComponentSettings fromConfig(Config root, String serverDomain) {
        String p = "kaiku.components.";
        try {
            int port = root.getInt(p + "port");
            if (port < 0 || port > 65535) {
                throw new SettingsException(p + "port", "must be a port number (0 picks a free one), got " + port);
            }
            int queue = root.getInt(p + "send-queue-size");
            if (queue <= 0) {
                throw new SettingsException(p + "send-queue-size", "must be positive, got " + queue);
            }
            Map<String, String> secrets = new TreeMap<>();
            for (Map.Entry<String, ConfigValue> e : root.getObject(p + "secrets").entrySet()) {
                String key = p + "secrets.\"" + e.getKey() + "\"";
                Jid domain;
                try {
                    domain = Jid.parse(e.getKey());
                } catch (IllegalArgumentException ex) {
                    throw new SettingsException(key, "not a domain: " + ex.getMessage());
                }
                if (!domain.isDomain() || domain.domain().equals(Jid.ofDomain(serverDomain).domain())) {
                    throw new SettingsException(key, "a component needs a domain of its own, not a JID or the server's domain");
                }
                Object secret = e.getValue().unwrapped();
                if (!(secret instanceof String s) || s.isEmpty()) {
                    throw new SettingsException(key, "the secret must be a non-empty string");
                }
                secrets.put(domain.domain(), s);
            }
            return new ComponentSettings(root.getString(p + "bind-host"), port, root.getDuration(p + "handshake-timeout"), queue, secrets);
        } catch (ConfigException e) {
            throw new SettingsException(p + "*", e.getMessage(), e);
        }
    }
}
