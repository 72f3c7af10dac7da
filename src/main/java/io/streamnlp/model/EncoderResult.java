package io.streamnlp.model;

/**
 * What an encoder makes of one message: class probabilities (in label order), a unit-length embedding, and,
 * when asked for, how much attention each of the message's tokens received (null otherwise).
 *
 * @param tokenWeights per token position of the message: the last layer's attention to it, averaged over
 *     heads and over the message's tokens as queries; sums to 1 over the message's tokens
 */
public record EncoderResult(int labelIndex, float[] scores, float[] embedding, float[] tokenWeights) {

  public static EncoderResult of(float[] scores, float[] embedding) {
    return of(scores, embedding, null);
  }

  public static EncoderResult of(float[] scores, float[] embedding, float[] tokenWeights) {
    int best = 0;
    for (int i = 1; i < scores.length; i++) {
      if (scores[i] > scores[best]) {
        best = i;
      }
    }
    return new EncoderResult(best, scores, embedding, tokenWeights);
  }
}
