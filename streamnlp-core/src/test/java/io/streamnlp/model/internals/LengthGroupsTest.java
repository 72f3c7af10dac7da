package io.streamnlp.model.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LengthGroupsTest {

  private static final LengthGroups.CallCost COST = LengthGroups.CallCost.TRANSFORMER;

  @Test
  void messagesOfOneLengthShareOneCall() {
    int[] lengths = new int[32];
    Arrays.fill(lengths, 20);
    List<int[]> groups = LengthGroups.plan(lengths, 32, COST);
    assertThat(groups).hasSize(1);
    assertThat(groups.get(0)).containsExactly(range(32));
  }

  @Test
  void shortAndLongMessagesGoToSeparateCallsInArrivalOrder() {
    // Alternating 8- and 120-token messages: one call would pad the 8-token ones to 120.
    int[] lengths = new int[32];
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = i % 2 == 0 ? 8 : 120;
    }
    List<int[]> groups = LengthGroups.plan(lengths, 32, COST);
    assertThat(groups).hasSize(2);
    assertThat(groups.get(0)).containsExactly(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    assertThat(groups.get(1)).containsExactly(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  }

  @Test
  void aSplitIsNeverDearerThanOneCallAndCoversEveryMessageOnce() {
    Random random = new Random(7);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + random.nextInt(64);
      int maxRows = 1 + random.nextInt(64);
      int[] lengths = new int[n];
      for (int i = 0; i < n; i++) {
        lengths[i] = 2 + random.nextInt(random.nextBoolean() ? 40 : 250);
      }
      for (LengthGroups.CallCost cost : List.of(LengthGroups.CallCost.TRANSFORMER, LengthGroups.CallCost.RECURRENT)) {
        List<int[]> groups = LengthGroups.plan(lengths, maxRows, cost);
        List<Integer> seen = new ArrayList<>();
        double planned = 0;
        for (int[] g : groups) {
          assertThat(g.length).isBetween(1, maxRows);
          assertThat(g).isSorted();
          int longest = 0;
          for (int i : g) {
            seen.add(i);
            longest = Math.max(longest, lengths[i]);
          }
          planned += cost.of(g.length, longest);
        }
        assertThat(seen).containsExactlyInAnyOrder(box(range(n)));
        // The fixed chunking the processor used before: arrival order, maxRows at a time.
        double chunked = 0;
        for (int from = 0; from < n; from += maxRows) {
          int longest = 0;
          for (int i = from; i < Math.min(n, from + maxRows); i++) {
            longest = Math.max(longest, lengths[i]);
          }
          chunked += cost.of(Math.min(n, from + maxRows) - from, longest);
        }
        assertThat(planned).isLessThanOrEqualTo(chunked + 1e-9);
      }
    }
  }

  @Test
  void rejectsAnEmptyCallLimit() {
    assertThat(LengthGroups.plan(new int[0], 4, COST)).isEmpty();
    assertThatThrownBy(() -> LengthGroups.plan(new int[] {3}, 0, COST)).isInstanceOf(IllegalArgumentException.class);
  }

  private static int[] range(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }

  private static Integer[] box(int[] a) {
    return Arrays.stream(a).boxed().toArray(Integer[]::new);
  }
}
