package io.streamnlp.text;

/**
 * Why a record was sent to the dead-letter topic. The name is written to the {@code streamnlp.error.reason}
 * header so consumers of the dead-letter topic can filter or re-drive records by cause.
 */
public enum RejectionReason {
  NULL_KEY,
  NULL_VALUE,
  EMPTY_VALUE,
  TOO_LARGE,
  INVALID_UTF8,
  MALFORMED_JSON,
  MALFORMED_AVRO,
  MISSING_FIELD,
  TOKENIZER_ERROR,
  MODEL_ERROR,
  /** A result or summary the broker would never accept (too large, or keyless on a compacted topic). */
  OUTPUT_REJECTED,
  /** A buffered message whose stored form could not be read back (damaged, or written by another version). */
  STATE_UNREADABLE
}
