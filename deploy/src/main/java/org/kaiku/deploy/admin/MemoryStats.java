package org.kaiku.deploy.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;

/** The memory figures {@code GET /stats} reports, read from this JVM and /proc/self. */
public final class MemoryStats {
    private MemoryStats() {
    }

    static ObjectNode snapshot(boolean gcFirst) {
        if (gcFirst) {
            System.gc();
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        ObjectNode node = AdminServer.JSON.createObjectNode();
        node.put("heap_used_bytes", heap.getUsed());
        node.put("heap_committed_bytes", heap.getCommitted());
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            String name = pool.getName().replaceAll("[^a-zA-Z0-9]+", "_");
            node.put(name + "_buffers_bytes", pool.getMemoryUsed());
            node.put(name + "_buffers_count", pool.getCount());
        }
        long rss = rssBytes(Path.of("/proc/self/status"));
        if (rss >= 0) {
            node.put("jvm_rss_bytes", rss);
        }
        node.put("gc_first", gcFirst);
        return node;
    }

    /** VmRSS of a /proc/PID/status file in bytes, or -1 when it cannot be read (not Linux). */
    public static long rssBytes(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
