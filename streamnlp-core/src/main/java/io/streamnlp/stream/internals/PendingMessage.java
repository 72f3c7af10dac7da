package io.streamnlp.stream.internals;

import io.streamnlp.text.internals.TokenizedText;
import org.apache.kafka.common.header.Headers;

/**
 * A message waiting in the micro-batch buffer: everything needed to encode it and to write its result or
 * its dead letter later, from a punctuator that has no input record at hand.
 *
 * @param tokenIds     token ids with special tokens
 * @param truncated    whether the text was cut at max.tokens
 * @param arrivalMs    wall-clock time it entered the buffer
 * @param unreadable   null, or why the buffered form could not be read back: then only what could be
 *                     salvaged is set (the original value, or the stored bytes, and the key and source when
 *                     they were readable) and the message goes to the dead-letter topic
 */
public record PendingMessage(byte[] key, byte[] originalValue, SourcePosition source, Headers headers,
                             long[] tokenIds, boolean truncated, long arrivalMs, String unreadable) {

  public PendingMessage(byte[] key, byte[] originalValue, SourcePosition source, Headers headers, long[] tokenIds,
                        boolean truncated, long arrivalMs) {
    this(key, originalValue, source, headers, tokenIds, truncated, arrivalMs, null);
  }

  public boolean isUnreadable() {
    return unreadable != null;
  }

  /**
   * This message cut to {@code maxTokens} as the tokenizer cuts ({@code TokenizedText#fittedTo}): a message
   * buffered before {@code max.tokens} was lowered is encoded, flagged truncated, instead of failing its batch.
   */
  public PendingMessage fittedTo(int maxTokens) {
    if (tokenIds.length <= maxTokens) {
      return this;
    }
    TokenizedText fitted = TokenizedText.ofIds(tokenIds, truncated).fittedTo(maxTokens);
    return new PendingMessage(key, originalValue, source, headers, fitted.ids(), true, arrivalMs, unreadable);
  }
}
