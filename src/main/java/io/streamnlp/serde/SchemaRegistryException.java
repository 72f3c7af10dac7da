package io.streamnlp.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A registry call that failed. {@link #errorCode()} is the Confluent error code from the response body
 * (40401 subject not found, 40403 schema not found, 409 incompatible, ...) or -1 when there was no answer.
 */
public class SchemaRegistryException extends SerializationException {
  private final int status;
  private final int errorCode;

  public SchemaRegistryException(String message, int status, int errorCode, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.errorCode = errorCode;
  }

  public int status() {
    return status;
  }

  public int errorCode() {
    return errorCode;
  }

  /** True when the registry answered that the subject, version or schema does not exist. */
  public boolean isNotFound() {
    return status == 404;
  }
}
