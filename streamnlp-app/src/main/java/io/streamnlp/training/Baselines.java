package io.streamnlp.training;

/**
 * What the same embedding does without a trained head, measured beside it on the same held-out messages: the
 * nearest label centroid of the training messages, and the zero-shot label-name prototypes (each label's name
 * embedded as a sentence, as the prototype head would use it).
 */
public final class Baselines {
  private Baselines() {}

  /** Accuracy of the nearest centroid (cosine) of each label's training embeddings. */
  public static double nearestCentroid(float[][] trainX, int[] trainY, int labels, float[][] x, int[] y) {
    float[][] centroids = new float[labels][trainX[0].length];
    for (int i = 0; i < trainX.length; i++) {
      for (int j = 0; j < trainX[i].length; j++) {
        centroids[trainY[i]][j] += trainX[i][j];
      }
    }
    return nearest(centroids, x, y);
  }

  /** Accuracy of the nearest of the given label embeddings (cosine). */
  public static double nearest(float[][] prototypes, float[][] x, int[] y) {
    float[][] unit = new float[prototypes.length][];
    for (int k = 0; k < prototypes.length; k++) {
      unit[k] = prototypes[k].clone();
      double norm = 0;
      for (float v : unit[k]) {
        norm += v * v;
      }
      float inv = norm == 0 ? 0 : (float) (1 / Math.sqrt(norm));
      for (int j = 0; j < unit[k].length; j++) {
        unit[k][j] *= inv;
      }
    }
    int right = 0;
    for (int i = 0; i < x.length; i++) {
      int best = 0;
      double bestScore = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < unit.length; k++) {
        double s = 0;
        for (int j = 0; j < x[i].length; j++) {
          s += unit[k][j] * x[i][j];
        }
        if (s > bestScore) {
          bestScore = s;
          best = k;
        }
      }
      right += best == y[i] ? 1 : 0;
    }
    return right / (double) x.length;
  }

  /** A label as a sentence to embed: "lost_or_stolen_card" reads as "lost or stolen card". */
  public static String sentence(String label) {
    return label.replace('_', ' ').replace('-', ' ').trim();
  }
}
