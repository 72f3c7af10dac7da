package io.streamnlp.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.streamnlp.model.internals.ModelDirectory;
import io.streamnlp.model.internals.OnnxModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimilarityEvaluationTest {
  @TempDir
  Path dir;

  @Test
  void pearsonAndSpearmanMatchAHandComputedExample() {
    double[] gold = {1, 2, 3, 4, 5};
    double[] predicted = {2, 1, 4, 3, 10};
    // Pearson: means 3 and 4; deviations (-2,-1,0,1,2) and (-2,-3,0,-1,6): sxy = 4+3+0-1+12 = 18,
    // sxx = 10, syy = 4+9+0+1+36 = 50, r = 18 / sqrt(500).
    assertThat(SimilarityEvaluation.pearson(gold, predicted)).isCloseTo(18 / Math.sqrt(500), within(1e-12));
    // Spearman: ranks of predicted are (2,1,4,3,5); d = (-1,1,-1,1,0), sum d^2 = 4: 1 - 6*4/(5*24) = 0.8.
    assertThat(SimilarityEvaluation.spearman(gold, predicted)).isCloseTo(0.8, within(1e-12));
    assertThat(SimilarityEvaluation.spearman(gold, new double[] {5, 4, 3, 2, 1})).isCloseTo(-1, within(1e-12));
  }

  @Test
  void tiedValuesShareTheirMeanRank() {
    assertThat(SimilarityEvaluation.ranks(new double[] {10, 20, 20, 5})).containsExactly(2, 3.5, 3.5, 1);
  }

  @Test
  void readsScoredPairsWithAHeaderAndNamesABadLine() throws Exception {
    Path ok = Files.writeString(dir.resolve("pairs.tsv"), "score\tsentence1\tsentence2\n"
        + "5.000\tA man is dancing.\tA man dances.\n0.5\tA cat sleeps.\tStocks fell sharply.\n");
    assertThat(SimilarityEvaluation.read(ok)).containsExactly(
        new SimilarityEvaluation.ScoredPair(5, "A man is dancing.", "A man dances."),
        new SimilarityEvaluation.ScoredPair(0.5, "A cat sleeps.", "Stocks fell sharply."));
    Path bad = Files.writeString(dir.resolve("bad.tsv"), "5\ta\tb\nfive\tc\td\n");
    assertThatThrownBy(() -> SimilarityEvaluation.read(bad)).hasMessageContaining("line 2");
  }

  @Test
  void theShippedTransformersEmbeddingRanksParaphrasesAboveUnrelatedPairs() throws Exception {
    List<SimilarityEvaluation.ScoredPair> pairs = List.of(
        new SimilarityEvaluation.ScoredPair(5, "A man is playing a guitar.", "A man plays the guitar."),
        new SimilarityEvaluation.ScoredPair(4, "A woman is slicing an onion.", "A woman cuts an onion."),
        new SimilarityEvaluation.ScoredPair(2, "A dog runs in the park.", "A man walks in the city."),
        new SimilarityEvaluation.ScoredPair(0, "The stock market fell today.", "A child is eating a banana."));
    try (OnnxModel model = OnnxModel.load(ModelDirectory.open("classpath:models/minilm-l6-sentiment3"),
        OnnxModel.RuntimeOptions.cpu(), 128)) {
      SimilarityEvaluation.Result batched = SimilarityEvaluation.evaluate(model, pairs, 8);
      SimilarityEvaluation.Result single = SimilarityEvaluation.evaluate(model, pairs, 1);
      assertThat(batched.pairs()).isEqualTo(4);
      assertThat(batched.spearman()).isGreaterThan(0.7);
      assertThat(batched.pearson()).isCloseTo(single.pearson(), within(1e-5));
    }
  }
}
