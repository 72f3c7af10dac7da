package io.streamnlp.stream;

/**
 * The headers of a dead letter: the record's original key and value (cut to {@code dlq.max.value.bytes}) with
 * its original headers, plus two sets of error headers, so it can be inspected and re-driven.
 *
 * <ul>
 *   <li>streamnlp's own, {@value #PREFIX}*: the {@link io.streamnlp.text.RejectionReason reason}, a message
 *       that says what to fix, where the input was read, and the bounds applied to the letter;</li>
 *   <li>Kafka Streams' own (KIP-1034, as its exception handlers write them to
 *       {@code errors.dead.letter.queue.topic.name}), {@value #KAFKA_PREFIX}*: exception class, message, stack
 *       trace where there is one, source topic, partition and offset; so a topic that collects both Kafka's and
 *       streamnlp's dead letters holds them in one shape.</li>
 * </ul>
 * All values are UTF-8 text.
 */
public final class DeadLetterHeaders {
  /** Prefix of streamnlp's error headers. */
  public static final String PREFIX = "streamnlp.error.";
  /** Why the record was dead-lettered: the name of a {@link io.streamnlp.text.RejectionReason}. */
  public static final String REASON = PREFIX + "reason";
  /** What went wrong and what to fix, in words. */
  public static final String MESSAGE = PREFIX + "message";
  /** The class of the underlying error (a parser's, ONNX Runtime's), when there was one. */
  public static final String EXCEPTION_CLASS = PREFIX + "exception.class";
  /** The input topic the record was read from ("" when Kafka Streams does not know it). */
  public static final String TOPIC = PREFIX + "topic";
  /** The input partition (-1 when unknown). */
  public static final String PARTITION = PREFIX + "partition";
  /** The input offset (-1 when unknown). */
  public static final String OFFSET = PREFIX + "offset";
  /** The input record's timestamp, epoch milliseconds. */
  public static final String TIMESTAMP = PREFIX + "timestamp";
  /** When the record was dead-lettered, epoch milliseconds (wall clock). */
  public static final String FAILED_AT = PREFIX + "failed.at";
  /** For reason OUTPUT_REJECTED: the topic that would have refused the result. */
  public static final String OUTPUT_TOPIC = PREFIX + "output.topic";
  /** "true" when the letter's value is the first {@code dlq.max.value.bytes} of the original only. */
  public static final String VALUE_TRUNCATED = PREFIX + "value.truncated";
  /** With {@link #VALUE_TRUNCATED}: the original value's size in bytes. */
  public static final String VALUE_SIZE = PREFIX + "value.size";
  /** With {@link #VALUE_TRUNCATED}: the original value's SHA-256, lower-case hex as {@code sha256sum} prints it. */
  public static final String VALUE_SHA256 = PREFIX + "value.sha256";
  /** "true" when the letter's key is cut. */
  public static final String KEY_TRUNCATED = PREFIX + "key.truncated";
  /** With {@link #KEY_TRUNCATED}: the original key's size in bytes. */
  public static final String KEY_SIZE = PREFIX + "key.size";
  /** With {@link #KEY_TRUNCATED}: the original key's SHA-256, lower-case hex. */
  public static final String KEY_SHA256 = PREFIX + "key.sha256";
  /** How many of the original headers were left out to keep the letter within {@code dlq.max.headers.bytes}. */
  public static final String HEADERS_DROPPED = PREFIX + "headers.dropped";

  /** Prefix of Kafka Streams' error headers (KIP-1034). */
  public static final String KAFKA_PREFIX = "__streams.errors.";
  /**
   * Kafka's header for the exception class that dead-lettered the record: for streamnlp's letters the error
   * behind it (a parser's or ONNX Runtime's), {@code io.streamnlp.text.RejectedInputException} for input
   * streamnlp refuses, Kafka's {@code RecordTooLargeException} or {@code InvalidRecordException} for a result
   * its topic would refuse, {@code SerializationException} for stored state that cannot be read.
   */
  public static final String KAFKA_EXCEPTION = KAFKA_PREFIX + "exception";
  /** Kafka's header for the exception message (streamnlp writes the same text as {@link #MESSAGE}). */
  public static final String KAFKA_MESSAGE = KAFKA_PREFIX + "message";
  /** Kafka's header for the stack trace, written when an exception was thrown (cut to 4 KB). */
  public static final String KAFKA_STACKTRACE = KAFKA_PREFIX + "stacktrace";
  /** Kafka's header for the source topic. */
  public static final String KAFKA_TOPIC = KAFKA_PREFIX + "topic";
  /** Kafka's header for the source partition. */
  public static final String KAFKA_PARTITION = KAFKA_PREFIX + "partition";
  /** Kafka's header for the source offset. */
  public static final String KAFKA_OFFSET = KAFKA_PREFIX + "offset";

  private DeadLetterHeaders() {}

  /**
   * Whether a header is an error header (streamnlp's or Kafka's) rather than one of the original record's.
   *
   * @param key a header key
   * @return true for keys starting with {@link #PREFIX} or {@link #KAFKA_PREFIX}
   */
  public static boolean isErrorHeader(String key) {
    return key.startsWith(PREFIX) || key.startsWith(KAFKA_PREFIX);
  }
}
