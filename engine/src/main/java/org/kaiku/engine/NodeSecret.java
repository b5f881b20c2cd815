package org.kaiku.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.kaiku.engine.config.SettingsException;

/**
 * A random secret kept in a file of the data dir, made on first run with owner-only permissions.
 * A cluster must give every node the same file (issue 6 moves it into the shared store).
 */
final class NodeSecret {
    private NodeSecret() {
    }

    static byte[] load(Path file, String key) {
        try {
            if (Files.exists(file)) {
                return Files.readAllBytes(file);
            }
            Files.createDirectories(file.getParent());
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            Path tmp = Files.createTempFile(file.getParent(), "secret", ".tmp");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's permissions apply
            }
            Files.write(tmp, secret);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return secret;
        } catch (IOException e) {
            throw new SettingsException(key, "cannot keep " + file + ": " + e.getMessage(), e);
        }
    }
}
