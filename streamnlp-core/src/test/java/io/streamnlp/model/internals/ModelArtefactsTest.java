package io.streamnlp.model.internals;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each shipped model is an artifact of its own, {@code streamnlp-model-<name>}, holding the model directory the
 * recipe (models/train/build.sh) produced and evaluated: the model's SHA256SUMS pins its manifest, ONNX file and
 * tokenizer, and the artifact on the classpath carries those bytes with the card and the evaluation.
 */
class ModelArtefactsTest {
  private static final Path MODELS = Path.of("..", "models");

  @ParameterizedTest
  @ValueSource(strings = {"minilm-l6-sentiment3", "minilm-l6-sentiment3-int8", "gru-sentiment3"})
  void theModelArtifactHoldsTheCommittedFilesWithTheRecipesChecksums(String model) throws Exception {
    List<String> lines = Files.readAllLines(MODELS.resolve(model).resolve("SHA256SUMS"));
    assertThat(lines).extracting(l -> l.trim().split("\\s+\\*?", 2)[1])
        .containsExactlyInAnyOrder("manifest.json", "model.onnx", "tokenizer.json");
    for (String line : lines) {
      String[] parts = line.trim().split("\\s+\\*?", 2);
      String expected = parts[0];
      String file = model + "/" + parts[1];
      assertThat(sha256(Files.newInputStream(MODELS.resolve(file)))).as(file).isEqualTo(expected);
      URL packaged = getClass().getClassLoader().getResource("models/" + file);
      assertThat(packaged).as("classpath models/" + file).isNotNull();
      // From the model's own artifact (its jar, or its module's classes when built without packaging).
      assertThat(packaged.toString()).as("where models/" + file + " comes from")
          .containsAnyOf("streamnlp-model-" + model + "-", "streamnlp-models/" + model + "/");
      assertThat(sha256(packaged.openStream())).as("classpath models/" + file).isEqualTo(expected);
    }
    for (String doc : List.of("CARD.md", "evaluation.md", "SHA256SUMS")) {
      assertThat(getClass().getClassLoader().getResource("models/" + model + "/" + doc)).as(doc).isNotNull();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"minilm-l6-sentiment3", "minilm-l6-sentiment3-int8", "gru-sentiment3"})
  void eachCommittedModelStaysUnder25MegabytesAndHasACardAndAnEvaluation(String dir) throws Exception {
    assertThat(Files.size(MODELS.resolve(dir).resolve("model.onnx"))).as(dir).isLessThan(25L * 1024 * 1024);
    assertThat(MODELS.resolve(dir).resolve("CARD.md")).isRegularFile();
    assertThat(Files.readString(MODELS.resolve(dir).resolve("evaluation.md"))).contains("SemEval-2017 Task 4A test",
        "macro-averaged recall", "SST-2 dev", "accuracy", "macro-F1", "Short messages", "STS-B dev", "Spearman",
        "| neutral |");
  }

  private static String sha256(InputStream in) throws Exception {
    try (in) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    }
  }
}
