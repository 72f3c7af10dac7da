package io.streamnlp.model.internals;

/**
 * Turns a model's output for one message into class probabilities, as the manifest's head says: softmax of
 * the logits, or softmax of the cosine similarity to each label's prototype divided by the temperature.
 */
final class ClassScorer {
  private final int labels;
  private final float[][] prototypes;
  private final float inverseTemperature;

  ClassScorer(ModelManifest manifest, float[][] prototypes) {
    this.labels = manifest.labels().size();
    this.prototypes = prototypes;
    Double t = manifest.head().temperature();
    this.inverseTemperature = (float) (1.0 / (t == null ? 1.0 : t));
  }

  /**
   * @param logits the model's logits for the message, or null when the model has none
   * @param embedding the message's unit-length embedding
   */
  float[] scores(float[] logits, float[] embedding) {
    float[] raw = new float[labels];
    if (logits != null) {
      System.arraycopy(logits, 0, raw, 0, labels);
    } else if (prototypes != null) {
      for (int l = 0; l < labels; l++) {
        raw[l] = Vectors.dot(embedding, prototypes[l]) * inverseTemperature;
      }
    }
    return Vectors.softmax(raw);
  }
}
