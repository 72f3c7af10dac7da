package io.streamnlp.text.internals;

import io.streamnlp.text.RejectedInputException;
/**
 * Turns the raw bytes of an input record's value into the text to encode. Implementations are stateless
 * apart from caches and may be shared by stream threads.
 */
public interface TextExtractor {

  /**
   * @param topic the topic the value was read from (for schema lookups)
   * @param value the raw value bytes, possibly null
   * @return the text, never null or blank
   * @throws RejectedInputException when the value holds no usable text
   */
  String extract(String topic, byte[] value) throws RejectedInputException;
}
