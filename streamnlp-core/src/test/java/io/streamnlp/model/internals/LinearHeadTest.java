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
    LinearHead head = LinearHead.File.read(new ByteArrayInputStream(written(f)), "head.json", LABELS, 2, 0);
    assertThat(head.logits(new float[] {0.6f, 0.8f}, null)).containsExactly((0.6f + 0.5f) / 2, (0.8f - 0.5f) / 2);

    // With the model's own class probabilities after the embedding: softmax([0, ln 3]) = (0.25, 0.75).
    LinearHead.File withBase = new LinearHead.File(LinearHead.FORMAT, LinearHead.WITH_BASE_SCORES, LABELS, 1.0,
        new float[][] {{0, 0, 4, 0}, {0, 0, 0, 4}}, new float[2]);
    LinearHead both = LinearHead.File.read(new ByteArrayInputStream(written(withBase)), "head.json", LABELS, 2, 2);
    float[] z = both.logits(new float[] {0.6f, 0.8f}, new float[] {0f, (float) Math.log(3)});
    assertThat(z[0]).isCloseTo(1f, org.assertj.core.api.Assertions.within(1e-5f));
    assertThat(z[1]).isCloseTo(3f, org.assertj.core.api.Assertions.within(1e-5f));
    assertThatThrownBy(() -> LinearHead.File.read(new ByteArrayInputStream(written(withBase)), "head.json", LABELS,
        2, 0)).hasMessageContaining("need the model's logits output");
  }

  @Test
  void aHeadThatDoesNotFitItsModelIsRefusedNamingWhy() throws Exception {
    LinearHead.File otherLabels = new LinearHead.File(LinearHead.FORMAT, "embedding", List.of("b", "a"), 1.0,
        new float[][] {{1, 0}, {0, 1}}, new float[2]);
    assertThatThrownBy(() -> LinearHead.File.read(new ByteArrayInputStream(written(otherLabels)), "x/head.json",
        LABELS, 2, 0)).isInstanceOf(ModelLoadException.class).hasMessageContaining("x/head.json")
        .hasMessageContaining("differ from the manifest's [a, b]");
    LinearHead.File wrongWidth = new LinearHead.File(LinearHead.FORMAT, "embedding", LABELS, 1.0,
        new float[][] {{1, 0, 0}, {0, 1, 0}}, new float[2]);
    assertThatThrownBy(() -> LinearHead.File.read(new ByteArrayInputStream(written(wrongWidth)), "head.json",
        LABELS, 2, 0)).hasMessageContaining("3 values; its features have 2");
    assertThatThrownBy(() -> LinearHead.File.read(new ByteArrayInputStream("{\"format\": 1".getBytes()), "head.json",
        LABELS, 2, 0)).hasMessageContaining("Cannot read the head head.json");
  }
}
