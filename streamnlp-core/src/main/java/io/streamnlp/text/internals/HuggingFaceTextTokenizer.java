package io.streamnlp.text.internals;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import io.streamnlp.text.RejectedInputException;
import io.streamnlp.text.RejectionReason;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} (WordPiece, BPE, Unigram...) run by the Rust {@code tokenizers}
 * library through DJL's JNI binding, whose native code ships inside its Maven jar, so nothing is
 * downloaded. Thread-safe: the native tokenizer is immutable once loaded.
 */
public final class HuggingFaceTextTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;
  private final int maxTokens;
  // isSpecial runs for every token of every explained message: one native decode per distinct id is enough.
  private final Map<Long, Boolean> special = new java.util.concurrent.ConcurrentHashMap<>();

  private HuggingFaceTextTokenizer(HuggingFaceTokenizer tokenizer, int maxTokens) {
    this.tokenizer = tokenizer;
    this.maxTokens = maxTokens;
  }

  /**
   * Loads a tokenizer.json. Padding in the file is switched off (batches are padded by the encoder to
   * their own longest message) and truncation is set to {@code maxTokens}.
   */
  public static HuggingFaceTextTokenizer load(InputStream tokenizerJson, int maxTokens) throws IOException {
    Map<String, String> options = Map.of(
        "addSpecialTokens", "true",
        "padding", "false",
        "truncation", "true",
        "maxLength", Integer.toString(maxTokens));
    return new HuggingFaceTextTokenizer(HuggingFaceTokenizer.newInstance(tokenizerJson, options), maxTokens);
  }

  public int maxTokens() {
    return maxTokens;
  }

  public TokenizedText tokenize(String text) throws RejectedInputException {
    Encoding enc;
    try {
      enc = tokenizer.encode(text);
    } catch (RuntimeException e) {
      throw new RejectedInputException(RejectionReason.TOKENIZER_ERROR, "tokenizer failed: " + e.getMessage(), e);
    }
    long[] ids = enc.getIds();
    if (ids.length == 0) {
      throw new RejectedInputException(RejectionReason.TOKENIZER_ERROR, "tokenizer produced no tokens");
    }
    CharSpan[] spans = enc.getCharTokenSpans();
    int[] starts = new int[ids.length];
    int[] ends = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      CharSpan span = i < spans.length ? spans[i] : null;
      starts[i] = span == null ? -1 : span.getStart();
      ends[i] = span == null ? -1 : span.getEnd();
    }
    return new TokenizedText(ids, starts, ends, enc.exceedMaxLength());
  }

  /** The token strings of {@code text}, for tests and explanations. */
  public String[] tokens(String text) {
    return tokenizer.encode(text).getTokens();
  }

  /** The token an id stands for, as the vocabulary writes it ("superb", "##ing", "[SEP]"). */
  public String token(long id) {
    return tokenizer.decode(new long[] {id}, false);
  }

  /**
   * The id that closes a message ([SEP] for BERT tokenizers): what the tokenizer appends to an empty text,
   * used to separate a message from the context before it.
   */
  public long separatorId() {
    long[] ids = tokenizer.encode("").getIds();
    if (ids.length == 0) {
      throw new IllegalStateException("this tokenizer adds no special tokens, so it has no separator");
    }
    return ids[ids.length - 1];
  }

  /** Whether an id is a special token ([CLS], [SEP], [PAD] ...), which carries no text of the message. */
  public boolean isSpecial(long id) {
    return special.computeIfAbsent(id, i -> tokenizer.decode(new long[] {i}, true).isEmpty());
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
