package io.streamnlp.evaluation;

import io.streamnlp.model.internals.EncoderResult;
import io.streamnlp.model.internals.EncodingException;
import io.streamnlp.model.internals.OnnxModel;
import io.streamnlp.model.internals.TextEncoder;
import io.streamnlp.text.RejectedInputException;
import io.streamnlp.text.internals.TokenizedText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Whether a model's {@code embedding} output still measures meaning: on sentence pairs with a gold similarity
 * score (STS Benchmark style), the Spearman and Pearson correlations between the gold scores and the cosine
 * similarity of the two sentences' embeddings. Correlations are computed here (a few lines each) rather than
 * with a statistics library the project would carry for nothing else.
 */
public final class SimilarityEvaluation {
  private SimilarityEvaluation() {}

  /** A sentence pair and its gold similarity. */
  public record ScoredPair(double gold, String first, String second) {}

  public record Result(int pairs, double spearman, double pearson) {}

  /**
   * Reads {@code score<TAB>sentence1<TAB>sentence2} lines (STS Benchmark's format); a first line whose score
   * is not a number is a header.
   */
  public static List<ScoredPair> read(Path file) throws IOException {
    List<ScoredPair> pairs = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t", -1);
      if (f.length < 3) {
        throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected score<TAB>sentence1<TAB>"
            + "sentence2, found " + f.length + " field(s)");
      }
      double gold;
      try {
        gold = Double.parseDouble(f[0].trim());
      } catch (NumberFormatException e) {
        if (i == 0) {
          continue;
        }
        throw new IllegalArgumentException(file + " line " + (i + 1) + ": '" + f[0] + "' is not a score", e);
      }
      pairs.add(new ScoredPair(gold, f[1], f[2]));
    }
    if (pairs.size() < 2) {
      throw new IllegalArgumentException(file + " holds fewer than 2 scored pairs");
    }
    return pairs;
  }

  /** Embeds both sentences of every pair in batches of {@code batchSize} and correlates their cosines. */
  public static Result evaluate(OnnxModel model, List<ScoredPair> pairs, int batchSize) throws EncodingException {
    if (model.manifest().embeddingDim() == 0) {
      throw new IllegalArgumentException("model " + model.manifest().name() + " has no embedding output (logits "
          + "only), so there is no similarity to evaluate");
    }
    List<TokenizedText> tokens = new ArrayList<>(2 * pairs.size());
    for (ScoredPair p : pairs) {
      tokens.add(tokenize(model, p.first()));
      tokens.add(tokenize(model, p.second()));
    }
    List<float[]> embeddings = new ArrayList<>(tokens.size());
    try (TextEncoder encoder = model.newEncoder(batchSize)) {
      for (int start = 0; start < tokens.size(); start += batchSize) {
        for (EncoderResult r : encoder.encode(tokens.subList(start, Math.min(tokens.size(), start + batchSize)))) {
          embeddings.add(r.embedding());
        }
      }
    }
    double[] gold = new double[pairs.size()];
    double[] cosine = new double[pairs.size()];
    for (int i = 0; i < pairs.size(); i++) {
      gold[i] = pairs.get(i).gold();
      cosine[i] = cosine(embeddings.get(2 * i), embeddings.get(2 * i + 1));
    }
    return new Result(pairs.size(), spearman(gold, cosine), pearson(gold, cosine));
  }

  private static TokenizedText tokenize(OnnxModel model, String text) {
    try {
      return model.tokenizer().tokenize(text);
    } catch (RejectedInputException e) {
      throw new IllegalArgumentException("cannot tokenize '" + text + "': " + e.getMessage(), e);
    }
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
  }

  /** Pearson's correlation coefficient. */
  public static double pearson(double[] x, double[] y) {
    double mx = Arrays.stream(x).average().orElse(0);
    double my = Arrays.stream(y).average().orElse(0);
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < x.length; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    return sxx == 0 || syy == 0 ? 0 : sxy / Math.sqrt(sxx * syy);
  }

  /** Spearman's rank correlation: Pearson's of the ranks, tied values sharing their mean rank. */
  public static double spearman(double[] x, double[] y) {
    return pearson(ranks(x), ranks(y));
  }

  static double[] ranks(double[] v) {
    Integer[] order = new Integer[v.length];
    for (int i = 0; i < v.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
    double[] ranks = new double[v.length];
    for (int i = 0; i < v.length; ) {
      int j = i;
      while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) {
        j++;
      }
      double mean = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        ranks[order[k]] = mean;
      }
      i = j + 1;
    }
    return ranks;
  }
}
