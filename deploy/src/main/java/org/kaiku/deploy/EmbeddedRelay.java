package org.kaiku.deploy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kaiku.deploy.config.StartupException;
import org.kaiku.relay.RelayNode;

/**
 * The relay that {@code kaiku run} starts inside the node when {@code kaiku.relay.enabled} is on
 * (the default): its own actor system "kaiku-relay" beside the XMPP one, STUN and TURN over UDP on
 * {@code kaiku.relay.host:port}, and the XEP-0065 SOCKS5 proxy on {@code kaiku.relay.socks5.host:port}
 * (unless {@code kaiku.relay.socks5.enabled} is off), which the engine announces at proxy.DOMAIN. It is announced to the server's users through XEP-0215: a STUN
 * and a TURN entry are added to {@code kaiku.external-services.services}, the TURN one with the
 * relay's shared secret (and the same pair with transport tcp when {@code kaiku.relay.tcp} is on), so users get time-limited credentials the relay accepts. Without a
 * configured {@code kaiku.relay.shared-secret} one is made on first run and kept in
 * {@code <data-dir>/relay.secret} (mode 0600); a separate relay or a coturn must be given the same
 * secret.
 */
final class EmbeddedRelay {
    static final String ENABLED = "kaiku.relay.enabled";
    static final String SECRET = "kaiku.relay.shared-secret";

    /**
     * The running relay, and the configuration with its secret, its XEP-0215 entries and, when
     * the relay runs the SOCKS5 listener, {@code kaiku.bytestreams.enabled} on.
     */
    record Started(RelayNode relay, Config config) {
        /** The XEP-0065 proxy for the engine, or null when the relay or its SOCKS5 listener is off. */
        RelayBytestreams bytestreams() {
            return relay == null || relay.socks5() == null ? null
                    : new RelayBytestreams(relay.socks5(), config.getString("kaiku.relay.external-host"));
        }
    }

    private EmbeddedRelay() {
    }

    /** Starts the relay if enabled; null relay when it is off. */
    static Started start(Config config, Path dataDir) {
        if (!config.hasPath(ENABLED) || !config.getBoolean(ENABLED)) {
            return new Started(null, config);
        }
        if (config.getString(SECRET).isEmpty()) {
            config = config.withValue(SECRET, ConfigValueFactory.fromAnyRef(secret(dataDir.resolve("relay.secret"))));
        }
        RelayNode relay;
        try {
            relay = RelayNode.start(config, Clock.systemUTC());
        } catch (RuntimeException e) {
            throw StartupException.runtime("kaiku.relay.port", e.getMessage(), e);
        }
        InetSocketAddress bound = relay.stunAddress();
        String external = config.getString("kaiku.relay.external-host");
        String host = external.isEmpty() ? bound.getAddress().getHostAddress() : external;
        List<Object> services = new ArrayList<>(config.getList("kaiku.external-services.services").unwrapped());
        services.add(entry("stun", host, bound.getPort(), "udp", null));
        services.add(entry("turn", host, bound.getPort(), "udp", config.getString(SECRET)));
        if (config.getBoolean("kaiku.relay.tcp")) {
            services.add(entry("stun", host, bound.getPort(), "tcp", null));
            services.add(entry("turn", host, bound.getPort(), "tcp", config.getString(SECRET)));
        }
        config = config.withValue("kaiku.external-services.services", ConfigValueFactory.fromAnyRef(services));
        if (relay.socks5() != null) {
            config = config.withValue("kaiku.bytestreams.enabled", ConfigValueFactory.fromAnyRef(true));
        }
        return new Started(relay, config);
    }

    private static Map<String, Object> entry(String type, String host, int port, String transport, String secret) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("host", host);
        m.put("port", port);
        m.put("transport", transport);
        m.put("name", "Kaiku relay");
        if (secret != null) {
            m.put("secret", secret);
        }
        return m;
    }

    private static String secret(Path file) {
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.US_ASCII).trim();
            }
            Files.createDirectories(file.getParent());
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            Path tmp = Files.createTempFile(file.getParent(), "relay", ".tmp");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's permissions apply
            }
            String text = Base64.getEncoder().withoutPadding().encodeToString(random);
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            return text;
        } catch (IOException e) {
            throw StartupException.runtime("kaiku.data-dir", "cannot keep " + file + ": " + e.getMessage(), e);
        }
    }
}
