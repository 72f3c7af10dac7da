package io.streamnlp.model.internals;

import io.streamnlp.text.internals.TokenizedText;
import java.util.List;

/**
 * An attention encoder that can read a message together with earlier tokens of its key: the context is
 * attended to, but the embedding and the tag describe the message alone.
 */
public interface ContextualEncoder extends TextEncoder {

  /** Whether the model can keep context apart from the message (it has a pooling mask input). */
  boolean takesContext();

  /**
   * @param contexts per message, the context's token ids without special tokens (null or empty for none);
   *     context + message + 1 separator must fit the model's max tokens
   */
  List<EncoderResult> encode(List<TokenizedText> batch, List<long[]> contexts) throws EncodingException;

  /**
   * Where token {@code j} of a message sits in the model input: with context the input is [CLS] context [SEP]
   * message-without-its-[CLS], so the message's [CLS] is the input's first token.
   */
  static int messagePosition(int j, int contextLength) {
    return contextLength == 0 || j == 0 ? j : contextLength + 1 + j;
  }
}
