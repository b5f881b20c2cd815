package org.kaiku.engine.upload;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Where uploaded files live. {@link LocalFileStore} keeps them under the data directory; an
 * object store (S3 and the like) can stand in by implementing this. Calls block on I/O: the
 * HTTPS side runs them on a blocking dispatcher.
 */
public interface FileStore {
    /** What is known of a stored file. */
    record Stored(String account, long size, String contentType, Instant created) {
    }

    /**
     * Stores exactly {@code size} bytes from {@code in} as {@code slotId/filename}: false when that
     * slot already holds a file; throws when the stream ends early or runs long (nothing is kept then).
     */
    boolean put(String slotId, String filename, Stored meta, InputStream in) throws IOException;

    /** The file's path for serving, and its metadata. */
    Optional<Path> path(String slotId, String filename);

    Optional<Stored> meta(String slotId);

    /** Bytes {@code account} has stored and not yet expired. */
    long usage(String account) throws IOException;

    /** The creation time of {@code account}'s oldest file, if any (when its quota frees up first). */
    Optional<Instant> oldest(String account) throws IOException;

    /** Deletes every file created before {@code cutoff}; returns how many. */
    int expire(Instant cutoff) throws IOException;
}
