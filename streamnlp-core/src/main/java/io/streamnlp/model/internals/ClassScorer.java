package io.streamnlp.model.internals;

/**
 * Turns a model's output for one message into class probabilities, as the manifest's head says: softmax of
 * the logits, or of a {@link LinearHead} on the embedding (the prototype head: cosine similarity to each label's
 * prototype over the temperature; a trained head: its weights, bias and temperature).
 */
final class ClassScorer {
  private final int labels;
  private final LinearHead head;

  /** @param head the linear head, or null for a model whose logits are the scores */
  ClassScorer(ModelManifest manifest, LinearHead head) {
    this.labels = manifest.labels().size();
    this.head = head;
  }

  /**
   * @param logits the model's logits for the message, or null when the model has none
   * @param embedding the message's unit-length embedding
   */
  float[] scores(float[] logits, float[] embedding) {
    float[] raw;
    if (head != null) {
      raw = head.logits(embedding, logits);
    } else {
      raw = new float[labels];
      if (logits != null) {
        System.arraycopy(logits, 0, raw, 0, labels);
      }
    }
    return Vectors.softmax(raw);
  }
}
