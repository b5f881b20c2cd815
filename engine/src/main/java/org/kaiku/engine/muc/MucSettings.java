package org.kaiku.engine.muc;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import org.kaiku.engine.config.SettingsException;
import org.kaiku.protocol.jid.Jid;

/**
 * Multi-User Chat settings, read once from {@code kaiku.muc.*} (defaults and comments in engine's
 * reference.conf). A bad value stops the start with its key named.
 *
 * @param domain       the service's JID (default {@code conference.DOMAIN})
 * @param maxHistory   messages a room keeps in memory for history on join (section 7.2.15)
 * @param maxOccupants the most a room's maxusers may be set to, and its default
 * @param emptyRoomIdle how long a room with no occupants stays in memory before it passivates
 */
public record MucSettings(boolean enabled, String domain, int maxHistory, int maxOccupants, java.time.Duration emptyRoomIdle) {

    public static MucSettings fromConfig(Config root, String serverDomain) {
        String p = "kaiku.muc.";
        try {
            boolean enabled = root.getBoolean(p + "enabled");
            String domain = root.getString(p + "domain").strip();
            domain = domain.isEmpty() ? "conference." + serverDomain : domain;
            Jid jid;
            try {
                jid = Jid.parse(domain);
            } catch (IllegalArgumentException e) {
                throw new SettingsException(p + "domain", "not a domain: " + e.getMessage());
            }
            if (!jid.isDomain() || jid.domain().equals(serverDomain)) {
                throw new SettingsException(p + "domain", "the MUC service needs a domain of its own");
            }
            int history = root.getInt(p + "max-history");
            if (history < 0 || history > 1000) {
                throw new SettingsException(p + "max-history", "must be 0..1000, got " + history);
            }
            int occupants = root.getInt(p + "max-occupants");
            if (occupants < 1 || occupants > 100_000) {
                throw new SettingsException(p + "max-occupants", "must be 1..100000, got " + occupants);
            }
            java.time.Duration idle = root.getDuration(p + "empty-room-idle");
            if (idle.isNegative() || idle.isZero()) {
                throw new SettingsException(p + "empty-room-idle", "must be positive, got " + idle);
            }
            return new MucSettings(enabled, jid.domain(), history, occupants, idle);
        } catch (ConfigException e) {
            throw new SettingsException(p + "*", e.getMessage(), e);
        }
    }
}
