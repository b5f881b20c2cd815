package org.kaiku.engine.features.register;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import org.kaiku.engine.config.SettingsException;

/**
 * In-band registration's settings, read once from {@code kaiku.registration.*} (defaults and
 * comments in engine's reference.conf). A bad value stops the start with its key named.
 *
 * @param inBand          whether an unauthenticated client may create an account (off by default,
 *                        as on ejabberd and Prosody: an open server is a spam relay)
 * @param perAddressLimit accounts one remote address may create on this node per window
 * @param window          the sliding window of that limit
 * @param passwordChange  whether an authenticated user may change their password in-band
 * @param instructions    the text answered with the fields
 * @param removal         whether an authenticated user may delete their own account in-band
 */
public record RegistrationSettings(boolean inBand, int perAddressLimit, Duration window, boolean passwordChange,
                                   String instructions, boolean removal) {

    /** Removal allowed. */
    public RegistrationSettings(boolean inBand, int perAddressLimit, Duration window, boolean passwordChange, String instructions) {
        this(inBand, perAddressLimit, window, passwordChange, instructions, true);
    }

    public static RegistrationSettings fromConfig(Config root) {
        String p = "kaiku.registration.";
        int limit;
        Duration window;
        try {
            limit = root.getInt(p + "per-address-limit");
            window = root.getDuration(p + "per-address-window");
        } catch (ConfigException e) {
            throw new SettingsException(p + "per-address-*", e.getMessage(), e);
        }
        if (limit <= 0) {
            throw new SettingsException(p + "per-address-limit", "must be positive, got " + limit);
        }
        if (window.isNegative() || window.isZero()) {
            throw new SettingsException(p + "per-address-window", "must be positive, got " + window);
        }
        try {
            return new RegistrationSettings(root.getBoolean(p + "in-band"), limit, window,
                    root.getBoolean(p + "password-change"), root.getString(p + "instructions"), root.getBoolean(p + "removal"));
        } catch (ConfigException e) {
            throw new SettingsException(p + "*", e.getMessage(), e);
        }
    }
}
