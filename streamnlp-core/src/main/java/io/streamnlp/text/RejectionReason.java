package io.streamnlp.text;

/**
 * Why a record was sent to the dead-letter topic. The name is written to the {@code streamnlp.error.reason}
 * header so consumers of the dead-letter topic can filter or re-drive records by cause.
 */
public enum RejectionReason {
  /** encoder=rnn with rnn.null.key=dead-letter: the record has no key, and state is kept per key. */
  NULL_KEY,
  /** The record's value is null (a tombstone). */
  NULL_VALUE,
  /** The record's value is empty, or its text field is blank. */
  EMPTY_VALUE,
  /** The value exceeds input.max.bytes, or the record would not fit the micro-batch buffer's changelog. */
  TOO_LARGE,
  /** The value (or its text field) is not valid UTF-8. */
  INVALID_UTF8,
  /** input.format=json: the value is not a JSON object. */
  MALFORMED_JSON,
  /** input.format=avro: the value is not Confluent wire-format Avro, or its schema cannot be had. */
  MALFORMED_AVRO,
  /** input.format=json or avro: the configured text field is absent or not a string. */
  MISSING_FIELD,
  /** The tokenizer failed on the text. */
  TOKENIZER_ERROR,
  /** The model failed on the message, also when encoded on its own. */
  MODEL_ERROR,
  /** A result or summary the broker would never accept (too large, or keyless on a compacted topic). */
  OUTPUT_REJECTED,
  /** A buffered message whose stored form could not be read back (damaged, or written by another version). */
  STATE_UNREADABLE
}
