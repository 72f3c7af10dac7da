package io.streamnlp.text.internals;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Checks the tokenizer against ids made by an independent implementation (Hugging Face's JavaScript
 * tokenizers, see src/test/resources/tokenizer/make-reference.mjs) for the same tokenizer.json, and the native
 * path it reads ids from against DJL's own {@code encode}.
 */
class HuggingFaceTextTokenizerTest {
  private static final String TOKENIZER = "all-minilm-l6-v2-tokenizer.json";

  private static HuggingFaceTextTokenizer load(int maxTokens) throws Exception {
    try (InputStream in = HuggingFaceTextTokenizerTest.class.getClassLoader().getResourceAsStream(TOKENIZER)) {
      return HuggingFaceTextTokenizer.load(in, maxTokens);
    }
  }

  private static JsonNode reference() throws Exception {
    try (InputStream in = HuggingFaceTextTokenizerTest.class.getResourceAsStream("/tokenizer/reference-ids.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  private static long[] ids(JsonNode sentence) {
    List<Long> ids = new ArrayList<>();
    sentence.path("ids").forEach(n -> ids.add(n.asLong()));
    return ids.stream().mapToLong(Long::longValue).toArray();
  }

  @Test
  void producesTheReferenceIdsForEverySentence() throws Exception {
    JsonNode sentences = reference().path("sentences");
    assertThat(sentences.size()).isGreaterThanOrEqualTo(10);
    try (HuggingFaceTextTokenizer tokenizer = load(128)) {
      for (JsonNode s : sentences) {
        TokenizedText t = tokenizer.tokenize(s.path("text").asText());
        assertThat(t.ids()).as(s.path("text").asText()).containsExactly(ids(s));
        assertThat(t.truncated()).isFalse();
      }
    }
  }

  @Test
  void truncatesAtMaxTokensKeepingTheSeparatorAndFlagsIt() throws Exception {
    JsonNode longest = null;
    for (JsonNode s : reference().path("sentences")) {
      if (longest == null || s.path("ids").size() > longest.path("ids").size()) {
        longest = s;
      }
    }
    long[] full = ids(longest);
    try (HuggingFaceTextTokenizer tokenizer = load(16)) {
      TokenizedText t = tokenizer.tokenize(longest.path("text").asText());
      long[] expected = Arrays.copyOf(Arrays.copyOf(full, 15), 16);
      expected[15] = full[full.length - 1];
      assertThat(t.ids()).containsExactly(expected);
      assertThat(t.truncated()).isTrue();
    }
  }

  @Test
  void readsTheSameIdsFromTheNativeEncodingAsDjlsEncodeAndPadsNothing() throws Exception {
    try (HuggingFaceTextTokenizer tokenizer = load(128)) {
      assertThat(tokenizer.readsNativeIds()).as("the shipped tokenizer changes no text in Java").isTrue();
      for (JsonNode s : reference().path("sentences")) {
        String text = s.path("text").asText();
        assertThat(tokenizer.tokenize(text).ids()).as(text).containsExactly(tokenizer.idsByDjlEncode(text));
      }
      assertThat(tokenizer.tokenize("Hello, world!").length()).isEqualTo(6);
    }
  }

  @Test
  void aMessageCutForASmallerLimitKeepsItsClosingTokenAsTheTokenizerDoes() throws Exception {
    try (HuggingFaceTextTokenizer wide = load(128); HuggingFaceTextTokenizer narrow = load(8)) {
      String text = "the quick brown fox jumps over the lazy dog again and again";
      TokenizedText buffered = wide.tokenize(text);
      assertThat(buffered.length()).isGreaterThan(8);
      assertThat(buffered.fittedTo(8)).isEqualTo(narrow.tokenize(text));
      assertThat(buffered.fittedTo(8).truncated()).isTrue();
      assertThat(buffered.fittedTo(128)).isSameAs(buffered);
    }
  }
}
