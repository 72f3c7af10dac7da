package io.streamnlp.text.internals;

import io.streamnlp.text.RejectedInputException;
import io.streamnlp.text.RejectionReason;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 decoding: {@code new String(bytes, UTF_8)} would silently replace bad bytes with U+FFFD. */
public final class Utf8 {
  private Utf8() {}

  static String decodeStrict(byte[] bytes) throws RejectedInputException {
    try {
      return decode(bytes);
    } catch (CharacterCodingException e) {
      throw new RejectedInputException(RejectionReason.INVALID_UTF8,
          "value is not valid UTF-8: " + e.getMessage(), e);
    }
  }

  /** The text, or null when the bytes are not valid UTF-8. */
  public static String decodeOrNull(byte[] bytes) {
    try {
      return decode(bytes);
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static String decode(byte[] bytes) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes)).toString();
  }
}
