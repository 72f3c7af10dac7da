package io.streamnlp.text.internals;

import io.streamnlp.text.RejectedInputException;
import io.streamnlp.text.RejectionReason;
/**
 * The checks every input value passes before any format-specific parsing: present, not empty, not larger
 * than the configured limit. Huge values are rejected before they are parsed, so one bad producer cannot
 * exhaust a stream thread's memory.
 */
public final class InputGuard implements TextExtractor {
  private final TextExtractor delegate;
  private final int maxBytes;

  public InputGuard(TextExtractor delegate, int maxBytes) {
    this.delegate = delegate;
    this.maxBytes = maxBytes;
  }

  @Override
  public String extract(String topic, byte[] value) throws RejectedInputException {
    if (value == null) {
      throw new RejectedInputException(RejectionReason.NULL_VALUE, "value is null");
    }
    if (value.length == 0) {
      throw new RejectedInputException(RejectionReason.EMPTY_VALUE, "value is empty");
    }
    if (value.length > maxBytes) {
      throw new RejectedInputException(RejectionReason.TOO_LARGE,
          "value has " + value.length + " bytes, more than input.max.bytes=" + maxBytes);
    }
    String text = delegate.extract(topic, value);
    if (text == null || text.isBlank()) {
      throw new RejectedInputException(RejectionReason.EMPTY_VALUE, "text is empty or blank");
    }
    return text;
  }
}
