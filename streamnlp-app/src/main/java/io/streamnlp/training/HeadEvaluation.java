package io.streamnlp.training;

import io.streamnlp.evaluation.ClassificationReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * What a trained head does on held-out messages: the classification figures, the labels it confuses most, and how
 * its confidence relates to its accuracy (a reliability table and the expected calibration error), so that a
 * threshold on the score can be chosen from it.
 */
public final class HeadEvaluation {
  /** Confidence bands of the reliability table. */
  static final double[] BANDS = {0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0};

  private final ClassificationReport report;
  private final double[] confidence;
  private final boolean[] right;

  /**
   * @param temperature the softmax temperature the scores use
   */
  public HeadEvaluation(List<String> labels, LinearHeadTrainer.Weights head, double temperature, float[][] x,
                        int[] y) {
    this.report = new ClassificationReport(labels);
    this.confidence = new double[x.length];
    this.right = new boolean[x.length];
    for (int i = 0; i < x.length; i++) {
      double[] p = softmax(head.logits(x[i]), temperature);
      int best = 0;
      for (int k = 1; k < p.length; k++) {
        if (p[k] > p[best]) {
          best = k;
        }
      }
      report.add(y[i], best);
      confidence[i] = p[best];
      right[i] = best == y[i];
    }
  }

  public ClassificationReport report() {
    return report;
  }

  static double[] softmax(float[] z, double temperature) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : z) {
      max = Math.max(max, v / temperature);
    }
    double[] p = new double[z.length];
    double sum = 0;
    for (int k = 0; k < z.length; k++) {
      p[k] = Math.exp(z[k] / temperature - max);
      sum += p[k];
    }
    for (int k = 0; k < z.length; k++) {
      p[k] /= sum;
    }
    return p;
  }

  /** Expected calibration error over ten equal-width confidence bins: how far confidence is from accuracy. */
  public double expectedCalibrationError() {
    int bins = 10;
    double[] conf = new double[bins];
    double[] acc = new double[bins];
    int[] n = new int[bins];
    for (int i = 0; i < confidence.length; i++) {
      int b = Math.min(bins - 1, (int) (confidence[i] * bins));
      conf[b] += confidence[i];
      acc[b] += right[i] ? 1 : 0;
      n[b]++;
    }
    double ece = 0;
    for (int b = 0; b < bins; b++) {
      if (n[b] > 0) {
        ece += Math.abs(acc[b] - conf[b]) / confidence.length;
      }
    }
    return ece;
  }

  /** The reliability table: per confidence band, the messages in it, their mean confidence and the share right. */
  public String reliabilityMarkdown() {
    StringBuilder s = new StringBuilder("| confidence | messages | mean confidence | share right |\n|---|---:|---:|---:|\n");
    for (int b = 0; b + 1 < BANDS.length; b++) {
      double lo = BANDS[b];
      double hi = BANDS[b + 1];
      int n = 0;
      int ok = 0;
      double sum = 0;
      for (int i = 0; i < confidence.length; i++) {
        boolean in = confidence[i] >= lo && (confidence[i] < hi || (hi == 1.0 && confidence[i] <= hi));
        if (in) {
          n++;
          sum += confidence[i];
          ok += right[i] ? 1 : 0;
        }
      }
      s.append(String.format(Locale.ROOT, "| %.2f to %.2f | %,d | %s | %s |%n", lo, hi, n,
          n == 0 ? "-" : String.format(Locale.ROOT, "%.3f", sum / n),
          n == 0 ? "-" : String.format(Locale.ROOT, "%.1f %%", 100.0 * ok / n)));
    }
    return s.toString();
  }

  /** The {@code limit} most frequent confusions (true label, predicted label, count), most first. */
  public List<String[]> mostConfused(int limit) {
    long[][] c = report.confusion();
    List<String[]> pairs = new ArrayList<>();
    for (int t = 0; t < c.length; t++) {
      for (int p = 0; p < c.length; p++) {
        if (t != p && c[t][p] > 0) {
          pairs.add(new String[] {report.labels().get(t), report.labels().get(p), Long.toString(c[t][p])});
        }
      }
    }
    pairs.sort(Comparator.<String[]>comparingLong(a -> -Long.parseLong(a[2])).thenComparing(a -> a[0]));
    return pairs.subList(0, Math.min(limit, pairs.size()));
  }
}
