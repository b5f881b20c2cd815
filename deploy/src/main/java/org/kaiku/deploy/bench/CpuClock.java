package org.kaiku.deploy.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time spent so far by the server under test (from {@code /proc/PID/stat}, user plus system,
 * in the kernel's USER_HZ ticks of 1/100 s) and by this load tool, so that a result says what
 * each login or message cost the server, and whether the tool itself was short of CPU.
 */
final class CpuClock {
    private static final double USER_HZ = 100.0;

    private final List<Long> serverPids;

    /** @param serverPids the server's processes (summed), or null/empty for none */
    CpuClock(List<Long> serverPids) {
        this.serverPids = serverPids == null ? List.of() : List.copyOf(serverPids);
    }

    boolean hasServer() {
        return !serverPids.isEmpty();
    }

    /** The server's CPU seconds so far, or -1 without a pid or when /proc cannot be read. */
    double serverSeconds() {
        if (serverPids.isEmpty()) {
            return -1;
        }
        double total = 0;
        for (Long pid : serverPids) {
            double s = seconds(Path.of("/proc", pid.toString(), "stat"));
            if (s < 0) {
                return -1;
            }
            total += s;
        }
        return total;
    }

    /** This JVM's CPU seconds so far, or -1 when the platform does not say. */
    static double toolSeconds() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long nanos = os.getProcessCpuTime();
            return nanos < 0 ? -1 : nanos / 1e9;
        }
        return -1;
    }

    /** utime + stime of a /proc/PID/stat file in seconds (fields 14 and 15, after the command name). */
    static double seconds(Path stat) {
        try {
            String s = Files.readString(stat);
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 (state): utime is field 14, stime field 15
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / USER_HZ;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
