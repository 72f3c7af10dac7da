package io.streamnlp.model.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.streamnlp.text.internals.TokenizedText;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shipped GRU: its hidden state carries context across calls exactly as one long call would. */
class RecurrentEncoderTest {
  private static final float TOLERANCE = 1e-5f;
  static OnnxModel model;

  @BeforeAll
  static void load() {
    model = OnnxModel.load(ModelDirectory.open("classpath:models/gru-sentiment3"), OnnxModel.RuntimeOptions.cpu(), 128);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static TokenizedText tokens(String text) throws Exception {
    return model.tokenizer().tokenize(text);
  }

  private static TokenizedText concat(TokenizedText a, TokenizedText b) {
    long[] ids = Arrays.copyOf(a.ids(), a.length() + b.length());
    System.arraycopy(b.ids(), 0, ids, a.length(), b.length());
    return TokenizedText.ofIds(ids, false);
  }

  private static void assertSame(RecurrentResult actual, RecurrentResult expected) {
    assertThat(actual.finalState()).containsExactly(expected.finalState(), within(TOLERANCE));
    assertThat(actual.result().embedding()).containsExactly(expected.result().embedding(), within(TOLERANCE));
    assertThat(actual.result().scores()).containsExactly(expected.result().scores(), within(TOLERANCE));
    assertThat(actual.result().labelIndex()).isEqualTo(expected.result().labelIndex());
  }

  @Test
  void continuingFromTheReturnedStateEqualsOneCallOnTheConcatenation() throws Exception {
    TokenizedText first = tokens("i expected a dull , lifeless film");
    TokenizedText second = tokens("but it turned out warm , funny and wonderful");
    try (RecurrentEncoder encoder = model.newRecurrentEncoder(4)) {
      RecurrentResult afterFirst = encoder.encode(List.of(first), null).get(0);
      RecurrentResult continued = encoder.encode(List.of(second), Arrays.asList(afterFirst.finalState())).get(0);
      RecurrentResult whole = encoder.encode(List.of(concat(first, second)), null).get(0);
      assertSame(continued, whole);
      // The carried state matters: the same message from the zero state ends elsewhere.
      RecurrentResult fresh = encoder.encode(List.of(second), null).get(0);
      assertThat(maxAbsDifference(fresh.finalState(), whole.finalState())).isGreaterThan(1e-3f);
    }
  }

  @Test
  void splittingAMessageAnywhereGivesTheSameState() throws Exception {
    TokenizedText whole = tokens("a b c");
    long[] ids = whole.ids();
    try (RecurrentEncoder encoder = model.newRecurrentEncoder(2)) {
      RecurrentResult once = encoder.encode(List.of(whole), null).get(0);
      for (int cut = 1; cut < ids.length; cut++) {
        TokenizedText head = TokenizedText.ofIds(Arrays.copyOfRange(ids, 0, cut), false);
        TokenizedText tail = TokenizedText.ofIds(Arrays.copyOfRange(ids, cut, ids.length), false);
        float[] state = encoder.encode(List.of(head), null).get(0).finalState();
        assertSame(encoder.encode(List.of(tail), Arrays.asList(state)).get(0), once);
      }
    }
  }

  @Test
  void messagesOfOneBatchKeepTheirOwnStatesAndLengths() throws Exception {
    TokenizedText a = tokens("what a waste of two hours");
    TokenizedText b = tokens("lovely");
    TokenizedText c = tokens("the plot is thin but the acting is superb and the music is gorgeous");
    try (RecurrentEncoder encoder = model.newRecurrentEncoder(8)) {
      float[] stateA = encoder.encode(List.of(c), null).get(0).finalState();
      RecurrentResult aAlone = encoder.encode(List.of(a), Arrays.asList(stateA)).get(0);
      RecurrentResult bAlone = encoder.encode(List.of(b), null).get(0);
      RecurrentResult cAlone = encoder.encode(List.of(c), null).get(0);
      List<RecurrentResult> batch = encoder.encode(List.of(a, b, c), Arrays.asList(stateA, null, null));
      assertSame(batch.get(0), aAlone);
      assertSame(batch.get(1), bAlone);
      assertSame(batch.get(2), cAlone);
    }
  }

  @Test
  void theStateHasTheManifestsSize() throws Exception {
    try (RecurrentEncoder encoder = model.newRecurrentEncoder(1)) {
      ModelManifest.State s = model.manifest().state();
      assertThat(encoder.stateSize()).isEqualTo(s.layers() * s.hiddenSize());
      assertThat(encoder.encode(List.of(tokens("fine")), null).get(0).finalState()).hasSize(encoder.stateSize());
      assertThatThrownBy(() -> encoder.encode(List.of(tokens("fine")), Arrays.asList(new float[3])))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("state of 3 floats");
    }
  }

  @Test
  void onlyRecurrentModelsCarryState() {
    try (OnnxModel attention = OnnxModel.load(ModelDirectory.open("classpath:models/minilm-l6-sentiment3"),
        OnnxModel.RuntimeOptions.cpu(), 128)) {
      assertThatThrownBy(() -> attention.newRecurrentEncoder(1)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("not 'rnn'");
    }
  }

  private static float maxAbsDifference(float[] a, float[] b) {
    float max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
