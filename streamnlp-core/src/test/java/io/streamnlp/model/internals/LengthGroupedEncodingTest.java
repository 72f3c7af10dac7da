package io.streamnlp.model.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamnlp.text.internals.TokenizedText;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Splitting a batch into calls of similar lengths changes the time, never the results: every message gets what
 * it gets in one call padded to the batch's longest message (which the batch-mate tests tie to batch 1).
 */
class LengthGroupedEncodingTest {
  private static final String[] WORDS = ("great awful service the train meeting love hate slow fast update "
      + "broke fixed thanks never again maybe tomorrow price order").split(" ");

  private static OnnxModel load(String dir) {
    return OnnxModel.load(ModelDirectory.open("classpath:models/" + dir), OnnxModel.RuntimeOptions.cpu(), 128);
  }

  /** Messages of 1 to 90 words, alternating short and long, so the planner makes several calls. */
  private static List<TokenizedText> mixedLengths(OnnxModel model, int n) throws Exception {
    Random random = new Random(11);
    List<TokenizedText> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int words = i % 3 == 0 ? 40 + random.nextInt(50) : 1 + random.nextInt(8);
      StringBuilder sb = new StringBuilder();
      for (int w = 0; w < words; w++) {
        sb.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
      }
      out.add(model.tokenizer().tokenize(sb.toString().trim()));
    }
    return out;
  }

  private static int[] lengths(List<TokenizedText> batch) {
    return batch.stream().mapToInt(TokenizedText::length).toArray();
  }

  private static void assertSame(List<EncoderResult> grouped, List<EncoderResult> padded) {
    assertThat(grouped).hasSameSizeAs(padded);
    for (int i = 0; i < grouped.size(); i++) {
      assertThat(grouped.get(i).scores()).containsExactly(padded.get(i).scores(), within(1e-5f));
      assertThat(grouped.get(i).embedding()).containsExactly(padded.get(i).embedding(), within(1e-5f));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"minilm-l6-sentiment3", "minilm-l6-sentiment3-int8", "gru-sentiment3"})
  void groupedCallsGiveEachMessageWhatOnePaddedCallGives(String dir) throws Exception {
    try (OnnxModel model = load(dir);
         TextEncoder grouped = model.newEncoder(24, true);
         TextEncoder padded = model.newEncoder(24, false)) {
      List<TokenizedText> batch = mixedLengths(model, 24);
      LengthGroups.CallCost cost = model.manifest().isRecurrent() ? LengthGroups.CallCost.RECURRENT
          : LengthGroups.CallCost.TRANSFORMER;
      assertThat(LengthGroups.plan(lengths(batch), 24, cost)).hasSizeGreaterThan(1);
      assertSame(grouped.encode(batch), padded.encode(batch));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"minilm-l6-sentiment3", "minilm-l6-sentiment3-int8"})
  void contextsAndExplanationsStayWithTheirMessage(String dir) throws Exception {
    try (OnnxModel model = load(dir);
         ContextualEncoder grouped = model.newContextualEncoder(12, true, true);
         ContextualEncoder padded = model.newContextualEncoder(12, true, false)) {
      List<TokenizedText> batch = mixedLengths(model, 12);
      List<long[]> contexts = new ArrayList<>();
      for (int i = 0; i < batch.size(); i++) {
        long[] c = new long[i % 4 == 1 ? 30 : 0];
        for (int k = 0; k < c.length; k++) {
          c[k] = 2000 + k;
        }
        contexts.add(c);
      }
      List<EncoderResult> g = grouped.encode(batch, contexts);
      List<EncoderResult> p = padded.encode(batch, contexts);
      assertSame(g, p);
      for (int i = 0; i < batch.size(); i++) {
        assertThat(g.get(i).tokenWeights()).containsExactly(p.get(i).tokenWeights(), within(1e-5f));
        if (contexts.get(i).length > 0) {
          assertThat(g.get(i).contextWeights()).containsExactly(p.get(i).contextWeights(), within(1e-5f));
        } else {
          assertThat(g.get(i).contextWeights()).isNull();
        }
      }
    }
  }

  @org.junit.jupiter.api.Test
  void recurrentStatesStayWithTheirMessage() throws Exception {
    try (OnnxModel model = load("gru-sentiment3");
         RecurrentEncoder grouped = model.newRecurrentEncoder(12, true);
         RecurrentEncoder padded = model.newRecurrentEncoder(12, false)) {
      List<TokenizedText> batch = mixedLengths(model, 12);
      Random random = new Random(5);
      List<float[]> states = new ArrayList<>();
      for (int i = 0; i < batch.size(); i++) {
        float[] s = null;
        if (i % 2 == 0) {
          s = new float[grouped.stateSize()];
          for (int k = 0; k < s.length; k++) {
            s[k] = (float) random.nextGaussian() * 0.3f;
          }
        }
        states.add(s);
      }
      List<RecurrentResult> g = grouped.encode(batch, states);
      List<RecurrentResult> p = padded.encode(batch, states);
      for (int i = 0; i < batch.size(); i++) {
        assertThat(g.get(i).finalState()).containsExactly(p.get(i).finalState(), within(1e-5f));
        assertThat(g.get(i).result().scores()).containsExactly(p.get(i).result().scores(), within(1e-5f));
      }
    }
  }
}
