package io.streamnlp.model.internals;

/** A model call that failed for a batch. */
public class EncodingException extends Exception {
  public EncodingException(String message, Throwable cause) {
    super(message, cause);
  }
}
