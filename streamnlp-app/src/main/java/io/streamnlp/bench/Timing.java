package io.streamnlp.bench;

import java.util.Arrays;

/** Timing loops shared by the cost benchmarks. */
public final class Timing {
  private Timing() {}

  /** One timed pass's batch: the {@code size} messages starting at {@code from}. */
  @FunctionalInterface
  public interface BatchCall {
    void run(int from, int size) throws Exception;
  }

  /** ms per message of the best of {@code rounds} timed passes over {@code messages}, after one warm-up pass. */
  public static double bestMsPerMessage(int rounds, int messages, int size, BatchCall call) throws Exception {
    double best = Double.MAX_VALUE;
    for (int round = 0; round <= rounds; round++) {
      long start = System.nanoTime();
      for (int done = 0; done < messages; done += size) {
        call.run(done, size);
      }
      double ms = (System.nanoTime() - start) / 1e6 / messages;
      if (round > 0) { // round 0 warms up
        best = Math.min(best, ms);
      }
    }
    return best;
  }

  /**
   * Messages per second of calls of {@code size} messages during at least {@code seconds} and at least ten
   * calls, after a warm-up of a quarter of that (at least three calls: a slow model's first calls at a new
   * input shape pay for allocations that later ones do not).
   */
  public static double messagesPerSecond(double seconds, int size, BatchCall call) throws Exception {
    long warm = System.nanoTime() + (long) (seconds * 0.25e9);
    int from = 0;
    for (int calls = 0; calls < 3 || System.nanoTime() < warm; calls++) {
      call.run(from, size);
      from += size;
    }
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    long done = 0;
    for (int calls = 0; calls < 10 || System.nanoTime() < end; calls++) {
      call.run(from, size);
      from += size;
      done += size;
    }
    return done / ((System.nanoTime() - start) / 1e9);
  }

  /** The {@code p}-th percentile (0..100, nearest rank) of {@code values}, which it sorts. */
  public static double percentile(double[] values, double p) {
    if (values.length == 0) {
      return Double.NaN;
    }
    Arrays.sort(values);
    int rank = (int) Math.ceil(p / 100.0 * values.length);
    return values[Math.max(0, Math.min(values.length - 1, rank - 1))];
  }
}
