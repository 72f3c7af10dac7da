package io.streamnlp.model.internals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Splits a batch of messages of mixed lengths into model calls of similar lengths, so that little of the
 * work goes to padding. A call pads every row to its longest, so one 60-token message among 31 short ones
 * makes the whole call cost 32 x 60 tokens; two calls cost less once the padding saved exceeds the cost of a
 * call.
 *
 * <p>The split is the cheapest under a {@link CallCost} model: messages sorted by length, then cut into
 * consecutive runs by dynamic programming (O(n x maxRows)). Written by hand: it is a few lines of optimal
 * 1-D partitioning, which no library on the classpath offers. Results do not depend on the split — each
 * message's result is independent of its batch-mates — only the time does.
 */
public final class LengthGroups {

  /**
   * The cost of one call of {@code rows} rows padded to {@code tokens} tokens, in units of one token-row of
   * compute: {@code perCall + perStep x tokens + rows x (tokens + tokens² / quadraticScale)}.
   *
   * @param perCall fixed cost of a call (launch, per-operator overhead), in token-rows
   * @param perStep cost of each padded position whatever the row count (an RNN's step overhead)
   * @param quadraticScale tokens at which attention's t² term equals the linear one; 0 for none
   */
  public record CallCost(double perCall, double perStep, double quadraticScale) {
    /**
     * A 6-layer MiniLM (float or int8) on 2 CPU cores, 2 intra-op threads, ONNX Runtime 1.29: a call costs
     * about as much as 24 token-rows inside a large batch (1.5-3 ms), and per-row cost grows about 1/640 per
     * token with length (measured over 1..32 rows x 8..128 tokens).
     */
    public static final CallCost TRANSFORMER = new CallCost(24, 0, 640);
    /**
     * The shipped GRU, measured the same way: a call costs about 18 token-rows and each step of the scan about
     * 2, whatever the row count.
     */
    public static final CallCost RECURRENT = new CallCost(18, 2, 0);

    public double of(int rows, int tokens) {
      double perRow = quadraticScale > 0 ? tokens + (double) tokens * tokens / quadraticScale : tokens;
      return perCall + perStep * tokens + rows * perRow;
    }
  }

  private LengthGroups() {}

  /**
   * @param lengths each message's padded length in the call (message, plus any context)
   * @param maxRows the most rows one call may hold
   * @return groups of message indexes (each ascending) covering every message once; a single group when one
   *     call is cheapest
   */
  public static List<int[]> plan(int[] lengths, int maxRows, CallCost cost) {
    int n = lengths.length;
    if (n == 0) {
      return List.of();
    }
    if (maxRows < 1) {
      throw new IllegalArgumentException("maxRows must be at least 1");
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt((Integer i) -> lengths[i]).thenComparingInt(i -> i));
    // best[j]: cheapest split of the j shortest messages; cut[j]: where its last group starts.
    double[] best = new double[n + 1];
    int[] cut = new int[n + 1];
    for (int j = 1; j <= n; j++) {
      best[j] = Double.POSITIVE_INFINITY;
      int longest = lengths[order[j - 1]];
      for (int i = Math.max(0, j - maxRows); i < j; i++) {
        double c = best[i] + cost.of(j - i, longest);
        if (c < best[j]) {
          best[j] = c;
          cut[j] = i;
        }
      }
    }
    List<int[]> groups = new ArrayList<>();
    for (int j = n; j > 0; j = cut[j]) {
      int[] group = new int[j - cut[j]];
      for (int k = cut[j]; k < j; k++) {
        group[k - cut[j]] = order[k];
      }
      Arrays.sort(group);
      groups.add(group);
    }
    // Shortest group first; within a group, arrival order.
    java.util.Collections.reverse(groups);
    return groups;
  }
}
