package io.streamnlp.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The committed model files are the ones the recipe (models/train/build.sh) produced and evaluated: it
 * records their SHA-256 in models/SHA256SUMS, and the jar carries the same bytes.
 */
class ModelArtefactsTest {

  @Test
  void committedAndPackagedModelFilesMatchTheRecipesChecksums() throws Exception {
    List<String> lines = Files.readAllLines(Path.of("models", "SHA256SUMS"));
    assertThat(lines).hasSize(6);
    for (String line : lines) {
      String[] parts = line.trim().split("\\s+\\*?", 2);
      String expected = parts[0];
      String file = parts[1];
      assertThat(sha256(Files.newInputStream(Path.of("models", file)))).as(file).isEqualTo(expected);
      try (InputStream packaged = getClass().getClassLoader().getResourceAsStream("models/" + file)) {
        assertThat(packaged).as("classpath models/" + file).isNotNull();
        assertThat(sha256(packaged)).as("classpath models/" + file).isEqualTo(expected);
      }
    }
  }

  @Test
  void eachCommittedModelStaysUnder25MegabytesAndHasACardAndAnEvaluation() throws Exception {
    for (String dir : List.of("minilm-l6-sentiment3", "minilm-l6-sentiment3-int8", "gru-sentiment3")) {
      assertThat(Files.size(Path.of("models", dir, "model.onnx"))).as(dir).isLessThan(25L * 1024 * 1024);
      assertThat(Path.of("models", dir, "CARD.md")).isRegularFile();
      assertThat(Files.readString(Path.of("models", dir, "evaluation.md"))).contains("SemEval-2017 Task 4A test",
          "macro-averaged recall", "SST-2 dev", "accuracy", "macro-F1", "Short messages", "STS-B dev", "Spearman",
          "| neutral |");
    }
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
