package io.streamnlp.stream;

import org.apache.kafka.common.header.Headers;

/**
 * A message waiting in the micro-batch buffer: everything needed to encode it and to write its result or
 * its dead letter later, from a punctuator that has no input record at hand.
 *
 * @param tokenIds     token ids with special tokens
 * @param truncated    whether the text was cut at max.tokens
 * @param arrivalMs    wall-clock time it entered the buffer
 */
public record PendingMessage(byte[] key, byte[] originalValue, SourcePosition source, Headers headers,
                             long[] tokenIds, boolean truncated, long arrivalMs) {}
