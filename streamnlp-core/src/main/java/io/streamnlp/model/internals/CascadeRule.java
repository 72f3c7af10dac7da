package io.streamnlp.model.internals;

/**
 * When the cascade's second model re-reads a message, and what the two readings make together. The first model
 * (the rnn) reads every message; a message whose top score is below {@code threshold} is re-read by the second
 * (the attention model), and its scores are then the second model's ({@link Combine#ATTENTION}) or the mean of
 * both ({@link Combine#AVERAGE}). The stream and {@code evaluate} apply this one rule, so the figures measured
 * offline are the stream's.
 *
 * @param threshold a message whose first reading's top score is below it is re-read; 0 re-reads none, above 1 all
 * @param combine how a re-read message's scores are made
 */
public record CascadeRule(double threshold, Combine combine) {
  /** How a re-read message's scores are made. */
  public enum Combine {
    /** The attention model's scores alone. */
    ATTENTION,
    /** The mean of both models' scores, label by label. */
    AVERAGE
  }

  public CascadeRule {
    if (!(threshold >= 0)) {
      throw new IllegalArgumentException("threshold must be 0 or more, not " + threshold);
    }
    java.util.Objects.requireNonNull(combine, "combine");
  }

  /** Whether a message the first model scored so is re-read. */
  public boolean rereads(float[] firstScores) {
    float top = Float.NEGATIVE_INFINITY;
    for (float s : firstScores) {
      top = Math.max(top, s);
    }
    return top < threshold;
  }

  /** The scores of a re-read message, from both readings (same labels, same order). */
  public float[] combine(float[] firstScores, float[] secondScores) {
    if (combine == Combine.ATTENTION) {
      return secondScores;
    }
    float[] mean = new float[firstScores.length];
    for (int i = 0; i < mean.length; i++) {
      mean[i] = (firstScores[i] + secondScores[i]) / 2;
    }
    return mean;
  }

  /**
   * The result of a re-read message: the combined scores and their top label, the second reading's attention
   * weights (it is the one that can explain), and the first reading's embedding, so every message of a cascade
   * carries an embedding of one model and one width.
   */
  public EncoderResult reread(EncoderResult first, EncoderResult second) {
    return EncoderResult.of(combine(first.scores(), second.scores()), first.embedding(), second.tokenWeights(),
        second.contextWeights());
  }
}
