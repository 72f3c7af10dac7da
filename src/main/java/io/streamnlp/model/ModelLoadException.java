package io.streamnlp.model;

/**
 * A model directory that cannot be used: missing files, a corrupt .onnx, a manifest that does not match
 * the model. Thrown at start-up; the message says what to fix.
 */
public class ModelLoadException extends RuntimeException {
  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
