package org.kaiku.engine.upload;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.kaiku.engine.config.SettingsException;
import org.kaiku.protocol.jid.Jid;

/**
 * HTTP File Upload's settings, read once from {@code kaiku.upload.*} (defaults and comments in
 * engine's reference.conf). A bad value stops the start with its key named.
 *
 * @param domain        the upload service's JID (default {@code upload.DOMAIN})
 * @param publicUrl     the HTTPS base URL clients reach the listener at (slot URLs start with it)
 * @param directory     where the local file store keeps files (default {@code DATA/upload})
 */
public record UploadSettings(boolean enabled, String domain, String bindHost, int port, URI publicUrl, long maxFileSize,
                             long quotaPerUser, Duration slotLifetime, Duration expireAfter, Path directory) {

    public static UploadSettings fromConfig(Config root, String serverDomain, Path dataDir) {
        String p = "kaiku.upload.";
        try {
            boolean enabled = root.getBoolean(p + "enabled");
            String domain = root.getString(p + "domain").strip();
            domain = domain.isEmpty() ? "upload." + serverDomain : domain;
            Jid jid;
            try {
                jid = Jid.parse(domain);
            } catch (IllegalArgumentException e) {
                throw new SettingsException(p + "domain", "not a domain: " + e.getMessage());
            }
            if (!jid.isDomain() || jid.domain().equals(serverDomain)) {
                throw new SettingsException(p + "domain", "the upload service needs a domain of its own");
            }
            int port = root.getInt(p + "port");
            if (port < 0 || port > 65535) {
                throw new SettingsException(p + "port", "must be a port number (0 picks a free one), got " + port);
            }
            String url = root.getString(p + "public-url").strip();
            URI publicUrl = url.isEmpty() ? null : URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            if (publicUrl != null && !"https".equals(publicUrl.getScheme())) {
                throw new SettingsException(p + "public-url", "must be an https URL (XEP-0363 section 4), got " + url);
            }
            long max = root.getBytes(p + "max-file-size");
            long quota = root.getBytes(p + "quota-per-user");
            if (max <= 0 || quota < max) {
                throw new SettingsException(p + "quota-per-user", "max-file-size must be positive and the quota at least as large");
            }
            String dir = root.getString(p + "directory").strip();
            return new UploadSettings(enabled, jid.domain(), root.getString(p + "bind-host"), port, publicUrl, max, quota,
                    positive(root, p + "slot-lifetime"), positive(root, p + "expire-after"),
                    dir.isEmpty() ? dataDir.resolve("upload") : Path.of(dir).toAbsolutePath());
        } catch (ConfigException e) {
            throw new SettingsException(p + "*", e.getMessage(), e);
        }
    }

    /** The base URL of slots, once the listener's port is known (a configured public URL wins). */
    public URI baseUrl(int boundPort) {
        return publicUrl != null ? publicUrl : URI.create("https://" + ("0.0.0.0".equals(bindHost) ? "localhost" : bindHost)
                .replace("127.0.0.1", "localhost") + ":" + boundPort);
    }

    private static Duration positive(Config root, String key) {
        Duration d = root.getDuration(key);
        if (d.isNegative() || d.isZero()) {
            throw new SettingsException(key, "must be positive, got " + d);
        }
        return d;
    }
}
