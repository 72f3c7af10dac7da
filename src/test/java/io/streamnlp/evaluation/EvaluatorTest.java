package io.streamnlp.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnlp.model.ModelDirectory;
import io.streamnlp.model.OnnxModel;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EvaluatorTest {

  static Path sample() throws URISyntaxException {
    return Path.of(EvaluatorTest.class.getResource("/evaluation/sst2-dev-sample.tsv").toURI());
  }

  /** 48 SST-2 dev sentences (every 18th): far too few to measure a model, enough to catch a broken one. */
  @ParameterizedTest
  @CsvSource({"minilm-l6-sst2, 0.85", "gru-sst2, 0.75"})
  void predictsTheSampleWellAndTheSameWhateverTheBatchSize(String dir, double minAccuracy) throws Exception {
    List<LabelledText> data = LabelledTextReader.read(sample(), null, "label");
    try (OnnxModel model = OnnxModel.load(ModelDirectory.open("classpath:models/" + dir),
        OnnxModel.RuntimeOptions.cpu(), 128)) {
      Evaluator evaluator = new Evaluator(model);
      ClassificationReport batched = evaluator.evaluate(data, 16);
      ClassificationReport single = evaluator.evaluate(data, 1);
      assertThat(batched.total()).isEqualTo(48);
      assertThat(batched.accuracy()).isGreaterThanOrEqualTo(minAccuracy);
      assertThat(batched.confusion()).isDeepEqualTo(single.confusion());
      assertThat(batched.misses()).hasSize((int) (batched.total() - batched.correct()));
      assertThat(batched.misses()).allSatisfy(m -> assertThat(m.trueLabel()).isNotEqualTo(m.predictedLabel()));

      Evaluator.Cost cost = evaluator.cost(data, 4, 10, 1);
      assertThat(cost.messages()).isEqualTo(10);
      assertThat(cost.encodeMillisPerMessage()).isPositive();
    }
  }

  @org.junit.jupiter.api.Test
  void theGruStillJudgesTheNewestMessageWhenItContinuesFromAnEarlierOne() throws Exception {
    List<LabelledText> data = LabelledTextReader.read(sample(), null, "label");
    try (OnnxModel model = OnnxModel.load(ModelDirectory.open("classpath:models/gru-sst2"),
        OnnxModel.RuntimeOptions.cpu(), 128)) {
      Evaluator evaluator = new Evaluator(model);
      ClassificationReport fresh = evaluator.evaluate(data, 16);
      ClassificationReport carried = evaluator.evaluateAfterContext(data, 16, 13);
      assertThat(carried.total()).isEqualTo(48);
      assertThat(carried.accuracy()).isGreaterThanOrEqualTo(0.7);
      // Same seed, same context: the figure is reproducible.
      assertThat(evaluator.evaluateAfterContext(data, 16, 13).confusion()).isDeepEqualTo(carried.confusion());
      assertThat(fresh.total()).isEqualTo(carried.total());
    }
  }

  @ParameterizedTest
  @CsvSource({"negative, 0", "POSITIVE, 1", "0, 0", "1, 1"})
  void acceptsLabelNamesInAnyCaseAndIndexes(String label, int index) {
    try (OnnxModel model = OnnxModel.load(ModelDirectory.open("classpath:models/gru-sst2"),
        OnnxModel.RuntimeOptions.cpu(), 128)) {
      assertThat(new Evaluator(model).labelIndex(label)).isEqualTo(index);
      assertThatThrownBy(() -> new Evaluator(model).labelIndex("neutral"))
          .hasMessageContaining("'neutral' is neither one of the model's labels [negative, positive]");
      assertThatThrownBy(() -> new Evaluator(model).labelIndex("2")).hasMessageContaining("index from 0 to 1");
    }
  }
}
