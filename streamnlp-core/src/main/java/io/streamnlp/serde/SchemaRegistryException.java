package io.streamnlp.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A registry call that failed. {@link #errorCode()} is the Confluent error code from the response body
 * (40401 subject not found, 40403 schema not found, 409 incompatible, ...) or -1 when there was no answer.
 */
public class SchemaRegistryException extends SerializationException {
  /** The HTTP status, or -1 when there was no answer. */
  private final int status;
  /** The Confluent error code, or -1. */
  private final int errorCode;

  /**
   * A failed call.
   *
   * @param message what failed, with the registry's own message
   * @param status the HTTP status, or -1 when there was no answer
   * @param errorCode the Confluent error code, or -1
   * @param cause the I/O error, or null
   */
  public SchemaRegistryException(String message, int status, int errorCode, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.errorCode = errorCode;
  }

  /**
   * The HTTP status of the registry's answer.
   *
   * @return the status, or -1 when there was no answer
   */
  public int status() {
    return status;
  }

  /**
   * The Confluent error code of the registry's answer.
   *
   * @return the code (40401, 40403, 409, ...), or -1
   */
  public int errorCode() {
    return errorCode;
  }

  /**
   * Whether the registry answered that the subject, version or schema does not exist.
   *
   * @return true for HTTP 404
   */
  public boolean isNotFound() {
    return status == 404;
  }
}
