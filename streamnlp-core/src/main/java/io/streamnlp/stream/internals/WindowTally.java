package io.streamnlp.stream.internals;

import io.streamnlp.avro.TextEncoding;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * What a key's window has accumulated so far: message count, the sum of each label's score and each label's
 * count, in the model's label order. Means are taken when the window closes.
 */
public record WindowTally(long count, double[] scoreSums, long[] labelCounts) {
  /**
   * What the store gives for a tally it cannot read (damaged, or written by an incompatible version): the key's
   * window starts counting again. Compared by identity.
   */
  public static final WindowTally UNREADABLE = new WindowTally(0, new double[0], new long[0]);

  public static WindowTally empty(int labels) {
    return new WindowTally(0, new double[labels], new long[labels]);
  }

  /**
   * Whether this tally can be continued by a model with {@code labels} labels: not unreadable, and made with the
   * same number of labels (a tally written before a model change to another label set cannot be).
   */
  public boolean fits(int labels) {
    return this != UNREADABLE && scoreSums.length == labels && labelCounts.length == labels;
  }

  /** This tally with one more result; labels not in {@code labels} are ignored. */
  public WindowTally add(TextEncoding result, List<String> labels) {
    double[] sums = scoreSums.clone();
    long[] counts = labelCounts.clone();
    Map<String, Float> scores = result.getScores();
    for (int i = 0; i < labels.size(); i++) {
      Float s = scores == null ? null : scores.get(labels.get(i));
      sums[i] += s == null ? 0 : s;
      if (labels.get(i).equals(result.getLabel())) {
        counts[i]++;
      }
    }
    return new WindowTally(count + 1, sums, counts);
  }

  /** Compact binary form for the window store and its changelog: count, labels, then (sum, count)*. */
  public static final class WindowTallySerde extends VersionedBinarySerde<WindowTally> {
    public WindowTallySerde() {
      super("window tally");
    }

    @Override
    WindowTally unreadable() {
      return UNREADABLE;
    }

    @Override
    int bodySize(WindowTally t) {
      return 8 + 4 + t.scoreSums().length * 16;
    }

    @Override
    void writeBody(WindowTally t, ByteBuffer out) {
      out.putLong(t.count()).putInt(t.scoreSums().length);
      for (int i = 0; i < t.scoreSums().length; i++) {
        out.putDouble(t.scoreSums()[i]).putLong(t.labelCounts()[i]);
      }
    }

    @Override
    WindowTally readBody(ByteBuffer in) {
      long count = in.getLong();
      int n = in.getInt();
      double[] sums = new double[n];
      long[] counts = new long[n];
      for (int i = 0; i < n; i++) {
        sums[i] = in.getDouble();
        counts[i] = in.getLong();
      }
      return new WindowTally(count, sums, counts);
    }
  }
}
