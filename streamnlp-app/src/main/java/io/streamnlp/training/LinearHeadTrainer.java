package io.streamnlp.training;

import de.bwaldvogel.liblinear.Feature;
import de.bwaldvogel.liblinear.FeatureNode;
import de.bwaldvogel.liblinear.Linear;
import de.bwaldvogel.liblinear.Model;
import de.bwaldvogel.liblinear.Parameter;
import de.bwaldvogel.liblinear.Problem;
import de.bwaldvogel.liblinear.SolverType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Trains a linear head on frozen embeddings: one L2-regularised logistic regression per label against the rest,
 * solved by LIBLINEAR's dual coordinate descent (the Java port, {@code de.bwaldvogel:liblinear}), the labels'
 * problems in parallel, each with its own seeded random order so that a run is reproducible. The raw scores
 * {@code w·e + b} of all labels go through one softmax with a temperature fitted on held-out messages
 * ({@link #fitTemperature}), so the scores are calibrated probabilities over the labels.
 */
public final class LinearHeadTrainer {
  /** LIBLINEAR's stopping tolerance for the dual solver (its own default). */
  private static final double EPS = 0.1;

  /** Weights and biases of a head, one row per label; no temperature yet. */
  public record Weights(float[][] w, float[] b) {
    /** Raw scores (before softmax) of one embedding. */
    public float[] logits(float[] x) {
      float[] z = new float[w.length];
      for (int k = 0; k < w.length; k++) {
        float s = b[k];
        float[] row = w[k];
        for (int j = 0; j < x.length; j++) {
          s += row[j] * x[j];
        }
        z[k] = s;
      }
      return z;
    }

    /** The label with the highest raw score. */
    public int predict(float[] x) {
      float[] z = logits(x);
      int best = 0;
      for (int k = 1; k < z.length; k++) {
        if (z[k] > z[best]) {
          best = k;
        }
      }
      return best;
    }
  }

  private final int threads;
  private final long seed;

  /** @param threads labels trained at once; {@code seed} orders each label's coordinate descent */
  public LinearHeadTrainer(int threads, long seed) {
    this.threads = Math.max(1, threads);
    this.seed = seed;
    Linear.disableDebugOutput(); // it prints every label's iterations to standard output
  }

  /**
   * @param x unit-length embeddings, one row per message
   * @param y each message's label index, 0 to {@code labels - 1}
   * @param c the inverse of the regularisation strength (LIBLINEAR's C)
   * @param balanced weight each label's messages by n / (labels x its count), so rare labels count as much
   */
  public Weights fit(float[][] x, int[] y, int labels, double c, boolean balanced) {
    Feature[][] features = features(x);
    int[] counts = new int[labels];
    for (int label : y) {
      counts[label]++;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "streamnlp-train");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<float[]>> rows = new ArrayList<>(labels);
      for (int k = 0; k < labels; k++) {
        int label = k;
        double positiveWeight = balanced ? (double) y.length / ((double) labels * counts[label]) : 1.0;
        rows.add(pool.submit(() -> binary(features, y, label, c, positiveWeight, x[0].length)));
      }
      float[][] w = new float[labels][];
      float[] b = new float[labels];
      for (int k = 0; k < labels; k++) {
        float[] row = rows.get(k).get();
        w[k] = java.util.Arrays.copyOf(row, row.length - 1);
        b[k] = row[row.length - 1];
      }
      return new Weights(w, b);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while training", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("training failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /** One label against the rest: its weights over the features, then the bias. */
  private float[] binary(Feature[][] features, int[] y, int label, double c, double positiveWeight, int dim) {
    Problem p = new Problem();
    p.l = features.length;
    p.n = dim + 1;
    p.x = features;
    p.bias = 1;
    p.y = new double[y.length];
    for (int i = 0; i < y.length; i++) {
      p.y[i] = y[i] == label ? 1 : -1;
    }
    Parameter param = new Parameter(SolverType.L2R_LR_DUAL, c, EPS);
    param.setRandom(new Random(seed * 1_000_003L + label));
    param.setWeights(new double[] {positiveWeight, 1.0}, new int[] {1, -1});
    Model model = Linear.train(p, param);
    double[] w = model.getFeatureWeights();
    // LIBLINEAR keeps one weight vector for two classes, that of the label it met first.
    double sign = model.getLabels()[0] == 1 ? 1 : -1;
    float[] row = new float[dim + 1];
    for (int j = 0; j <= dim; j++) {
      row[j] = (float) (sign * w[j]);
    }
    return row;
  }

  /** LIBLINEAR's sparse rows, dense here, with the constant bias feature last. */
  private static Feature[][] features(float[][] x) {
    Feature[][] f = new Feature[x.length][];
    for (int i = 0; i < x.length; i++) {
      f[i] = new Feature[x[i].length + 1];
      for (int j = 0; j < x[i].length; j++) {
        f[i][j] = new FeatureNode(j + 1, x[i][j]);
      }
      f[i][x[i].length] = new FeatureNode(x[i].length + 1, 1.0);
    }
    return f;
  }

  /** Share of {@code x} the head labels as {@code y}. */
  public static double accuracy(Weights weights, float[][] x, int[] y) {
    int right = 0;
    for (int i = 0; i < x.length; i++) {
      if (weights.predict(x[i]) == y[i]) {
        right++;
      }
    }
    return x.length == 0 ? Double.NaN : right / (double) x.length;
  }

  /**
   * The softmax temperature that minimises the negative log-likelihood of {@code y} (temperature scaling, Guo et
   * al., 2017): searched on a log scale from 0.01 to 100 by golden section, the likelihood being unimodal in it.
   */
  public static double fitTemperature(Weights weights, float[][] x, int[] y) {
    float[][] logits = new float[x.length][];
    for (int i = 0; i < x.length; i++) {
      logits[i] = weights.logits(x[i]);
    }
    double lo = Math.log(0.01);
    double hi = Math.log(100);
    double g = (Math.sqrt(5) - 1) / 2;
    double a = hi - g * (hi - lo);
    double b = lo + g * (hi - lo);
    double fa = nll(logits, y, Math.exp(a));
    double fb = nll(logits, y, Math.exp(b));
    for (int iter = 0; iter < 60; iter++) {
      if (fa < fb) {
        hi = b;
        b = a;
        fb = fa;
        a = hi - g * (hi - lo);
        fa = nll(logits, y, Math.exp(a));
      } else {
        lo = a;
        a = b;
        fa = fb;
        b = lo + g * (hi - lo);
        fb = nll(logits, y, Math.exp(b));
      }
    }
    return Math.exp((lo + hi) / 2);
  }

  /** Mean negative log-likelihood of the labels under softmax(logits / t). */
  static double nll(float[][] logits, int[] y, double t) {
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (float z : logits[i]) {
        max = Math.max(max, z / t);
      }
      double norm = 0;
      for (float z : logits[i]) {
        norm += Math.exp(z / t - max);
      }
      sum += Math.log(norm) + max - logits[i][y[i]] / t;
    }
    return sum / logits.length;
  }
}
