package io.streamnlp.model;

import java.util.List;

/**
 * What a loaded model is: its name, version and kind as written into every output record, and the labels its
 * scores are over.
 *
 * @param name the model's name from its manifest, e.g. {@code minilm-l6-sentiment3}
 * @param version the model's version from its manifest
 * @param kind {@code attention} or {@code rnn}
 * @param labels the class labels, in the order of the scores
 * @param embeddingDim the length of the embedding, 0 for a model without one
 * @param polarity the indices of the positive and negative labels, or null when the model declares none
 */
public record ModelInfo(String name, String version, String kind, List<String> labels, int embeddingDim,
                        PolarLabels polarity) {

  /**
   * The positive and the negative label, by index into {@link ModelInfo#labels()}.
   *
   * @param positive index of the positive label
   * @param negative index of the negative label
   */
  public record PolarLabels(int positive, int negative) {

    /**
     * The polarity of one result.
     *
     * @param scores class probabilities, in label order
     * @return p(positive) - p(negative), in [-1, 1]
     */
    public float of(float[] scores) {
      return scores[positive] - scores[negative];
    }

    /**
     * The polarity of mean probabilities (polarity is linear in the scores).
     *
     * @param meanScores mean class probabilities, in label order
     * @return mean p(positive) - mean p(negative)
     */
    public double of(double[] meanScores) {
      return meanScores[positive] - meanScores[negative];
    }
  }
}
