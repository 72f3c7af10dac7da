package io.streamnlp.text;

/** An input record that cannot be turned into text or tokens; it belongs on the dead-letter topic. */
public class RejectedInputException extends Exception {
  private final RejectionReason reason;

  public RejectedInputException(RejectionReason reason, String message) {
    this(reason, message, null);
  }

  public RejectedInputException(RejectionReason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public RejectionReason reason() {
    return reason;
  }
}
