package io.streamnlp.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnlp.model.internals.ModelDirectory;
import io.streamnlp.model.internals.OnnxModel;
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
  @CsvSource({"minilm-l6-sentiment3, 0.85", "gru-sentiment3, 0.75"})
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
    try (OnnxModel model = OnnxModel.load(ModelDirectory.open("classpath:models/gru-sentiment3"),
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
  @CsvSource({"negative, 0", "Neutral, 1", "POSITIVE, 2", "0, 0", "1, 1", "2, 2"})
  void acceptsLabelNamesInAnyCaseAndIndexes(String label, int index) {
    try (OnnxModel model = OnnxModel.load(ModelDirectory.open("classpath:models/gru-sentiment3"),
        OnnxModel.RuntimeOptions.cpu(), 128)) {
      assertThat(new Evaluator(model).labelIndex(label)).isEqualTo(index);
      assertThatThrownBy(() -> new Evaluator(model).labelIndex("mixed"))
          .hasMessageContaining("'mixed' is neither one of the model's labels [negative, neutral, positive]");
      assertThatThrownBy(() -> new Evaluator(model).labelIndex("3")).hasMessageContaining("index from 0 to 2");
    }
  }

  /** GLUE's SST-2 writes 0/1 for negative/positive; on a three-class model, 1 must not mean 'neutral'. */
  @org.junit.jupiter.api.Test
  void binaryZeroOneFilesAreReadAsTheModelsPolesOtherIndexFilesAsIndexes() throws Exception {
    try (OnnxModel model = OnnxModel.load(ModelDirectory.open("classpath:models/minilm-l6-sentiment3"),
        OnnxModel.RuntimeOptions.cpu(), 128)) {
      Evaluator evaluator = new Evaluator(model);
      List<LabelledText> binary = List.of(new LabelledText("I love it, wonderful!", "1"),
          new LabelledText("Terrible, it broke on day one.", "0"));
      assertThat(evaluator.readsBinaryPoles(binary)).isTrue();
      assertThat(evaluator.labelsOf(binary).names()).containsExactly("negative", "positive");
      ClassificationReport report = evaluator.evaluate(binary, 2);
      assertThat(report.labels()).containsExactly("negative", "positive");
      assertThat(report.accuracy()).isEqualTo(1.0);

      List<LabelledText> indexes = List.of(new LabelledText("I love it, wonderful!", "2"),
          new LabelledText("The meeting is at noon.", "1"));
      assertThat(evaluator.readsBinaryPoles(indexes)).isFalse();
      assertThat(evaluator.labelsOf(indexes).names()).containsExactly("neutral", "positive");
      List<LabelledText> names = List.of(new LabelledText("I love it", "positive"), new LabelledText("ok", "1"));
      assertThat(evaluator.readsBinaryPoles(names)).isFalse();
    }
  }
}
