package io.streamnlp.model;

import java.util.List;

/**
 * Identity of a loaded model, written into every output record.
 *
 * @param polarity the indices of the positive and negative labels, or null when the model declares none
 */
public record ModelInfo(String name, String version, String kind, List<String> labels, int embeddingDim,
                        PolarLabels polarity) {

  public ModelInfo(String name, String version, String kind, List<String> labels, int embeddingDim) {
    this(name, version, kind, labels, embeddingDim, null);
  }

  /** The positive and the negative label, by index. */
  public record PolarLabels(int positive, int negative) {

    static PolarLabels of(ModelManifest m) {
      return m.polarity() == null ? null
          : new PolarLabels(m.labels().indexOf(m.polarity().positive()), m.labels().indexOf(m.polarity().negative()));
    }

    /** p(positive) - p(negative), in [-1, 1] for probabilities. */
    public float of(float[] scores) {
      return scores[positive] - scores[negative];
    }

    /** The same for mean probabilities. */
    public double of(double[] meanScores) {
      return meanScores[positive] - meanScores[negative];
    }
  }
}
