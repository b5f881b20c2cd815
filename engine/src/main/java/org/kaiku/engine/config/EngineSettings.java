package org.kaiku.engine.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.xml.DecoderLimits;

/**
 * The engine's settings, read once from {@code kaiku.*} (defaults and comments in engine's
 * reference.conf). Every value is checked here so a bad one stops the start with its key named.
 */
public record EngineSettings(
        String domain,
        Path dataDir,
        String bindHost,
        int c2sPort,
        int c2sTlsPort,
        boolean starttlsRequired,
        Duration keepaliveInterval,
        Duration negotiationTimeout,
        int sendQueueSize,
        int maxAuthAttempts,
        Path keystore,
        String keystorePassword,
        int scramIterations,
        DecoderLimits limits,
        int offlineQuota,
        StreamManagementSettings streamManagement) {

    public static EngineSettings fromConfig(Config root) {
        Config c = root.getConfig("kaiku");
        String domain = read(c, "domain", c::getString);
        try {
            Jid jid = Jid.parse(domain);
            if (!jid.isDomain()) {
                throw new SettingsException("kaiku.domain", "'" + domain + "' is not a bare domain");
            }
            domain = jid.toString();
        } catch (IllegalArgumentException e) {
            throw new SettingsException("kaiku.domain", "'" + domain + "' is not a valid domain: " + e.getMessage());
        }
        String keystore = read(c, "tls.keystore", c::getString);
        int stanzaBytes = positive(c, "limits.max-stanza-bytes");
        return new EngineSettings(
                domain,
                Path.of(read(c, "data-dir", c::getString)).toAbsolutePath().normalize(),
                read(c, "c2s.bind-host", c::getString),
                port(c, "c2s.port", false),
                port(c, "c2s.tls-port", true),
                read(c, "c2s.starttls-required", c::getBoolean),
                duration(c, "c2s.keepalive-interval"),
                duration(c, "c2s.negotiation-timeout"),
                positive(c, "c2s.send-queue-size"),
                positive(c, "c2s.max-auth-attempts"),
                keystore.isBlank() ? null : Path.of(keystore).toAbsolutePath(),
                read(c, "tls.keystore-password", c::getString),
                atLeast(c, "sasl.scram-iterations", 4096),
                new DecoderLimits(stanzaBytes, positive(c, "limits.max-depth"), positive(c, "limits.max-attributes"), stanzaBytes),
                positive(c, "offline.max-messages"),
                streamManagement(c, root));
    }

    private static StreamManagementSettings streamManagement(Config c, Config root) {
        String p = "c2s.stream-management.";
        Duration resume = duration(c, p + "resume-timeout");
        Duration max = duration(c, p + "max-resume-timeout");
        if (resume.compareTo(max) > 0) {
            throw new SettingsException("kaiku." + p + "resume-timeout",
                    "must not exceed kaiku." + p + "max-resume-timeout (" + max + "), got " + resume);
        }
        String location = read(c, p + "location", c::getString).strip();
        if (!location.isEmpty() && !location.matches("(\\[[0-9A-Fa-f:.]+\\]|[^\\s:\\[\\]]+)(:\\d{1,5})?")) {
            throw new SettingsException("kaiku." + p + "location", "not a host or host:port: '" + location + "'");
        }
        Duration keep = duration(c, p + "entity-keepalive");
        String strategyKey = "pekko.cluster.sharding.passivation.strategy";
        if (root.hasPath(strategyKey)) {
            // the idle timeout of whichever strategy is active (deploy names its own, see application.conf)
            String idle = "pekko.cluster.sharding.passivation." + root.getString(strategyKey) + ".idle-entity.timeout";
            if (root.hasPath(idle) && !List.of("none", "off").contains(String.valueOf(root.getValue(idle).unwrapped()))
                    && keep.compareTo(root.getDuration(idle)) >= 0) {
                throw new SettingsException("kaiku." + p + "entity-keepalive",
                        "must be shorter than " + idle + " (" + root.getDuration(idle) + "), got " + keep);
            }
        }
        return new StreamManagementSettings(resume, max, positive(c, p + "ack-request-every"),
                duration(c, p + "ack-request-delay"), positive(c, p + "max-unacked"), location, keep,
                positive(c, p + "max-pending-durable"), duration(c, p + "durable-timeout"),
                positive(c, p + "ack-every"));
    }

    /** Same settings with other ports (tests and the CLI's flags). */
    public EngineSettings withPorts(int port, int tlsPort) {
        return new EngineSettings(domain, dataDir, bindHost, port, tlsPort, starttlsRequired, keepaliveInterval,
                negotiationTimeout, sendQueueSize, maxAuthAttempts, keystore, keystorePassword, scramIterations, limits,
                offlineQuota, streamManagement);
    }

    private static <T> T read(Config c, String key, Function<String, T> getter) {
        try {
            return getter.apply(key);
        } catch (ConfigException e) {
            throw new SettingsException("kaiku." + key, e.getMessage(), e);
        }
    }

    private static int positive(Config c, String key) {
        int v = read(c, key, c::getInt);
        if (v <= 0) {
            throw new SettingsException("kaiku." + key, "must be positive, got " + v);
        }
        return v;
    }

    private static int atLeast(Config c, String key, int min) {
        int v = read(c, key, c::getInt);
        if (v < min) {
            throw new SettingsException("kaiku." + key, "must be at least " + min + ", got " + v);
        }
        return v;
    }

    private static int port(Config c, String key, boolean mayDisable) {
        int v = read(c, key, c::getInt);
        if (v > 65535 || v < (mayDisable ? -1 : 0)) {
            throw new SettingsException("kaiku." + key, "not a port number: " + v);
        }
        return v;
    }

    private static Duration duration(Config c, String key) {
        Duration d = read(c, key, c::getDuration);
        if (d.isNegative() || d.isZero()) {
            throw new SettingsException("kaiku." + key, "must be positive, got " + d);
        }
        return d;
    }
}
