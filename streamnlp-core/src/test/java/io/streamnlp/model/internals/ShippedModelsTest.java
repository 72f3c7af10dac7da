package io.streamnlp.model.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import io.streamnlp.model.ModelInfo;
import io.streamnlp.model.ModelLoadException;
import io.streamnlp.text.internals.TokenizedText;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The sentiment models that ship in models/: they load, agree with their manifests and tag sentiment. */
class ShippedModelsTest {

  private static OnnxModel load(String dir) {
    return OnnxModel.load(ModelDirectory.open("classpath:models/" + dir), OnnxModel.RuntimeOptions.cpu(), 128);
  }

  private static List<TokenizedText> tokens(OnnxModel model, String... texts) throws Exception {
    List<TokenizedText> out = new ArrayList<>();
    for (String t : texts) {
      out.add(model.tokenizer().tokenize(t));
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"minilm-l6-sentiment3", "minilm-l6-sentiment3-int8", "gru-sentiment3"})
  void tagsClearlyPositiveNegativeAndNeutralMessages(String dir) throws Exception {
    try (OnnxModel model = load(dir); TextEncoder encoder = model.newEncoder(12)) {
      assertThat(model.info().labels()).containsExactly("negative", "neutral", "positive");
      assertThat(model.info().polarity()).isEqualTo(new ModelInfo.PolarLabels(2, 0));
      List<EncoderResult> results = encoder.encode(tokens(model,
          "I absolutely love this, it is wonderful!",
          "This is the worst service I have ever had, truly awful.",
          "a gorgeous , funny and moving film .",
          "a dull , tedious mess that wastes its cast .",
          "Great support team, they fixed it in minutes. Thank you!",
          "The update broke everything and nobody answers. Terrible.",
          "The meeting is at 3 pm in room B.",
          "My order number is 4471.",
          "The train leaves at 7:15 from platform 2."));
      assertThat(results).extracting(EncoderResult::labelIndex).containsExactly(2, 0, 2, 0, 2, 0, 1, 1, 1);
      for (EncoderResult r : results) {
        assertThat(r.scores()[0] + r.scores()[1] + r.scores()[2]).isCloseTo(1f, within(1e-5f));
        assertThat(r.scores()[r.labelIndex()]).isGreaterThan(0.4f);
        assertThat(r.embedding()).hasSize(model.manifest().embeddingDim());
        double norm = 0;
        for (float v : r.embedding()) {
          norm += v * v;
        }
        assertThat(norm).isCloseTo(1.0, within(1e-4));
      }
      // Polarity orders them: clearly positive > neutral > clearly negative.
      float positive = polarity(results.get(0));
      float neutral = polarity(results.get(6));
      float negative = polarity(results.get(1));
      assertThat(positive).isGreaterThan(0.5f).isGreaterThan(neutral);
      assertThat(negative).isLessThan(-0.5f).isLessThan(neutral);
    }
  }

  private static float polarity(EncoderResult r) {
    return r.scores()[2] - r.scores()[0];
  }

  @ParameterizedTest
  @ValueSource(strings = {"minilm-l6-sentiment3", "minilm-l6-sentiment3-int8", "gru-sentiment3"})
  void aMessagesResultDoesNotDependOnItsBatchMates(String dir) throws Exception {
    // One call padded to the longest message: the int8 model's activation scales are constants of the file,
    // so padding and batch-mates cannot move them (dynamic quantization would).
    try (OnnxModel model = load(dir); TextEncoder encoder = model.newEncoder(4, false)) {
      String text = "not bad at all";
      EncoderResult alone = encoder.encode(tokens(model, text)).get(0);
      EncoderResult inBatch = encoder.encode(tokens(model, "an unusually long message that makes the whole batch "
          + "pad to many more tokens than the short one needs", text, "meh")).get(1);
      assertThat(inBatch.scores()).containsExactly(alone.scores(), within(1e-5f));
      assertThat(inBatch.embedding()).containsExactly(alone.embedding(), within(1e-5f));
    }
  }

