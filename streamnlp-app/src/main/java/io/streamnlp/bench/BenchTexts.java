package io.streamnlp.bench;

import io.streamnlp.text.RejectedInputException;
import io.streamnlp.text.internals.HuggingFaceTextTokenizer;
import io.streamnlp.text.internals.TokenizedText;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** The messages the benchmarks encode: everyday short sentences, and messages built to a token length. */
public final class BenchTexts {
  /** Short messages of several kinds. */
  public static final List<String> SENTENCES = List.of("the plot is thin but the cast is great",
      "i loved the music", "what a waste of time", "not bad at all",
      "the support team fixed it in minutes, thank you", "still waiting for my refund", "a warm and funny film",
      "boring", "the delivery came two days early and everything was in perfect shape",
      "i have asked three times and nobody answers my emails", "the new update made the app much faster",
      "the battery dies before lunch every single day");

  private BenchTexts() {}

  public static List<TokenizedText> tokenized(HuggingFaceTextTokenizer tokenizer, List<String> texts)
      throws RejectedInputException {
    List<TokenizedText> out = new ArrayList<>(texts.size());
    for (String t : texts) {
      out.add(tokenizer.tokenize(t));
    }
    return out;
  }

  /**
   * {@code count} different messages of {@code tokens} tokens (special tokens included; one or two fewer when
   * the next word would overshoot), each a run of words from {@link #SENTENCES} starting at a different place
   * drawn from {@code seed} (places repeat only past the number of words, about a hundred).
   */
  public static List<String> ofTokens(HuggingFaceTextTokenizer tokenizer, int tokens, int count, long seed)
      throws RejectedInputException {
    List<String> words = new ArrayList<>();
    for (String s : SENTENCES) {
      words.addAll(List.of((s + " .").split(" ")));
    }
    List<Integer> starts = new ArrayList<>();
    for (int i = 0; i < words.size(); i++) {
      starts.add(i);
    }
    Collections.shuffle(starts, new Random(seed));
    List<String> messages = new ArrayList<>(count);
    for (int m = 0; m < count; m++) {
      StringBuilder text = new StringBuilder();
      int next = starts.get(m % starts.size());
      int length = 0;
      while (true) {
        int before = text.length();
        text.append(before == 0 ? "" : " ").append(words.get(next++ % words.size()));
        int now = tokenizer.tokenize(text.toString()).length();
        if (now > tokens || now == length && now >= tokenizer.maxTokens()) { // overshoot, or the tokenizer cuts
          text.setLength(before);
          break;
        }
        length = now;
      }
      messages.add(text.toString());
    }
    return messages;
  }

  /**
   * {@code count} messages of mixed lengths, spread evenly from {@code minTokens} to {@code maxTokens} and
   * shuffled (seeded), as real message streams are: what length-aware batching is for.
   */
  public static List<String> mixed(HuggingFaceTextTokenizer tokenizer, int minTokens, int maxTokens, int count,
                                   long seed) throws RejectedInputException {
    List<String> messages = new ArrayList<>(count);
    for (int m = 0; m < count; m++) {
      int tokens = minTokens + (int) Math.round((maxTokens - minTokens) * (m / (double) Math.max(1, count - 1)));
      messages.add(ofTokens(tokenizer, tokens, 1, seed + m).get(0));
    }
    Collections.shuffle(messages, new Random(seed));
    return messages;
  }

  /** Mean token count of {@code texts}, special tokens included. */
  public static double meanTokens(HuggingFaceTextTokenizer tokenizer, List<String> texts)
      throws RejectedInputException {
    return tokenized(tokenizer, texts).stream().mapToInt(TokenizedText::length).average().orElse(0);
  }
}
