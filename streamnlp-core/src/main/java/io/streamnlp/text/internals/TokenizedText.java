package io.streamnlp.text.internals;

import java.util.Arrays;

/**
 * A tokenized message: token ids with the special tokens the model expects, and whether the text was cut at the
 * token limit. The attention mask is all ones over {@link #length()} tokens; padding is added only when batching.
 * No character offsets: nothing in the stream reads them, and fetching them from the native tokenizer for every
 * message was work on the hot path.
 */
public record TokenizedText(long[] ids, boolean truncated) {

  /** Tokens from ids, as restored from the batch buffer. */
  public static TokenizedText ofIds(long[] ids, boolean truncated) {
    return new TokenizedText(ids, truncated);
  }

  public int length() {
    return ids.length;
  }

  /**
   * The message cut to at most {@code maxTokens} tokens as the tokenizer cuts it (the first tokens and the one
   * that closes the message): for a message buffered under a larger {@code max.tokens} than the model now runs
   * with, which would otherwise fail its batch on every replay.
   */
  public TokenizedText fittedTo(int maxTokens) {
    if (ids.length <= maxTokens) {
      return this;
    }
    long[] cut = Arrays.copyOf(ids, maxTokens);
    cut[maxTokens - 1] = ids[ids.length - 1];
    return new TokenizedText(cut, true);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenizedText t && t.truncated == truncated && Arrays.equals(t.ids, ids);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(ids) + Boolean.hashCode(truncated);
  }

  @Override
  public String toString() {
    return "TokenizedText" + Arrays.toString(ids) + (truncated ? " (truncated)" : "");
  }
}
