package io.streamnlp.training;

import io.streamnlp.evaluation.ClassificationReport;
import io.streamnlp.evaluation.Reliability;
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
  private final ClassificationReport report;
  private final Reliability reliability = new Reliability();

  /**
   * @param temperature the softmax temperature the scores use
   */
  public HeadEvaluation(List<String> labels, LinearHeadTrainer.Weights head, double temperature, float[][] x,
                        int[] y) {
    this.report = new ClassificationReport(labels);
    for (int i = 0; i < x.length; i++) {
      double[] p = softmax(head.logits(x[i]), temperature);
      int best = 0;
      for (int k = 1; k < p.length; k++) {
        if (p[k] > p[best]) {
          best = k;
        }
      }
      report.add(y[i], best);
      reliability.add(p[best], best == y[i]);
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
    return reliability.expectedCalibrationError();
  }

  /** The reliability table: per confidence band, the messages in it, their mean confidence and the share right. */
  public String reliabilityMarkdown() {
    return reliability.markdown();
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
