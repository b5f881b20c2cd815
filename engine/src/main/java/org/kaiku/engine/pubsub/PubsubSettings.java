package org.kaiku.engine.pubsub;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import org.kaiku.engine.config.SettingsException;
import org.kaiku.protocol.jid.Jid;

/**
 * Publish-Subscribe settings, read once from {@code kaiku.pubsub.*} (defaults and comments in
 * engine's reference.conf). A bad value stops the start with its key named.
 *
 * @param domain          the service's JID (default {@code pubsub.DOMAIN})
 * @param partitions      subscription partitions of a new node (a node keeps the count it was created with)
 * @param defaultMaxItems max_items of a new node
 * @param maxItemsLimit   the largest max_items an owner may set (items live in the node entity's state)
 * @param maxPayloadBytes the largest item payload, serialized, a publisher may send (section 7.1.3.4)
 */
public record PubsubSettings(boolean enabled, String domain, int partitions, int defaultMaxItems, int maxItemsLimit,
                             int maxPayloadBytes) {

    public static PubsubSettings fromConfig(Config root, String serverDomain) {
        String p = "kaiku.pubsub.";
        try {
            boolean enabled = root.getBoolean(p + "enabled");
            String domain = root.getString(p + "domain").strip();
            domain = domain.isEmpty() ? "pubsub." + serverDomain : domain;
            Jid jid;
            try {
                jid = Jid.parse(domain);
            } catch (IllegalArgumentException e) {
                throw new SettingsException(p + "domain", "not a domain: " + e.getMessage());
            }
            if (!jid.isDomain() || jid.domain().equals(serverDomain)) {
                throw new SettingsException(p + "domain", "the pubsub service needs a domain of its own");
            }
            int partitions = root.getInt(p + "partitions");
            if (partitions < 1 || partitions > 1024) {
                throw new SettingsException(p + "partitions", "must be 1..1024, got " + partitions);
            }
            int limit = root.getInt(p + "max-items-limit");
            if (limit < 1 || limit > 10_000) {
                throw new SettingsException(p + "max-items-limit", "must be 1..10000, got " + limit);
            }
            int def = root.getInt(p + "default-max-items");
            if (def < 1 || def > limit) {
                throw new SettingsException(p + "default-max-items", "must be 1.." + limit + " (max-items-limit), got " + def);
            }
            int payload = root.getInt(p + "max-payload-bytes");
            if (payload < 64 || payload > 1_000_000) {
                throw new SettingsException(p + "max-payload-bytes", "must be 64..1000000, got " + payload);
            }
            return new PubsubSettings(enabled, jid.domain(), partitions, def, limit, payload);
        } catch (ConfigException e) {
            throw new SettingsException(p + "*", e.getMessage(), e);
        }
    }
}
