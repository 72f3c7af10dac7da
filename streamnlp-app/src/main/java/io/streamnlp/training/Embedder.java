package io.streamnlp.training;

import io.streamnlp.model.internals.EncodingException;
import io.streamnlp.model.internals.OnnxModel;
import io.streamnlp.model.internals.TextEncoder;
import io.streamnlp.text.RejectedInputException;
import io.streamnlp.text.internals.TokenizedText;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Embeds texts with the base model exactly as the stream does (its tokenizer, its encoder, batches grouped by
 * length), showing a progress bar with the time left; keeps the base's own class probabilities beside each
 * embedding, a head may read them too. A message the tokenizer refuses (empty text) is named by its line.
 */
public final class Embedder {
  /** Per message, its unit-length embedding and the base model's own class probabilities. */
  public record Embedded(float[][] embeddings, float[][] baseScores) {}

  private static final long REDRAW_NANOS = 500_000_000L;
  private final OnnxModel model;
  private final int batchSize;
  private final PrintWriter progress;

  public Embedder(OnnxModel model, int batchSize, PrintWriter progress) {
    this.model = model;
    this.batchSize = batchSize;
    this.progress = progress;
  }

  /**
   * @param what how the progress line names these texts ("training messages")
   * @return one unit-length embedding (and the base's scores) per text, in order
   * @throws IllegalArgumentException naming the first text that cannot be tokenized
   */
  public Embedded embed(List<String> texts, String what) throws EncodingException {
    float[][] out = new float[texts.size()][];
    float[][] scores = new float[texts.size()][];
    long start = System.nanoTime();
    long drawn = 0;
    try (TextEncoder encoder = model.newEncoder(batchSize)) {
      for (int from = 0; from < texts.size(); from += batchSize) {
        int to = Math.min(texts.size(), from + batchSize);
        List<TokenizedText> batch = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
          try {
            batch.add(model.tokenizer().tokenize(texts.get(i)));
          } catch (RejectedInputException e) {
            throw new IllegalArgumentException(what + ": message " + (i + 1) + " cannot be read (" + e.getMessage()
                + "); remove it or give it a text");
          }
        }
        var results = encoder.encode(batch);
        for (int i = 0; i < results.size(); i++) {
          out[from + i] = results.get(i).embedding();
          scores[from + i] = results.get(i).scores();
        }
        long now = System.nanoTime();
        if (now - drawn > REDRAW_NANOS || to == texts.size()) {
          draw(what, to, texts.size(), (now - start) / 1e9);
          drawn = now;
        }
      }
    }
    progress.println();
    progress.flush();
    return new Embedded(out, scores);
  }

  private void draw(String what, int done, int total, double seconds) {
    int width = 30;
    int filled = (int) ((long) width * done / total);
    double rate = done / Math.max(seconds, 1e-9);
    String left = done == total ? String.format(Locale.ROOT, "done in %.0f s", seconds)
        : String.format(Locale.ROOT, "about %.0f s left", (total - done) / rate);
    progress.printf(Locale.ROOT, "\r  embedding %s [%s%s] %,d/%,d  %.0f msg/s  %s   ", what, "#".repeat(filled),
        ".".repeat(width - filled), done, total, rate, left);
    progress.flush();
  }
}
