package io.streamnlp.text.internals;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
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
  /** Texts on which the native path must agree with DJL's encode before it is used: case, accents, spaces. */
  private static final String[] PROBES = {"Hello World", "Crème BRÛLÉE, naïve café", " leading space", "ÉTÉ ß"};
  private final HuggingFaceTokenizer tokenizer;
  private final int maxTokens;
  private final boolean nativeIds;
  // isSpecial runs for every token of every explained message: one native decode per distinct id is enough.
  private final Map<Long, Boolean> special = new java.util.concurrent.ConcurrentHashMap<>();

  private HuggingFaceTextTokenizer(HuggingFaceTokenizer tokenizer, int maxTokens) {
    this.tokenizer = tokenizer;
    this.maxTokens = maxTokens;
    this.nativeIds = nativePathAgrees(tokenizer);
  }

  /**
   * Whether ids read straight from the native encoding equal {@code encode}'s: DJL changes a text in Java first
   * when a tokenizer config asks it to (lower case, strip accents, a prefix space), which the native path skips.
   */
  private static boolean nativePathAgrees(HuggingFaceTokenizer tokenizer) {
    for (String probe : PROBES) {
      long encoding = TokenizersLibrary.LIB.encode(tokenizer.getHandle(), probe, true);
      try {
        if (!java.util.Arrays.equals(TokenizersLibrary.LIB.getTokenIds(encoding), tokenizer.encode(probe).getIds())) {
          return false;
        }
      } finally {
        TokenizersLibrary.LIB.deleteEncoding(encoding);
      }
    }
    return true;
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

  /**
   * The token ids of {@code text}, special tokens added, cut at {@code maxTokens}.
   *
   * <p>Written against DJL's JNI binding rather than {@code HuggingFaceTokenizer.encode}, which fetches every part
   * of an encoding from native code (token strings, word ids, type ids, masks, character spans) into Java objects
   * for each message; the stream needs the ids and whether they were cut. The ids are the same
   * ({@code HuggingFaceTextTokenizerTest} checks them against {@code encode} and against the reference
   * tokenizer). A tokenizer whose config makes DJL change texts in Java before encoding (lower case, accents, a
   * prefix space) is detected at load and goes through {@code encode}.
   */
  public TokenizedText tokenize(String text) throws RejectedInputException {
    long[] ids;
    boolean truncated;
    try {
      if (nativeIds) {
        long encoding = TokenizersLibrary.LIB.encode(tokenizer.getHandle(), text, true);
        try {
          ids = TokenizersLibrary.LIB.getTokenIds(encoding);
          truncated = TokenizersLibrary.LIB.getOverflowCount(encoding) > 0;
        } finally {
          TokenizersLibrary.LIB.deleteEncoding(encoding);
        }
      } else {
        var encoding = tokenizer.encode(text);
        ids = encoding.getIds();
        truncated = encoding.exceedMaxLength();
      }
    } catch (RuntimeException e) {
      throw new RejectedInputException(RejectionReason.TOKENIZER_ERROR, "tokenizer failed: " + e.getMessage(), e);
    }
    if (ids.length == 0) {
      throw new RejectedInputException(RejectionReason.TOKENIZER_ERROR, "tokenizer produced no tokens");
    }
    return new TokenizedText(ids, truncated);
  }

  /** The ids as DJL's own {@code encode} gives them, for the tests that check {@link #tokenize} against it. */
  long[] idsByDjlEncode(String text) {
    return tokenizer.encode(text).getIds();
  }

  /** Whether {@link #tokenize} reads ids straight from the native encoding (see {@link #nativePathAgrees}). */
  boolean readsNativeIds() {
    return nativeIds;
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
