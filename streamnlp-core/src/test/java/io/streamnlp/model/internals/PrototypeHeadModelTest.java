package io.streamnlp.model.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamnlp.text.internals.TokenizedText;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The zero-shot prototype head, on the pretrained all-MiniLM-L6-v2 (test resources + langchain4j jar). */
class PrototypeHeadModelTest {
  static OnnxModel model;

  @BeforeAll
  static void load() {
    model = OnnxModel.load(ModelDirectory.open("classpath:models/all-minilm-l6-v2"),
        OnnxModel.RuntimeOptions.cpu(), 128);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static List<EncoderResult> encode(TextEncoder encoder, String... texts) throws Exception {
    List<TokenizedText> batch = new ArrayList<>();
    for (String t : texts) {
      batch.add(model.tokenizer().tokenize(t));
    }
    return encoder.encode(batch);
  }

  @Test
  void tagsClearlyPositiveAndNegativeSentences() throws Exception {
    try (TextEncoder encoder = model.newEncoder(8)) {
      List<EncoderResult> r = encode(encoder,
          "I absolutely love this product, it is amazing!",
          "This is the worst service I have ever had, truly awful.",
          "What a wonderful, happy day.",
          "I am furious, the update broke everything.");
      List<String> labels = r.stream().map(x -> model.info().labels().get(x.labelIndex())).toList();
      assertThat(labels).containsExactly("positive", "negative", "positive", "negative");
      for (EncoderResult x : r) {
        assertThat(x.scores()[0] + x.scores()[1]).isCloseTo(1f, within(1e-5f));
        assertThat(x.embedding()).hasSize(384);
        double norm = 0;
        for (float v : x.embedding()) {
          norm += v * v;
        }
        assertThat(norm).isCloseTo(1.0, within(1e-4));
      }
    }
  }

  @Test
  void paddingInABatchDoesNotChangeAMessagesEncoding() throws Exception {
    try (TextEncoder encoder = model.newEncoder(4)) {
      EncoderResult alone = encode(encoder, "short one").get(0);
      EncoderResult padded = encode(encoder, "a much longer message that forces padding of the short one",
          "short one").get(1);
      for (int i = 0; i < alone.embedding().length; i++) {
        assertThat(padded.embedding()[i]).isCloseTo(alone.embedding()[i], within(1e-4f));
      }
      assertThat(padded.scores()[1]).isCloseTo(alone.scores()[1], within(1e-4f));
    }
  }
}
