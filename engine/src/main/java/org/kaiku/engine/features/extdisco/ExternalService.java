package org.kaiku.engine.features.extdisco;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import org.kaiku.engine.config.SettingsException;

/**
 * One external service from {@code kaiku.external-services.services}: what XEP-0215 section 2
 * calls its attributes, plus the shared secret its time-limited credentials are made from (empty:
 * none are made) or fixed credentials (empty: none).
 */
record ExternalService(String type, String host, int port, String transport, String name, String secret,
        String username, String password) {

    static final String KEY = "kaiku.external-services.services";

    /** Reads the list; a bad entry fails with the key and its index. */
    static List<ExternalService> fromConfig(Config config) {
        List<ExternalService> out = new ArrayList<>();
        if (!config.hasPath(KEY)) {
            return out;
        }
        List<? extends Config> entries;
        try {
            entries = config.getConfigList(KEY);
        } catch (ConfigException e) {
            throw new SettingsException(KEY, "must be a list of objects: " + e.getMessage(), e);
        }
        for (int i = 0; i < entries.size(); i++) {
            Config c = entries.get(i);
            String at = KEY + "[" + i + "]";
            try {
                ExternalService s = new ExternalService(c.getString("type"), c.getString("host"), c.getInt("port"),
                        opt(c, "transport"), opt(c, "name"), opt(c, "secret"), opt(c, "username"), opt(c, "password"));
                if (s.type.isBlank() || s.host.isBlank()) {
                    throw new SettingsException(at, "type and host must not be empty");
                }
                if (s.port < 1 || s.port > 65535) {
                    throw new SettingsException(at + ".port", "must be 1..65535");
                }
                if (!s.secret.isEmpty() && !s.username.isEmpty()) {
                    throw new SettingsException(at, "give either secret or username/password, not both");
                }
                out.add(s);
            } catch (ConfigException e) {
                throw new SettingsException(at, e.getMessage(), e);
            }
        }
        return out;
    }

    private static String opt(Config c, String key) {
        return c.hasPath(key) ? c.getString(key) : "";
    }
}
