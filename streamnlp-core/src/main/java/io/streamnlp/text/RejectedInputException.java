package io.streamnlp.text;

/**
 * An input record that cannot be turned into text or tokens; it belongs on the dead-letter topic. Its class
 * name is what a dead letter's {@code __streams.errors.exception} header names when streamnlp refused the input
 * itself (an empty value, too large, no key) rather than a parser failing on it.
 */
public class RejectedInputException extends Exception {
  /** Why the record was refused. */
  private final RejectionReason reason;

  /**
   * A refusal by a check.
   *
   * @param reason why, as written to the {@code streamnlp.error.reason} header
   * @param message what is wrong with the record and what to fix
   */
  public RejectedInputException(RejectionReason reason, String message) {
    this(reason, message, null);
  }

  /**
   * A refusal because reading the record failed.
   *
   * @param reason why, as written to the {@code streamnlp.error.reason} header
   * @param message what is wrong with the record and what to fix
   * @param cause the parser's or decoder's exception
   */
  public RejectedInputException(RejectionReason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /**
   * Why the record was refused.
   *
   * @return the reason written to the dead letter
   */
  public RejectionReason reason() {
    return reason;
  }
}
