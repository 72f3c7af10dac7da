package io.streamnlp.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassificationReportTest {

  private static ClassificationReport report(int[][] confusion, List<String> labels) {
    ClassificationReport r = new ClassificationReport(labels);
    for (int t = 0; t < confusion.length; t++) {
      for (int p = 0; p < confusion.length; p++) {
        for (int n = 0; n < confusion[t][p]; n++) {
          r.add(t, p);
        }
      }
    }
    return r;
  }

  @Test
  void computesAccuracyPerLabelFiguresAndMacroF1() {
    // negative: 3 right, 1 called positive; positive: 4 right, 2 called negative.
    ClassificationReport r = report(new int[][] {{3, 1}, {2, 4}}, List.of("negative", "positive"));
    assertThat(r.accuracy()).isCloseTo(0.7, within(1e-12));
    assertThat(r.precision(0)).isCloseTo(3.0 / 5, within(1e-12));
    assertThat(r.recall(0)).isCloseTo(3.0 / 4, within(1e-12));
    assertThat(r.precision(1)).isCloseTo(4.0 / 5, within(1e-12));
    assertThat(r.recall(1)).isCloseTo(4.0 / 6, within(1e-12));
    double f1Negative = 2 * 0.6 * 0.75 / (0.6 + 0.75);
    double f1Positive = 2 * 0.8 * (4.0 / 6) / (0.8 + 4.0 / 6);
    assertThat(r.macroF1()).isCloseTo((f1Negative + f1Positive) / 2, within(1e-12));
    assertThat(r.confusion()).isDeepEqualTo(new long[][] {{3, 1}, {2, 4}});
    assertThat(r.toMarkdown()).contains("accuracy: **0.7000** (7/10)", "| negative | 3 | 1 |",
        "| positive | 2 | 4 |");
  }

  @Test
  void aLabelNeverPredictedOrPresentScoresZeroNotNaN() {
    ClassificationReport r = report(new int[][] {{5, 0, 0}, {0, 0, 0}, {2, 0, 0}},
        List.of("negative", "neutral", "positive"));
    assertThat(r.f1(1)).isZero();
    assertThat(r.f1(2)).isZero();
    assertThat(r.macroF1()).isCloseTo((2 * (5.0 / 7) / (5.0 / 7 + 1)) / 3, within(1e-12));
  }

  @Test
  void macroRecallIsTheMeanOfTheLabelsRecallsOverThreeClasses() {
    // negative 8 = 6 right + 1 neutral + 1 positive; neutral 10 = 2 negative + 5 right + 3 positive;
    // positive 5 = 0 + 1 neutral + 4 right.
    ClassificationReport r = report(new int[][] {{6, 1, 1}, {2, 5, 3}, {0, 1, 4}},
        List.of("negative", "neutral", "positive"));
    assertThat(r.macroRecall()).isCloseTo((6.0 / 8 + 5.0 / 10 + 4.0 / 5) / 3, within(1e-12));
    assertThat(r.macroRecall()).as("differs from accuracy on imbalanced labels")
        .isNotCloseTo(r.accuracy(), within(1e-3));
    assertThat(r.accuracy()).isCloseTo(15.0 / 23, within(1e-12));
    assertThat(r.toMarkdown()).contains("macro-averaged recall: **0.6833**");
  }
}
