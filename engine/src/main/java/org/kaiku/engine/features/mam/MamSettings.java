package org.kaiku.engine.features.mam;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import org.kaiku.engine.config.SettingsException;

/**
 * The archive's settings, read once from {@code kaiku.mam.*} (defaults and comments in engine's
 * reference.conf; the retention is persistence's, since the store applies it). A bad value stops
 * the start with its key named.
 *
 * @param defaultPageSize results in a page when the query names no RSM max
 * @param maxPageSize     the most results one page carries; a larger max is clamped to it
 * @param prefsRefresh    how old a cached copy of an account's preferences may get before the
 *                        archiver reads it again (while still using the old copy)
 */
public record MamSettings(int defaultPageSize, int maxPageSize, Duration prefsRefresh) {
    public static final MamSettings DEFAULTS = new MamSettings(50, 250, Duration.ofSeconds(60));

    public MamSettings {
        if (defaultPageSize <= 0 || maxPageSize <= 0 || defaultPageSize > maxPageSize) {
            throw new IllegalArgumentException("page sizes must be positive and default <= max");
        }
    }

    public static MamSettings fromConfig(Config root) {
        int max = positive(root, "kaiku.mam.max-page-size");
        int def = positive(root, "kaiku.mam.default-page-size");
        if (def > max) {
            throw new SettingsException("kaiku.mam.default-page-size",
                    "must not exceed kaiku.mam.max-page-size (" + max + "), got " + def);
        }
        Duration refresh;
        try {
            refresh = root.getDuration("kaiku.mam.prefs-refresh");
        } catch (ConfigException e) {
            throw new SettingsException("kaiku.mam.prefs-refresh", e.getMessage(), e);
        }
        if (refresh.isNegative() || refresh.isZero()) {
            throw new SettingsException("kaiku.mam.prefs-refresh", "must be positive, got " + refresh);
        }
        return new MamSettings(def, max, refresh);
    }

    private static int positive(Config root, String key) {
        int v;
        try {
            v = root.getInt(key);
        } catch (ConfigException e) {
            throw new SettingsException(key, e.getMessage(), e);
        }
        if (v <= 0) {
            throw new SettingsException(key, "must be positive, got " + v);
        }
        return v;
    }
}
