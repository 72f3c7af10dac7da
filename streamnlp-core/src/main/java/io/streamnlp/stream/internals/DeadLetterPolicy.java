package io.streamnlp.stream.internals;

import io.streamnlp.stream.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Keeps every dead letter small enough for a dead-letter topic created with the broker's defaults: an original
 * key or value larger than {@code maxValueBytes} is cut to that many bytes, with its full size and SHA-256 in
 * headers so the original can still be found (by topic, partition and offset) and recognised; the original
 * headers are copied while they fit in {@code maxHeaderBytes}; the error headers are always kept, each cut to
 * {@value #MAX_ERROR_HEADER_BYTES} bytes.
 *
 * @param topic the dead-letter topic
 */
public record DeadLetterPolicy(String topic, int maxValueBytes, int maxHeaderBytes) {
  static final int MAX_ERROR_HEADER_BYTES = 4096;
  static final int MINIMAL_KEY_BYTES = 1024;
  private static final String VALUE_TRUNCATED = DeadLetterHeaders.VALUE_TRUNCATED;
  private static final String VALUE_SIZE = DeadLetterHeaders.VALUE_SIZE;
  private static final String VALUE_SHA256 = DeadLetterHeaders.VALUE_SHA256;
  private static final String KEY_TRUNCATED = DeadLetterHeaders.KEY_TRUNCATED;
  private static final String KEY_SIZE = DeadLetterHeaders.KEY_SIZE;
  private static final String KEY_SHA256 = DeadLetterHeaders.KEY_SHA256;
  private static final String HEADERS_DROPPED = DeadLetterHeaders.HEADERS_DROPPED;

  /** A dead letter as it is written: key, value and headers. */
  public record Letter(byte[] key, byte[] value, Headers headers) {}

  /** The dead letter of {@code key}/{@code value}, whose {@code headers} hold the error headers already. */
  public Letter bound(byte[] key, byte[] value, Headers headers) {
    return bound(key, value, headers, maxValueBytes, maxValueBytes, maxHeaderBytes);
  }

  /**
   * The smallest dead letter that still says what happened: the error headers and the size and hash of the
   * key and value, without the value's bytes or the original headers (a key is kept up to
   * {@value #MINIMAL_KEY_BYTES} bytes). Written when even a bounded letter does not fit its topic, and for
   * results the broker would reject.
   */
  public Letter minimal(byte[] key, byte[] value, Headers headers) {
    return bound(key, value, headers, MINIMAL_KEY_BYTES, 0, 0);
  }

  private static Letter bound(byte[] key, byte[] value, Headers headers, int maxKeyBytes, int maxValueBytes,
                              int maxHeaderBytes) {
    // Error headers first, so that a reader of the letter finds them before the user's own.
    Headers ordered = new RecordHeaders();
    List<Header> userHeaders = new ArrayList<>();
    int copied = 0;
    int dropped = 0;
    for (Header h : headers == null ? new Header[0] : headers.toArray()) {
      if (DeadLetterHeaders.isErrorHeader(h.key())) {
        ordered.add(h.key(), h.value() == null || h.value().length <= MAX_ERROR_HEADER_BYTES ? h.value()
            : Arrays.copyOf(h.value(), MAX_ERROR_HEADER_BYTES));
        continue;
      }
      int size = h.key().getBytes(StandardCharsets.UTF_8).length + (h.value() == null ? 0 : h.value().length);
      if (copied + size <= maxHeaderBytes) {
        userHeaders.add(h);
        copied += size;
      } else {
        dropped++;
      }
    }
    if (dropped > 0) {
      ordered.add(HEADERS_DROPPED, utf8(Integer.toString(dropped)));
    }
    byte[] keptKey = cut(key, maxKeyBytes, ordered, KEY_TRUNCATED, KEY_SIZE, KEY_SHA256);
    byte[] keptValue = cut(value, maxValueBytes, ordered, VALUE_TRUNCATED, VALUE_SIZE, VALUE_SHA256);
    userHeaders.forEach(ordered::add);
    return new Letter(keptKey, keptValue, ordered);
  }

  private static byte[] cut(byte[] bytes, int max, Headers headers, String truncated, String size, String sha) {
    if (bytes == null || bytes.length <= max) {
      return bytes;
    }
    headers.add(truncated, utf8("true"));
    headers.add(size, utf8(Integer.toString(bytes.length)));
    headers.add(sha, utf8(sha256(bytes)));
    return max == 0 ? null : Arrays.copyOf(bytes, max);
  }

  /** Lower-case hex SHA-256, as {@code sha256sum} prints it. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
