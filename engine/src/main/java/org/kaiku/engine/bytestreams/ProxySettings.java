package org.kaiku.engine.bytestreams;

import com.typesafe.config.Config;
import org.kaiku.engine.config.SettingsException;

/**
 * {@code kaiku.bytestreams}: whether the XEP-0065 proxy is announced and served, and at which
 * domain. {@code kaiku run} turns it on when its embedded relay runs the SOCKS5 listener.
 */
public record ProxySettings(boolean enabled, String domain) {
    public static ProxySettings fromConfig(Config config, String serverDomain) {
        String key = "kaiku.bytestreams.domain";
        String domain = config.hasPath(key) ? config.getString(key) : "";
        domain = domain.isEmpty() ? "proxy." + serverDomain : domain;
        if (domain.equals(serverDomain) || domain.contains("@") || domain.contains("/")) {
            throw new SettingsException(key, "must be a domain other than " + serverDomain);
        }
        boolean enabled = config.hasPath("kaiku.bytestreams.enabled") && config.getBoolean("kaiku.bytestreams.enabled");
        return new ProxySettings(enabled, domain);
    }
}
