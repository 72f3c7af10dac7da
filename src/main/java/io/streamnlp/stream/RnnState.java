package io.streamnlp.stream;

/**
 * A key's recurrent hidden state as stored: the model it belongs to (a state is meaningless to any other
 * model), how many messages it has absorbed, and when it last changed (wall clock, for idle expiry).
 *
 * @param state {@code layers x hiddenSize} floats, layer-major
 */
public record RnnState(String modelName, String modelVersion, long steps, long updatedMs, float[] state) {

  public boolean belongsTo(String name, String version) {
    return modelName.equals(name) && modelVersion.equals(version);
  }
}
