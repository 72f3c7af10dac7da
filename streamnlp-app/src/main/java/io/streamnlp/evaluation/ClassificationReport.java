package io.streamnlp.evaluation;

import java.util.List;
import java.util.Locale;

/**
 * Accuracy, per-label precision/recall/F1, macro-F1, macro-averaged recall (the official SemEval-2017 Task 4 /
 * TweetEval sentiment metric) and the confusion matrix of a labelled run, over any number of labels.
 */
public final class ClassificationReport {
  private final List<String> labels;
  private final long[][] confusion;
  private final List<Miss> misses = new java.util.ArrayList<>();
  private final Reliability reliability = new Reliability();
  private long total;

  /** A message the model got wrong, with the probability it gave its (wrong) prediction. */
  public record Miss(String text, int trueLabel, int predictedLabel, float confidence) {}

  public ClassificationReport(List<String> labels) {
    this.labels = List.copyOf(labels);
    this.confusion = new long[labels.size()][labels.size()];
  }

  public void add(int trueLabel, int predictedLabel) {
    confusion[trueLabel][predictedLabel]++;
    total++;
  }

  /** {@link #add(int, int)}, and the probability the model gave its prediction, for {@link #reliability()}. */
  public void add(int trueLabel, int predictedLabel, double confidence) {
    add(trueLabel, predictedLabel);
    reliability.add(confidence, trueLabel == predictedLabel);
  }

  /** How confidence relates to accuracy, over the predictions added with their confidence. */
  public Reliability reliability() {
    return reliability;
  }

  /** Records a wrong prediction for {@link #misses()}; {@link #add} still counts it. */
  public void miss(String text, int trueLabel, int predictedLabel, float confidence) {
    misses.add(new Miss(text, trueLabel, predictedLabel, confidence));
  }

  /** The wrong predictions, most confident first. */
  public List<Miss> misses() {
    return misses.stream().sorted(java.util.Comparator.comparingDouble(m -> -m.confidence())).toList();
  }

  public List<String> labels() {
    return labels;
  }

  public long total() {
    return total;
  }

  public long correct() {
    long c = 0;
    for (int i = 0; i < confusion.length; i++) {
      c += confusion[i][i];
    }
    return c;
  }

  /** {@code confusion()[t][p]}: messages of true label t predicted as p. */
  public long[][] confusion() {
    long[][] copy = new long[confusion.length][];
    for (int i = 0; i < confusion.length; i++) {
      copy[i] = confusion[i].clone();
    }
    return copy;
  }

  public double accuracy() {
    return total == 0 ? 0 : (double) correct() / total;
  }

  public double precision(int label) {
    long predicted = 0;
    for (long[] row : confusion) {
      predicted += row[label];
    }
    return predicted == 0 ? 0 : (double) confusion[label][label] / predicted;
  }

  public double recall(int label) {
    long actual = support(label);
    return actual == 0 ? 0 : (double) confusion[label][label] / actual;
  }

  public long support(int label) {
    long s = 0;
    for (long v : confusion[label]) {
      s += v;
    }
    return s;
  }

  public double f1(int label) {
    double p = precision(label);
    double r = recall(label);
    return p + r == 0 ? 0 : 2 * p * r / (p + r);
  }

  /** The unweighted mean of the labels' F1, so a rare label counts as much as a common one. */
  public double macroF1() {
    double sum = 0;
    for (int l = 0; l < labels.size(); l++) {
      sum += f1(l);
    }
    return sum / labels.size();
  }

  /**
   * The unweighted mean of the labels' recall: robust to class imbalance, and the official metric of
   * SemEval-2017 Task 4A and TweetEval's sentiment task. Labels without support count as 0.
   */
  public double macroRecall() {
    double sum = 0;
    for (int l = 0; l < labels.size(); l++) {
      sum += recall(l);
    }
    return sum / labels.size();
  }

  /** A Markdown rendering: the headline figures, the per-label table and the confusion matrix. */
  public String toMarkdown() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "- accuracy: **%.4f** (%d/%d)%n", accuracy(), correct(), total));
    sb.append(String.format(Locale.ROOT, "- macro-F1: **%.4f**%n", macroF1()));
    sb.append(String.format(Locale.ROOT, "- macro-averaged recall: **%.4f**%n%n", macroRecall()));
    sb.append("| label | precision | recall | F1 | support |\n|---|---:|---:|---:|---:|\n");
    for (int l = 0; l < labels.size(); l++) {
      sb.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %d |%n", labels.get(l), precision(l),
          recall(l), f1(l), support(l)));
    }
    sb.append("\nConfusion matrix (rows: true label, columns: predicted):\n\n| true \\ predicted |");
    labels.forEach(l -> sb.append(' ').append(l).append(" |"));
    sb.append("\n|---|");
    labels.forEach(l -> sb.append("---:|"));
    sb.append('\n');
    for (int t = 0; t < labels.size(); t++) {
      sb.append("| ").append(labels.get(t)).append(" |");
      for (int p = 0; p < labels.size(); p++) {
        sb.append(' ').append(confusion[t][p]).append(" |");
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
