package org.kaiku.deploy.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The bearer token (RFC 6750 section 2.1) that guards the admin endpoint. A fresh one is made at
 * every start and written to {@code <data-dir>/admin.token} with mode 0600, so only the account
 * that runs the server (and root) can administer it: the port alone, even on loopback, is
 * reachable by every local user.
 */
public final class AdminToken {
    public static final String FILE_NAME = "admin.token";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String value;

    private AdminToken(String value) {
        this.value = value;
    }

    /** A new random token (256 bits, base64url). */
    public static AdminToken random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return new AdminToken(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    /** A token with a known value (a client that got it another way). */
    public static AdminToken of(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("empty admin token");
        }
        return new AdminToken(value.strip());
    }

    public static Path file(Path dataDir) {
        return dataDir.resolve(FILE_NAME);
    }

    /**
     * Reads the token the running server wrote.
     *
     * @throws NoSuchFileException when there is none (server never started with that data dir)
     */
    public static AdminToken read(Path dataDir) throws IOException {
        String text = Files.readString(file(dataDir), StandardCharsets.US_ASCII).strip();
        if (text.isEmpty()) {
            throw new IOException(file(dataDir) + " is empty");
        }
        return new AdminToken(text);
    }

    /**
     * Writes the token atomically: a temporary file created with mode 0600 from the start (no
     * window where it is world readable), then renamed over the old token.
     */
    public void write(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Path target = file(dataDir);
        Path tmp = dataDir.resolve(FILE_NAME + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(tmp);
        } catch (FileAlreadyExistsException race) {
            throw new IOException("another process is writing " + tmp, race);
        }
        Files.writeString(tmp, value + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Deletes the token file if it still holds this token (a newer server may have replaced it). */
    public void deleteIfOurs(Path dataDir) {
        try {
            if (matches(read(dataDir).value)) {
                Files.deleteIfExists(file(dataDir));
            }
        } catch (IOException ignored) {
            // already gone or unreadable: nothing of ours to remove
        }
    }

    /** Constant-time comparison, so response timing does not leak the token. */
    public boolean matches(String candidate) {
        if (candidate == null) {
            return false;
        }
        return MessageDigest.isEqual(value.getBytes(StandardCharsets.US_ASCII), candidate.getBytes(StandardCharsets.US_ASCII));
    }

    /** The value for an {@code Authorization: Bearer} header. */
    public String value() {
        return value;
    }

    @Override
    public String toString() {
        return "AdminToken[****]";
    }
}
