package io.streamnlp.stream;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Headers of a dead-letter record, modelled on Kafka Connect's {@code __connect.errors.*} headers: the
 * value is the original bytes untouched, so the record can be inspected and re-driven.
 */
public final class DeadLetterHeaders {
  public static final String PREFIX = "streamnlp.error.";
  public static final String REASON = PREFIX + "reason";
  public static final String MESSAGE = PREFIX + "message";
  public static final String EXCEPTION_CLASS = PREFIX + "exception.class";
  public static final String TOPIC = PREFIX + "topic";
  public static final String PARTITION = PREFIX + "partition";
  public static final String OFFSET = PREFIX + "offset";
  public static final String TIMESTAMP = PREFIX + "timestamp";
  public static final String FAILED_AT = PREFIX + "failed.at";

  private DeadLetterHeaders() {}

  /**
   * The original headers (copied, so other readers of the input record do not see them change) plus the
   * error headers; any error headers the input already had from an earlier pass are replaced.
   */
  public static Headers of(Headers original, DeadLetter letter, SourcePosition source, long nowMs) {
    Headers headers = new RecordHeaders(original == null ? new org.apache.kafka.common.header.Header[0]
        : original.toArray());
    for (String key : new String[] {REASON, MESSAGE, EXCEPTION_CLASS, TOPIC, PARTITION, OFFSET, TIMESTAMP,
        FAILED_AT}) {
      headers.remove(key);
    }
    put(headers, REASON, letter.reason().name());
    put(headers, MESSAGE, letter.message());
    if (letter.errorClass() != null) {
      put(headers, EXCEPTION_CLASS, letter.errorClass());
    }
    put(headers, TOPIC, source.topic());
    put(headers, PARTITION, Integer.toString(source.partition()));
    put(headers, OFFSET, Long.toString(source.offset()));
    put(headers, TIMESTAMP, Long.toString(source.timestamp()));
    put(headers, FAILED_AT, Long.toString(nowMs));
    return headers;
  }

  private static void put(Headers headers, String key, String value) {
    headers.add(key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }
}
