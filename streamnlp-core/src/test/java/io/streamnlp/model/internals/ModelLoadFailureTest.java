package io.streamnlp.model.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnlp.model.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLoadFailureTest {
  @TempDir
  Path dir;

  private static String defaultManifest() throws IOException {
    try (InputStream in = ModelLoadFailureTest.class.getResourceAsStream("/models/all-minilm-l6-v2/manifest.json")) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** A copy of the default model directory on disk, with the tokenizer and model copied from the classpath. */
  private void copyDefault(String manifest) throws IOException {
    Files.writeString(dir.resolve("manifest.json"), manifest
        .replace("classpath:all-minilm-l6-v2.onnx", "model.onnx")
        .replace("classpath:all-minilm-l6-v2-tokenizer.json", "tokenizer.json"));
    try (InputStream t = getClass().getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
      Files.copy(t, dir.resolve("tokenizer.json"));
    }
  }

  @Test
  void missingDirectorySaysWhereTheModelShouldBe() {
    assertThatThrownBy(() -> ModelDirectory.open(dir.resolve("nope").toString()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("No model at model.dir=")
        .hasMessageContaining("manifest.json");
  }

  @Test
  void aShippedModelWhoseArtifactIsMissingNamesTheArtifactToAdd() {
    assertThatThrownBy(() -> ModelDirectory.open("classpath:models/gru-sentiment9"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage("Model 'gru-sentiment9' is not on the classpath: add the dependency "
            + "io.streamnlp:streamnlp-model-gru-sentiment9:" + io.streamnlp.internals.StreamNlpVersion.get()
            + " (its model artifact), or point model.dir at a model directory on disk.");
    assertThat(io.streamnlp.internals.StreamNlpVersion.get()).as("filled in by the build").matches("\\d+\\.\\d+.*");
    assertThat(ModelDirectory.shippedArtifact("classpath:models/minilm-l6-sentiment3/"))
        .startsWith("io.streamnlp:streamnlp-model-minilm-l6-sentiment3:");
    assertThat(ModelDirectory.shippedArtifact("classpath:elsewhere/x")).isNull();
    assertThat(ModelDirectory.shippedArtifact("/opt/models/x")).isNull();
  }

  @Test
  void aModelWhoseWeightsLiveInAnExternalDataFileLoadsFromItsDirectory() throws Exception {
    for (String file : new String[] {"model.onnx", "model.onnx.data"}) {
      try (InputStream in = getClass().getResourceAsStream("/external-data/" + file)) {
        Files.copy(in, dir.resolve(file));
      }
    }
    Files.writeString(dir.resolve("manifest.json"), """
        {"name": "external-data", "version": "1", "kind": "attention",
         "files": {"onnx": "model.onnx", "tokenizer": "classpath:all-minilm-l6-v2-tokenizer.json"},
         "maxTokens": 32, "inputs": {"inputIds": "input_ids", "attentionMask": "attention_mask"},
         "outputs": {"logits": "logits"}, "embeddingDim": 0, "labels": ["negative", "neutral", "positive"],
         "head": {"type": "logits"}}
        """);
    // The graph alone, as bytes, cannot find its weights: that is how the model used to be loaded.
    try (ai.onnxruntime.OrtSession.SessionOptions opts = new ai.onnxruntime.OrtSession.SessionOptions()) {
      assertThatThrownBy(() -> ai.onnxruntime.OrtEnvironment.getEnvironment()
          .createSession(Files.readAllBytes(dir.resolve("model.onnx")), opts))
          .isInstanceOf(ai.onnxruntime.OrtException.class);
    }
    try (OnnxModel model = OnnxModel.load(ModelDirectory.open(dir.toString()), OnnxModel.RuntimeOptions.cpu(), 32);
         TextEncoder encoder = model.newEncoder(2)) {
      var results = encoder.encode(java.util.List.of(model.tokenizer().tokenize("weights beside the graph")));
      assertThat(results).hasSize(1);
      assertThat(results.get(0).scores()).hasSize(3);
      float sum = 0;
      for (float p : results.get(0).scores()) {
        sum += p;
      }
      assertThat(sum).isCloseTo(1f, org.assertj.core.api.Assertions.within(1e-5f));
    }
  }

  @Test
  void corruptOnnxFailsWithAFix() throws IOException {
    copyDefault(defaultManifest());
    Files.write(dir.resolve("model.onnx"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    ModelDirectory model = ModelDirectory.open(dir.toString());
    assertThatThrownBy(() -> OnnxModel.load(model, OnnxModel.RuntimeOptions.cpu(), 128))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("ONNX Runtime cannot load")
        .hasMessageContaining("model.onnx")
        .hasMessageContaining("truncated or not an ONNX model");
  }

  @Test
  void missingOnnxFileIsNamed() throws IOException {
    copyDefault(defaultManifest());
    ModelDirectory model = ModelDirectory.open(dir.toString());
    assertThatThrownBy(() -> OnnxModel.load(model, OnnxModel.RuntimeOptions.cpu(), 128))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model.onnx").hasMessageContaining("does not exist");
  }

  @Test
  void manifestThatDoesNotMatchTheModelIsRejected() throws IOException {
    String manifest = defaultManifest().replace("\"last_hidden_state\"", "\"hidden\"")
        .replace("classpath:all-minilm-l6-v2.onnx", "CLASSPATH_ONNX");
    copyDefault(manifest);
    Files.writeString(dir.resolve("manifest.json"), Files.readString(dir.resolve("manifest.json"))
        .replace("CLASSPATH_ONNX", "classpath:all-minilm-l6-v2.onnx"));
    ModelDirectory model = ModelDirectory.open(dir.toString());
    assertThatThrownBy(() -> OnnxModel.load(model, OnnxModel.RuntimeOptions.cpu(), 128))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("has no output 'hidden'")
        .hasMessageContaining("last_hidden_state");
  }

  @Test
  void polarLabelsMustBeLabelsOfTheModel() throws IOException {
    copyDefault(defaultManifest().replace("\"labels\": [", "\"polarity\": {\"positive\": \"positive\", "
        + "\"negative\": \"bad\"},\n  \"labels\": ["));
    assertThatThrownBy(() -> ModelDirectory.open(dir.toString()))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("polarity.positive and polarity.negative");
  }

  @Test
  void invalidManifestFieldsAreExplained() throws IOException {
    copyDefault(defaultManifest().replace("\"kind\": \"attention\"", "\"kind\": \"cnn\""));
    assertThatThrownBy(() -> ModelDirectory.open(dir.toString()))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("kind 'cnn'");
    Files.writeString(dir.resolve("manifest.json"), "{ not json");
    assertThatThrownBy(() -> ModelDirectory.open(dir.toString()))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("Fix the JSON");
  }

  @Test
  void cudaWithoutTheGpuBuildFailsWithInstructions() {
    ModelDirectory model = ModelDirectory.open("classpath:models/all-minilm-l6-v2");
    assertThatThrownBy(() -> OnnxModel.load(model, new OnnxModel.RuntimeOptions("cuda", 0, 0), 128))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("execution.provider=cuda")
        .hasMessageContaining("-Pcuda");
  }

  @Test
  void cudaWithFallbackRunsOnTheCpuWhenTheGpuCannotStart() throws Exception {
    ModelDirectory dir = ModelDirectory.open("classpath:models/gru-sentiment3");
    try (OnnxModel model = OnnxModel.load(dir, new OnnxModel.RuntimeOptions("cuda", 0, 0, true), 128);
         TextEncoder encoder = model.newEncoder(1)) {
      assertThat(model.executionProvider()).isEqualTo("cpu");
      assertThat(encoder.encode(java.util.List.of(model.tokenizer().tokenize("lovely"))).get(0).scores())
          .hasSize(model.info().labels().size());
    }
  }
}
