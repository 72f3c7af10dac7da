package io.streamnlp.model;

/** What an encoder makes of one message: class probabilities (in label order) and a unit-length embedding. */
public record EncoderResult(int labelIndex, float[] scores, float[] embedding) {

  public static EncoderResult of(float[] scores, float[] embedding) {
    int best = 0;
    for (int i = 1; i < scores.length; i++) {
      if (scores[i] > scores[best]) {
        best = i;
      }
    }
    return new EncoderResult(best, scores, embedding);
  }
}
