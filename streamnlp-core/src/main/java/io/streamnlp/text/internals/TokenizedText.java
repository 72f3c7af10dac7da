package io.streamnlp.text.internals;

import java.util.Arrays;

/**
 * A tokenized message: token ids with the special tokens the model expects, the character span of each
 * token in the original text (-1 for special tokens; both arrays null when the offsets are not known) and
 * whether the text was cut at the token limit. The attention mask is all ones over {@link #length()} tokens;
 * padding is added only when batching.
 */
public record TokenizedText(long[] ids, int[] charStarts, int[] charEnds, boolean truncated) {

  public TokenizedText {
    if ((charStarts == null) != (charEnds == null)
        || (charStarts != null && (ids.length != charStarts.length || ids.length != charEnds.length))) {
      throw new IllegalArgumentException("ids and offsets differ in length");
    }
  }

  /**
   * Tokens from ids alone, as restored from the batch buffer, which does not keep offsets. Allocates no
   * offset arrays: this runs for every message of every batch.
   */
  public static TokenizedText ofIds(long[] ids, boolean truncated) {
    return new TokenizedText(ids, null, null, truncated);
  }

  public int length() {
    return ids.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenizedText t && t.truncated == truncated && Arrays.equals(t.ids, ids)
        && Arrays.equals(t.charStarts, charStarts) && Arrays.equals(t.charEnds, charEnds);
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