  @Test
  void theTransformerReturnsItsLastLayersAttentionOverRealTokens() throws Exception {
    try (OnnxModel model = load("minilm-l6-sentiment3")) {
      ModelManifest m = model.manifest();
      assertThat(m.outputs().attention()).isNotNull();
      long[] ids = model.tokenizer().tokenize("the acting is superb").ids();
      int t = ids.length + 2;
      long[] padded = new long[t];
      long[] mask = new long[t];
      System.arraycopy(ids, 0, padded, 0, ids.length);
      for (int i = 0; i < ids.length; i++) {
        mask[i] = 1;
      }
      try (OnnxTensor idT = OnnxTensor.createTensor(model.env(), LongBuffer.wrap(padded), new long[] {1, t});
           OnnxTensor maskT = OnnxTensor.createTensor(model.env(), LongBuffer.wrap(mask), new long[] {1, t});
           OrtSession.Result r = model.session().run(Map.of(m.inputs().inputIds(), idT,
               m.inputs().attentionMask(), maskT, m.inputs().poolingMask(), maskT))) {
        Optional<ai.onnxruntime.OnnxValue> value = r.get(m.outputs().attention());
        assertThat(value).isPresent();
        float[][][][] attention = (float[][][][]) value.get().getValue();
        assertThat(attention.length).isEqualTo(1);
        assertThat(attention[0][0]).hasNumberOfRows(t);
        for (float[][] head : attention[0]) {
          for (int q = 0; q < ids.length; q++) {
            float sum = 0;
            for (int k = 0; k < t; k++) {
              sum += head[q][k];
            }
            assertThat(sum).isCloseTo(1f, within(1e-4f));
            // Padding gets (next to) no attention: the mask reaches the last layer.
            assertThat(head[q][t - 1]).isLessThan(1e-4f);
          }
        }
      }
    }
  }

  @Test
  void theTransformerExplainsEachMessageWithTokenWeightsThatSumToOne() throws Exception {
    try (OnnxModel model = load("minilm-l6-sentiment3");
         TextEncoder plain = model.newEncoder(4);
         TextEncoder explaining = model.newExplainingEncoder(4)) {
      List<TokenizedText> batch = tokens(model, "the acting is superb", "a dull , tedious mess that wastes its "
          + "talented cast and two hours of my life");
      List<EncoderResult> explained = explaining.encode(batch);
      List<EncoderResult> expected = plain.encode(batch);
      for (int i = 0; i < batch.size(); i++) {
        float[] w = explained.get(i).tokenWeights();
        assertThat(w).hasSize(batch.get(i).length());
        float sum = 0;
        for (float x : w) {
          assertThat(x).isBetween(0f, 1f);
          sum += x;
        }
        assertThat(sum).isCloseTo(1f, within(1e-4f));
        assertThat(explained.get(i).scores()).containsExactly(expected.get(i).scores(), within(1e-6f));
        assertThat(expected.get(i).tokenWeights()).isNull();
      }
      // Padding does not change a message's weights.
      float[] alone = explaining.encode(batch.subList(0, 1)).get(0).tokenWeights();
      assertThat(explained.get(0).tokenWeights()).containsExactly(alone, within(1e-5f));
    }
    try (OnnxModel gru = load("gru-sentiment3")) {
      assertThatThrownBy(() -> gru.newExplainingEncoder(1)).isInstanceOf(ModelLoadException.class)
          .hasMessageContaining("recurrent");
    }
  }

  @Test
  void contextIsAttendedToButTheTagDescribesTheMessage() throws Exception {
    try (OnnxModel model = load("minilm-l6-sentiment3");
         ContextualEncoder encoder = model.newContextualEncoder(4, true)) {
      assertThat(encoder.takesContext()).isTrue();
      TokenizedText reply = model.tokenizer().tokenize("me too");
      long[] hated = context(model, "i hated every minute of this film");
      long[] loved = context(model, "i loved every minute of this film");
      List<EncoderResult> r = encoder.encode(List.of(reply, reply, reply), java.util.Arrays.asList(hated, loved,
          null));
      // The context moves the reply's polarity the context's way (how far is the subject of bench memory).
      assertThat(polarity(r.get(0))).isLessThan(polarity(r.get(1)));
      // No context = the message alone, exactly.
      EncoderResult alone = model.newEncoder(1).encode(List.of(reply)).get(0);
      assertThat(r.get(2).scores()).containsExactly(alone.scores(), within(1e-6f));
      assertThat(r.get(2).contextWeights()).isNull();
      float sum = 0;
      for (float w : r.get(0).tokenWeights()) {
        sum += w;
      }
      for (float w : r.get(0).contextWeights()) {
        sum += w;
      }
      assertThat(r.get(0).tokenWeights()).hasSize(reply.length());
      assertThat(r.get(0).contextWeights()).hasSize(hated.length);
      assertThat(sum).isBetween(0.5f, 1.0001f); // the rest went to the separator
    }
  }

  private static long[] context(OnnxModel model, String text) throws Exception {
    long[] ids = model.tokenizer().tokenize(text).ids();
    return java.util.Arrays.copyOfRange(ids, 1, ids.length - 1);
  }
}
