package io.streamnlp.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** This JVM's memory: heap in use after a GC, and resident set size from /proc (native memory included). */
public final class JvmMemory {
  private JvmMemory() {}

  /** @param residentBytes VmRSS, or -1 where /proc is not there; {@code peakResidentBytes} VmHWM likewise */
  public record Snapshot(long heapBytes, long residentBytes, long peakResidentBytes) {}

  public static Snapshot snapshot() {
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    return new Snapshot(heap, procStatus("VmRSS:"), procStatus("VmHWM:"));
  }

  private static long procStatus(String field) {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
      for (String line : lines) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException notLinux) {
      // not Linux: resident memory is reported as unknown
    }
    return -1;
  }
}
