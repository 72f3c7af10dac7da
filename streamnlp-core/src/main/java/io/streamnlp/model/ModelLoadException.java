package io.streamnlp.model;

/**
 * A model directory that cannot be used: missing files, a corrupt .onnx, a manifest that does not match
 * the model. Thrown at start-up; the message says what to fix.
 */
public class ModelLoadException extends RuntimeException {
  /**
   * A model that cannot be used.
   *
   * @param message which file, and what to fix
   */
  public ModelLoadException(String message) {
    super(message);
  }

  /**
   * A model that cannot be used, because of {@code cause}.
   *
   * @param message which file, and what to fix
   * @param cause the underlying error (I/O, ONNX Runtime)
   */
  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
