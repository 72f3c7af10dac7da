package io.streamnlp.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnlp.StreamNlp;
import io.streamnlp.model.internals.EncoderResult;
import io.streamnlp.model.internals.ModelDirectory;
import io.streamnlp.model.internals.OnnxModel;
import io.streamnlp.model.internals.TextEncoder;
import io.streamnlp.serde.InMemorySchemaRegistryClient;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamnlp import-model} on the two kinds of Hugging Face ONNX export: the base all-MiniLM-L6-v2
 * (feature-extraction, from the langchain4j artifact on Maven Central) and a text-classification export in
 * Optimum's layout (a tiny one made by models/train/hf_export.py --tiny).
 */
class ImportModelCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private static CliRun run(String... args) {
    return CliRun.run(args);
  }

  private static void copyResource(String resource, Path to) throws Exception {
    try (InputStream in = ImportModelCommandTest.class.getResourceAsStream(resource)) {
      assertThat(in).as(resource).isNotNull();
      Files.copy(in, to);
    }
  }

  /** The base model as Optimum lays out a feature-extraction export, with its real config.json. */
  private Path minilmExport() throws Exception {
    Path export = Files.createDirectories(dir.resolve("all-MiniLM-L6-v2-onnx"));
    copyResource("/all-minilm-l6-v2.onnx", export.resolve("model.onnx"));
    copyResource("/all-minilm-l6-v2-tokenizer.json", export.resolve("tokenizer.json"));
    Files.writeString(export.resolve("config.json"), """
        {"_name_or_path": "sentence-transformers/all-MiniLM-L6-v2", "architectures": ["BertModel"],
         "attention_probs_dropout_prob": 0.1, "hidden_act": "gelu", "hidden_size": 384,
         "intermediate_size": 1536, "max_position_embeddings": 512, "model_type": "bert",
         "num_attention_heads": 12, "num_hidden_layers": 6, "pad_token_id": 0, "type_vocab_size": 2,
         "vocab_size": 30522}""");
    return export;
  }

  private Path classificationExport() throws Exception {
    Path export = Files.createDirectories(dir.resolve("tiny-text-classification"));
    copyResource("/hf-export/tiny-text-classification/model.onnx", export.resolve("model.onnx"));
    copyResource("/hf-export/tiny-text-classification/config.json", export.resolve("config.json"));
    copyResource("/models/minilm-l6-sentiment3/tokenizer.json", export.resolve("tokenizer.json"));
    return export;
  }

  @Test
  void aFeatureExtractionExportBecomesAModelThatEmbedsExactlyAsAHandWrittenManifest() throws Exception {
    Path out = dir.resolve("models/minilm");
    CliRun r = run("import-model", "--from", minilmExport().toString(), "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("mean of last_hidden_state", "token_type_ids", "prototype",
        "max_position_embeddings 512", "Loaded it and tagged 3 sample messages (embedding: 384 floats)",
        "model.dir=" + out);
    JsonNode m = JSON.readTree(out.resolve("manifest.json").toFile());
    assertThat(m.path("name").asText()).isEqualTo("minilm");
    assertThat(m.path("outputs").path("hiddenStates").asText()).isEqualTo("last_hidden_state");
    assertThat(m.path("outputs").has("logits")).isFalse();
    assertThat(m.path("pooling").asText()).isEqualTo("mean");
    assertThat(m.path("inputs").path("tokenTypeIds").asText()).isEqualTo("token_type_ids");
    assertThat(m.path("maxTokens").asInt()).isEqualTo(512);
    assertThat(m.path("embeddingDim").asInt()).isEqualTo(384);
    assertThat(m.path("head").path("type").asText()).isEqualTo("prototype");
    assertThat(m.path("source").path("nameOrPath").asText()).isEqualTo("sentence-transformers/all-MiniLM-L6-v2");
    assertThat(out.resolve("model.onnx")).exists();
    assertThat(out.resolve("tokenizer.json")).exists();

    // The same embedding as the project's hand-written manifest for this model (mean pooling, token types).
    try (OnnxModel imported = OnnxModel.load(ModelDirectory.open(out.toString()), OnnxModel.RuntimeOptions.cpu(), 128);
         OnnxModel reference = OnnxModel.load(ModelDirectory.open("classpath:models/all-minilm-l6-v2"),
             OnnxModel.RuntimeOptions.cpu(), 128);
         TextEncoder a = imported.newEncoder(2);
         TextEncoder b = reference.newEncoder(2)) {
      String text = "The delivery came a day early and the box was intact.";
      EncoderResult x = a.encode(List.of(imported.tokenizer().tokenize(text))).get(0);
      EncoderResult y = b.encode(List.of(reference.tokenizer().tokenize(text))).get(0);
      assertThat(x.embedding()).containsExactly(y.embedding(), within(1e-5f));
      // Zero-shot prototypes still tag clear cases.
      List<String> labels = imported.info().labels();
      assertThat(labels).containsExactly("negative", "neutral", "positive");
      EncoderResult love = a.encode(List.of(imported.tokenizer().tokenize("I love it, thank you so much!"))).get(0);
      EncoderResult hate = a.encode(List.of(imported.tokenizer().tokenize("Awful, it broke on day one."))).get(0);
      assertThat(labels.get(love.labelIndex())).isEqualTo("positive");
      assertThat(labels.get(hate.labelIndex())).isEqualTo("negative");
    }
  }

  @Test
  void aTextClassificationExportGetsItsLabelsFromId2labelAndNoEmbedding() throws Exception {
    Path out = dir.resolve("models/tiny");
    CliRun r = run("import-model", "--from", classificationExport().toString(), "--out", out.toString(),
        "--name", "tiny-classifier", "--model-version", "0.1.0", "--sample", "hello there");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("config.json id2label", "head           logits", "embedding      none",
        "polarity       positive - negative", "Loaded it and tagged 1 sample messages (embedding: none)");
    JsonNode m = JSON.readTree(out.resolve("manifest.json").toFile());
    assertThat(m.path("name").asText()).isEqualTo("tiny-classifier");
    assertThat(m.path("version").asText()).isEqualTo("0.1.0");
    assertThat(m.path("outputs").path("logits").asText()).isEqualTo("logits");
    assertThat(m.path("outputs").has("hiddenStates")).isFalse();
    assertThat(m.path("embeddingDim").asInt()).isZero();
    assertThat(m.path("head").path("type").asText()).isEqualTo("logits");
    assertThat(JSON.convertValue(m.path("labels"), List.class)).containsExactly("negative", "neutral", "positive");

    try (OnnxModel model = OnnxModel.load(ModelDirectory.open(out.toString()), OnnxModel.RuntimeOptions.cpu(), 64);
         TextEncoder encoder = model.newEncoder(3)) {
      List<EncoderResult> results = encoder.encode(List.of(model.tokenizer().tokenize("a short one"),
          model.tokenizer().tokenize("and a much longer message that pads the other one in its batch")));
      for (EncoderResult e : results) {
        assertThat(e.scores()).hasSize(3);
        assertThat(e.scores()[0] + e.scores()[1] + e.scores()[2]).isCloseTo(1f, within(1e-5f));
        assertThat(e.embedding()).isEmpty();
      }
      EncoderResult alone = encoder.encode(List.of(model.tokenizer().tokenize("a short one"))).get(0);
      assertThat(results.get(0).scores()).containsExactly(alone.scores(), within(1e-5f));
    }

    // A logits-only model cannot give the embedding field: said at start-up, not at the first record.
    Map<String, Object> props = new HashMap<>();
    props.put("input.topics", "in");
    props.put("output.topic", "out");
    props.put("model.dir", out.toString());
    props.put("output.fields", "label,embedding");
    assertThatThrownBy(() -> StreamNlp.create(props, new InMemorySchemaRegistryClient()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'embedding' needs a model with an embedding");
    props.put("output.fields", "label,scores,polarity");
    StreamNlp.create(props, new InMemorySchemaRegistryClient()).close();
  }

  @Test
  void saysWhatIsMissingOrWrong() throws Exception {
    Path export = classificationExport();
    Path out = dir.resolve("models/x");

    Files.delete(export.resolve("tokenizer.json"));
    CliRun noTokenizer = run("import-model", "--from", export.toString(), "--out", out.toString());
    assertThat(noTokenizer.code()).isEqualTo(2);
    assertThat(noTokenizer.err()).contains("No tokenizer.json in").contains("save it beside the model");
    assertThat(out).doesNotExist();
    copyResource("/models/minilm-l6-sentiment3/tokenizer.json", export.resolve("tokenizer.json"));

    Files.writeString(export.resolve("config.json"), "{\"id2label\": {\"0\": \"bad\", \"1\": \"good\"}}");
    CliRun wrongLabels = run("import-model", "--from", export.toString(), "--out", out.toString());
    assertThat(wrongLabels.code()).isEqualTo(2);
    assertThat(wrongLabels.err()).contains("id2label").contains("does not name classes 0..2").contains("Fix id2label");

    Files.delete(export.resolve("config.json"));
    CliRun noConfig = run("import-model", "--from", export.toString(), "--out", out.toString());
    assertThat(noConfig.code()).as(noConfig.err()).isZero();
    assertThat(noConfig.out()).contains("LABEL_0", "no config.json");

    CliRun again = run("import-model", "--from", export.toString(), "--out", out.toString());
    assertThat(again.code()).isEqualTo(2);
    assertThat(again.err()).contains("already holds a model").contains("--force");
    assertThat(run("import-model", "--from", export.toString(), "--out", out.toString(), "--force").code())
        .isZero();

    CliRun notADir = run("import-model", "--from", dir.resolve("nowhere").toString(), "--out",
        dir.resolve("y").toString());
    assertThat(notADir.code()).isEqualTo(2);
    assertThat(notADir.err()).contains("is not a directory");
  }
}
