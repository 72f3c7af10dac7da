package io.streamnlp.model.internals;

/**
 * What an encoder makes of one message: class probabilities (in label order), a unit-length embedding, and,
 * when asked for, how much attention each token received (null otherwise).
 *
 * @param tokenWeights per token of the message (its own ids, in order): the last layer's attention to it,
 *     averaged over heads and over the message's tokens as queries
 * @param contextWeights the same for each token of the context the message was encoded with, or null; with
 *     {@code tokenWeights} (and the separator between them) it sums to 1
 */
public record EncoderResult(int labelIndex, float[] scores, float[] embedding, float[] tokenWeights,
                            float[] contextWeights) {

  public static EncoderResult of(float[] scores, float[] embedding) {
    return of(scores, embedding, null, null);
  }

  public static EncoderResult of(float[] scores, float[] embedding, float[] tokenWeights, float[] contextWeights) {
    int best = 0;
    for (int i = 1; i < scores.length; i++) {
      if (scores[i] > scores[best]) {
        best = i;
      }
    }
    return new EncoderResult(best, scores, embedding, tokenWeights, contextWeights);
  }
}
