package org.kaiku.deploy.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the one configuration tree a Kaiku process runs with. Layers, highest first:
 * command-line flags, JVM system properties ({@code -Dkaiku.c2s.port=...}), the {@code --config}
 * HOCON file, deploy's {@code application.conf}, then every module's {@code reference.conf}.
 * Substitutions are resolved over the whole stack, so a file may refer to a key a flag sets.
 * {@code kaiku.data-dir} leaves here absolute (relative paths count from the working directory)
 * so that every component agrees on it.
 */
public final class ConfigLoader {
    public static final String DATA_DIR = "kaiku.data-dir";

    private ConfigLoader() {
    }

    /**
     * @param flags      config paths to values given on the command line (lists allowed)
     * @param configFile the {@code --config} file, or null
     * @throws StartupException naming {@code --config} or the file when it is missing or not HOCON
     */
    public static Config load(Map<String, ?> flags, Path configFile) {
        ClassLoader loader = ConfigLoader.class.getClassLoader();
        Config file = ConfigFactory.empty();
        if (configFile != null) {
            Path path = configFile.toAbsolutePath().normalize();
            if (!Files.isRegularFile(path)) {
                throw StartupException.badValue("--config", path + ": no such file");
            }
            try {
                file = ConfigFactory.parseFile(path.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
            } catch (ConfigException e) {
                throw new StartupException("--config", e.getMessage(), true, e);
            }
        }
        Config lower = ConfigFactory.systemProperties()
                .withFallback(file)
                .withFallback(ConfigFactory.parseResources(loader, "application.conf"))
                .withFallback(ConfigFactory.defaultReferenceUnresolved(loader));
        Map<String, Object> top = new LinkedHashMap<>(flags);
        try {
            Config first = ConfigFactory.parseMap(top, "command-line flags").withFallback(lower).resolve();
            if (first.hasPath(DATA_DIR)) {
                top.put(DATA_DIR, absolute(first.getString(DATA_DIR)));
            }
            return ConfigFactory.parseMap(top, "command-line flags").withFallback(lower).resolve();
        } catch (ConfigException e) {
            throw new StartupException("configuration", e.getMessage(), true, e);
        }
    }

    /** The tree with one value replaced, as the highest layer (already resolved). */
    public static Config with(Config config, String path, Object value) {
        return config.withValue(path, ConfigValueFactory.fromAnyRef(value));
    }

    private static String absolute(String dir) {
        try {
            return Path.of(dir).toAbsolutePath().normalize().toString();
        } catch (RuntimeException e) {
            throw StartupException.badValue(DATA_DIR, "'" + dir + "' is not a usable path: " + e.getMessage());
        }
    }
}
