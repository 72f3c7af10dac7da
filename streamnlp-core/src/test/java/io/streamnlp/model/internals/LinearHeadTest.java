package io.streamnlp.model.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnlp.model.ModelLoadException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A trained head's file: what it says comes back as written, and a file that does not fit its model is refused. */
class LinearHeadTest {
  private static final List<String> LABELS = List.of("a", "b");

  private static byte[] written(LinearHead.File f) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    f.write(out);
    return out.toByteArray();
  }

  @Test
  void scoresAreTheSoftmaxOfTheLinearFunctionOverTheTemperature() throws Exception {
    LinearHead.File f = new LinearHead.File(LinearHead.FORMAT, "embedding", LABELS, 2.0,
        new float[][] {{1, 0}, {0, 1}}, new float[] {0.5f, -0.5f});
    LinearHead head = LinearHead.File.read(new ByteArrayInputStream(written(f)), "head.json", LABELS, 2);
    assertThat(head.logits(new float[] {0.6f, 0.8f})).containsExactly((0.6f + 0.5f) / 2, (0.8f - 0.5f) / 2);
  }

  @Test
  void aHeadThatDoesNotFitItsModelIsRefusedNamingWhy() throws Exception {
    LinearHead.File otherLabels = new LinearHead.File(LinearHead.FORMAT, "embedding", List.of("b", "a"), 1.0,
        new float[][] {{1, 0}, {0, 1}}, new float[2]);
    assertThatThrownBy(() -> LinearHead.File.read(new ByteArrayInputStream(written(otherLabels)), "x/head.json",
        LABELS, 2)).isInstanceOf(ModelLoadException.class).hasMessageContaining("x/head.json")
        .hasMessageContaining("differ from the manifest's [a, b]");
    LinearHead.File wrongWidth = new LinearHead.File(LinearHead.FORMAT, "embedding", LABELS, 1.0,
        new float[][] {{1, 0, 0}, {0, 1, 0}}, new float[2]);
    assertThatThrownBy(() -> LinearHead.File.read(new ByteArrayInputStream(written(wrongWidth)), "head.json",
        LABELS, 2)).hasMessageContaining("3 values; the embedding has 2");
    assertThatThrownBy(() -> LinearHead.File.read(new ByteArrayInputStream("{\"format\": 1".getBytes()), "head.json",
        LABELS, 2)).hasMessageContaining("Cannot read the head head.json");
  }
}
