package io.streamnlp.model.internals;

import io.streamnlp.model.ModelInfo;
import io.streamnlp.text.internals.TokenizedText;
import java.util.List;

/**
 * Encodes a batch of tokenized messages in one model call. An instance holds reusable input and output
 * buffers, so it belongs to one thread (one stream task); the model behind it is shared.
 */
public interface TextEncoder extends AutoCloseable {

  ModelInfo info();

  /** The largest batch {@link #encode} accepts. */
  int maxBatchSize();

  /** The longest message {@link #encode} accepts, in tokens (the configured {@code max.tokens}). */
  int maxTokens();

  /**
   * @param batch at most {@link #maxBatchSize()} messages, each at most the model's max tokens long
   * @return one result per message, in the same order
   * @throws EncodingException when the model call fails
   */
  List<EncoderResult> encode(List<TokenizedText> batch) throws EncodingException;

  @Override
  default void close() {}
}
