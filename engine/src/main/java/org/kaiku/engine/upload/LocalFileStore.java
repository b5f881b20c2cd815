package org.kaiku.engine.upload;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Files under one directory of this node: {@code DIR/<slot>/f-<file name>} and {@code DIR/<slot>/.meta}
 * (account, size, type, creation). A put writes to a temporary file and moves it in place when
 * all bytes arrived, so a file is either whole or absent. Usage per account is a scan of the
 * metadata files (an upload, not a message, pays it; fine for thousands of files, an object store
 * with an index for millions). Files are served by the node that received them: in a cluster the
 * upload listener belongs behind a load balancer that keeps a slot's URLs on one node, or a
 * shared store.
 */
public final class LocalFileStore implements FileStore {
    private static final String META = ".meta";
    private final Path root;

    public LocalFileStore(Path root) throws IOException {
        this.root = Files.createDirectories(root);
    }

    @Override
    public boolean put(String slotId, String filename, Stored meta, InputStream in) throws IOException {
        Path dir = root.resolve(slotId);
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            return false;
        }
        Path tmp = dir.resolve(".part");
        try {
            long n;
            try (OutputStream out = Files.newOutputStream(tmp)) {
                n = in.transferTo(out);
            }
            if (n != meta.size()) {
                throw new IOException("got " + n + " bytes, the slot is for " + meta.size());
            }
            Files.move(tmp, file(dir, filename), StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(dir.resolve(META), String.join("\n", meta.account(), Long.toString(meta.size()),
                    meta.contentType() == null ? "" : meta.contentType(), meta.created().toString()), StandardCharsets.UTF_8);
            return true;
        } catch (IOException | RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
    }

    @Override
    public Optional<Path> path(String slotId, String filename) {
        Path f = file(root.resolve(slotId), filename);
        return Files.isRegularFile(f) && Files.exists(root.resolve(slotId).resolve(META)) ? Optional.of(f) : Optional.empty();
    }

    @Override
    public Optional<Stored> meta(String slotId) {
        Path m = root.resolve(slotId).resolve(META);
        try {
            String[] f = Files.readString(m, StandardCharsets.UTF_8).split("\n", -1);
            return Optional.of(new Stored(f[0], Long.parseLong(f[1]), f[2].isEmpty() ? null : f[2], Instant.parse(f[3])));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public long usage(String account) throws IOException {
        try (Stream<Stored> all = all()) {
            return all.filter(s -> s.account().equals(account)).mapToLong(Stored::size).sum();
        }
    }

    @Override
    public Optional<Instant> oldest(String account) throws IOException {
        try (Stream<Stored> all = all()) {
            return all.filter(s -> s.account().equals(account)).map(Stored::created).min(Comparator.naturalOrder());
        }
    }

    @Override
    public int expire(Instant cutoff) throws IOException {
        int n = 0;
        try (DirectoryStream<Path> slots = Files.newDirectoryStream(root)) {
            for (Path slot : slots) {
                Optional<Stored> m = meta(slot.getFileName().toString());
                if (m.isPresent() && m.get().created().isBefore(cutoff)) {
                    deleteTree(slot);
                    n++;
                }
            }
        }
        return n;
    }

    private Stream<Stored> all() throws IOException {
        return Files.list(root).map(p -> meta(p.getFileName().toString())).flatMap(Optional::stream);
    }

    /** A stored file's path: prefixed, so no file name can collide with the slot's own files. */
    private static Path file(Path slotDir, String filename) {
        return slotDir.resolve("f-" + filename);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
