package io.streamnlp.stream.internals;

import io.streamnlp.stream.DeadLetterHeaders;
import io.streamnlp.text.RejectedInputException;
import io.streamnlp.text.RejectionReason;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A record that cannot be encoded or written: its original value bytes and why.
 *
 * @param errorClass the class of the underlying error, or null when there was none (a validation)
 * @param exception the exception class named in Kafka's {@code __streams.errors.exception} header
 * @param stackTrace the stack trace of the underlying error, or null when there was none
 */
public record DeadLetter(byte[] originalValue, RejectionReason reason, String message, String errorClass,
                         String exception, String stackTrace) {

  /** A record refused by a check, without an underlying error. */
  public static DeadLetter refused(byte[] originalValue, RejectionReason reason, String message) {
    return new DeadLetter(originalValue, reason, message, null, RejectedInputException.class.getName(), null);
  }

  /** A record refused by a check, named by the exception the write or read would have raised. */
  public static DeadLetter refused(byte[] originalValue, RejectionReason reason, String message,
                                   Class<? extends Exception> wouldRaise) {
    return new DeadLetter(originalValue, reason, message, null, wouldRaise.getName(), null);
  }

  /**
   * A record refused because of {@code error}: the error's cause, when it has one, is the underlying error
   * (a {@link RejectedInputException} wraps the parser's exception).
   */
  public static DeadLetter failed(byte[] originalValue, RejectionReason reason, String message, Throwable error) {
    Throwable cause = error instanceof RejectedInputException && error.getCause() != null ? error.getCause()
        : error instanceof RejectedInputException ? null : error;
    return new DeadLetter(originalValue, reason, message, cause == null ? null : cause.getClass().getName(),
        cause == null ? error.getClass().getName() : cause.getClass().getName(),
        cause == null ? null : stackTraceOf(cause));
  }

  private static String stackTraceOf(Throwable t) {
    StringWriter out = new StringWriter();
    try (PrintWriter w = new PrintWriter(out)) {
      t.printStackTrace(w);
    }
    return out.toString();
  }

  /**
   * The original headers (copied, so other readers of the input record do not see them change) plus the
   * error headers, streamnlp's and Kafka's; error headers the input already had from an earlier pass are
   * replaced.
   */
  public Headers headers(Headers original, SourcePosition source, long nowMs) {
    Headers headers = new RecordHeaders();
    if (original != null) {
      for (Header h : original) {
        if (!DeadLetterHeaders.isErrorHeader(h.key())) {
          headers.add(h);
        }
      }
    }
    put(headers, DeadLetterHeaders.REASON, reason.name());
    put(headers, DeadLetterHeaders.MESSAGE, message);
    if (errorClass != null) {
      put(headers, DeadLetterHeaders.EXCEPTION_CLASS, errorClass);
    }
    put(headers, DeadLetterHeaders.TOPIC, source.topic());
    put(headers, DeadLetterHeaders.PARTITION, Integer.toString(source.partition()));
    put(headers, DeadLetterHeaders.OFFSET, Long.toString(source.offset()));
    put(headers, DeadLetterHeaders.TIMESTAMP, Long.toString(source.timestamp()));
    put(headers, DeadLetterHeaders.FAILED_AT, Long.toString(nowMs));
    put(headers, DeadLetterHeaders.KAFKA_EXCEPTION, exception);
    put(headers, DeadLetterHeaders.KAFKA_MESSAGE, message);
    if (stackTrace != null) {
      put(headers, DeadLetterHeaders.KAFKA_STACKTRACE, stackTrace);
    }
    put(headers, DeadLetterHeaders.KAFKA_TOPIC, source.topic());
    put(headers, DeadLetterHeaders.KAFKA_PARTITION, Integer.toString(source.partition()));
    put(headers, DeadLetterHeaders.KAFKA_OFFSET, Long.toString(source.offset()));
    return headers;
  }

  private static void put(Headers headers, String key, String value) {
    headers.add(key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }
}
