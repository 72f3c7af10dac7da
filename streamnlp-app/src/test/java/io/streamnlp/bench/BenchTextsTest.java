package io.streamnlp.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnlp.model.internals.ModelDirectory;
import io.streamnlp.text.internals.HuggingFaceTextTokenizer;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchTextsTest {
  @Test
  void messagesAreBuiltToTheirTokenLengthFromTheSeed() throws Exception {
    ModelDirectory dir = ModelDirectory.open("classpath:models/gru-sentiment3");
    try (InputStream json = dir.openTokenizer();
         HuggingFaceTextTokenizer tokenizer = HuggingFaceTextTokenizer.load(json, 256)) {
      for (int tokens : new int[] {16, 128}) {
        List<String> texts = BenchTexts.ofTokens(tokenizer, tokens, 20, 7);
        assertThat(texts).hasSize(20).doesNotHaveDuplicates();
        for (String t : texts) {
          assertThat(tokenizer.tokenize(t).length()).as(t).isBetween(tokens - 3, tokens);
        }
        assertThat(BenchTexts.ofTokens(tokenizer, tokens, 20, 7)).isEqualTo(texts);
        assertThat(BenchTexts.ofTokens(tokenizer, tokens, 20, 8)).isNotEqualTo(texts);
      }
    }
  }

  @Test
  void percentilesAreNearestRank() {
    double[] v = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};
    assertThat(Timing.percentile(v.clone(), 50)).isEqualTo(5);
    assertThat(Timing.percentile(v.clone(), 95)).isEqualTo(10);
    assertThat(Timing.percentile(v.clone(), 10)).isEqualTo(1);
    assertThat(Timing.percentile(new double[0], 50)).isNaN();
  }
}
