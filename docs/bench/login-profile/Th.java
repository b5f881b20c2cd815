// Microbenchmark for docs/bench/LOGIN-PROFILE.md: java Th.java (CPU of one thread start and join)
public class Th { public static void main(String[] a) throws Exception {
  var mx = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
  for (int r = 0; r < 3; r++) { long c0 = ((com.sun.management.OperatingSystemMXBean) mx).getProcessCpuTime();
    for (int i = 0; i < 2000; i++) { Thread t = new Thread(() -> {}); t.start(); t.join(); }
    System.out.printf("%.1f us cpu per thread%n", (((com.sun.management.OperatingSystemMXBean) mx).getProcessCpuTime() - c0) / 1e3 / 2000); } } }
