package io.streamnlp.evaluation;

import java.util.Locale;

/**
 * How a model's confidence relates to its accuracy: per confidence band, how many predictions fell in it, their
 * mean confidence and the share right, and the expected calibration error, so that a user can choose a
 * threshold on the score (send below it to a person, or to a second model).
 */
public final class Reliability {
  /** Confidence bands of the table. */
  static final double[] BANDS = {0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0};

  private double[] confidence = new double[64];
  private boolean[] right = new boolean[64];
  private int n;

  /** One prediction: the probability of the predicted label, and whether it was right. */
  public void add(double predictedProbability, boolean correct) {
    if (n == confidence.length) {
      confidence = java.util.Arrays.copyOf(confidence, 2 * n);
      right = java.util.Arrays.copyOf(right, 2 * n);
    }
    confidence[n] = predictedProbability;
    right[n] = correct;
    n++;
  }

  /** Expected calibration error over ten equal-width confidence bins: how far confidence is from accuracy. */
  public double expectedCalibrationError() {
    int bins = 10;
    double[] conf = new double[bins];
    double[] acc = new double[bins];
    for (int i = 0; i < n; i++) {
      int b = Math.min(bins - 1, (int) (confidence[i] * bins));
      conf[b] += confidence[i];
      acc[b] += right[i] ? 1 : 0;
    }
    double ece = 0;
    for (int b = 0; b < bins; b++) {
      ece += Math.abs(acc[b] - conf[b]) / n;
    }
    return n == 0 ? 0 : ece;
  }

  /** The table: per confidence band, the predictions in it, their mean confidence and the share right. */
  public String markdown() {
    StringBuilder s = new StringBuilder("| confidence | messages | mean confidence | share right |\n"
        + "|---|---:|---:|---:|\n");
    for (int b = 0; b + 1 < BANDS.length; b++) {
      double lo = BANDS[b];
      double hi = BANDS[b + 1];
      int count = 0;
      int ok = 0;
      double sum = 0;
      for (int i = 0; i < n; i++) {
        boolean in = confidence[i] >= lo && (confidence[i] < hi || (hi == 1.0 && confidence[i] <= hi));
        if (in) {
          count++;
          sum += confidence[i];
          ok += right[i] ? 1 : 0;
        }
      }
      s.append(String.format(Locale.ROOT, "| %.2f to %.2f | %,d | %s | %s |%n", lo, hi, count,
          count == 0 ? "-" : String.format(Locale.ROOT, "%.3f", sum / count),
          count == 0 ? "-" : String.format(Locale.ROOT, "%.1f %%", 100.0 * ok / count)));
    }
    return s.toString();
  }
}
