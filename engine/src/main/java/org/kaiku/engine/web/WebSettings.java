package org.kaiku.engine.web;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import org.kaiku.engine.config.SettingsException;

/**
 * The web transports' settings, read once from {@code kaiku.http.*} (defaults and comments in
 * engine's reference.conf). A bad value stops the start with its key named.
 *
 * @param tls       HTTPS/WSS with the server's certificate; false is plain HTTP, allowed only on a
 *                  loopback bind-host (a TLS-terminating proxy in front)
 * @param publicUrl the base URL clients reach the listener at, as advertised in host-meta; null:
 *                  derived from bind-host and port
 * @param pingEvery a WebSocket ping after this much idle time (RFC 7395 section 3.8's keepalive)
 */
public record WebSettings(boolean enabled, String bindHost, int port, boolean tls, URI publicUrl, Duration pingEvery) {
    /** Path of the RFC 7395 endpoint. */
    public static final String WEBSOCKET_PATH = "xmpp-websocket";
    /** Path of the XEP-0206 endpoint. */
    public static final String BOSH_PATH = "http-bind";

    public static WebSettings fromConfig(Config root) {
        String p = "kaiku.http.";
        try {
            boolean enabled = root.getBoolean(p + "enabled");
            String bindHost = root.getString(p + "bind-host").strip();
            int port = root.getInt(p + "port");
            if (port < 0 || port > 65535) {
                throw new SettingsException(p + "port", "must be a port number (0 picks a free one), got " + port);
            }
            boolean tls = root.getBoolean(p + "tls");
            if (enabled && !tls && !loopback(bindHost)) {
                throw new SettingsException(p + "tls", "plain HTTP is allowed only on a loopback bind-host (behind a TLS proxy), not on "
                        + bindHost);
            }
            String url = root.getString(p + "public-url").strip();
            URI publicUrl = null;
            if (!url.isEmpty()) {
                publicUrl = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
                if (!"https".equals(publicUrl.getScheme()) && !"http".equals(publicUrl.getScheme()) || publicUrl.getHost() == null) {
                    throw new SettingsException(p + "public-url", "must be an https:// (or http://) URL, got " + url);
                }
            }
            Duration ping = root.getDuration(p + "websocket-ping");
            if (ping.isNegative() || ping.isZero()) {
                throw new SettingsException(p + "websocket-ping", "must be positive, got " + ping);
            }
            return new WebSettings(enabled, bindHost, port, tls, publicUrl, ping);
        } catch (ConfigException | IllegalArgumentException e) {
            throw new SettingsException(p + "*", e.getMessage(), e);
        }
    }

    /** The base URL clients use, once the listener's port is known (a configured public URL wins). */
    public URI baseUrl(int boundPort) {
        if (publicUrl != null) {
            return publicUrl;
        }
        String host = "0.0.0.0".equals(bindHost) || "::".equals(bindHost) || "127.0.0.1".equals(bindHost) ? "localhost" : bindHost;
        return URI.create((tls ? "https" : "http") + "://" + host + ":" + boundPort);
    }

    /** The RFC 7395 endpoint's URL under {@code base}: wss:// for https://, ws:// for http://. */
    public static URI websocketUrl(URI base) {
        String scheme = "https".equals(base.getScheme()) ? "wss" : "ws";
        return URI.create(scheme + base.toString().substring(base.getScheme().length()) + "/" + WEBSOCKET_PATH);
    }

    /** The BOSH endpoint's URL under {@code base}. */
    public static URI boshUrl(URI base) {
        return URI.create(base + "/" + BOSH_PATH);
    }

    private static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
