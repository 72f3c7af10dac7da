package io.streamnlp.stream.internals;

/**
 * A key's recurrent hidden state as stored: the model it belongs to (a state is meaningless to any other
 * model), how many messages it has absorbed, and when it last changed (wall clock, for idle expiry).
 *
 * @param state {@code layers x hiddenSize} floats, layer-major
 */
public record RnnState(String modelName, String modelVersion, long steps, long updatedMs, float[] state) {
  /**
   * What the store gives for a state it cannot read (damaged, or written by an incompatible version): the key
   * starts over from the zero state. Compared by identity; idle since forever, so sweeps delete it.
   */
  public static final RnnState UNREADABLE = new RnnState("", "", 0, Long.MIN_VALUE, new float[0]);

  public boolean belongsTo(String name, String version) {
    return modelName.equals(name) && modelVersion.equals(version);
  }
}
