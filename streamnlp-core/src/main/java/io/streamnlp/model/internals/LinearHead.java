package io.streamnlp.model.internals;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamnlp.model.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * A class head that is linear in the message's features: scores = softmax((W x + b) / T), x the embedding, or the
 * embedding followed by the class probabilities of the model's own tag ({@link #WITH_BASE_SCORES}). The
 * 'prototype' head is one (W the labels' prototype embeddings, b = 0), and so is a head trained by
 * {@code streamnlp train}, kept in the model directory as {@code head.json} ({@link File}).
 *
 * @param withBaseScores whether x ends with the softmax of the model's logits output
 */
public record LinearHead(float[][] weights, float[] bias, float temperature, boolean withBaseScores) {
  /** The value of {@link File#format()} this version reads and writes. */
  public static final String FORMAT = "streamnlp-linear-head/1";
  /** {@link File#features()} of a head on the embedding alone. */
  public static final String EMBEDDING = "embedding";
  /** {@link File#features()} of a head on the embedding and the model's own class probabilities. */
  public static final String WITH_BASE_SCORES = "embedding+base-scores";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * Raw class scores (before the softmax).
   *
   * @param embedding the message's unit-length embedding
   * @param baseLogits the model's own logits, read when {@link #withBaseScores()}
   */
  float[] logits(float[] embedding, float[] baseLogits) {
    float[] base = withBaseScores ? Vectors.softmax(baseLogits) : null;
    float[] raw = new float[weights.length];
    float inverse = 1f / temperature;
    for (int l = 0; l < weights.length; l++) {
      float s = Vectors.dot(embedding, weights[l]) + bias[l];
      if (base != null) {
        for (int j = 0; j < base.length; j++) {
          s += weights[l][embedding.length + j] * base[j];
        }
      }
      raw[l] = s * inverse;
    }
    return raw;
  }

  /**
   * {@code head.json}: the labels in score order, the features the weights apply to ("embedding": the model's
   * L2-normalised sentence embedding; "embedding+base-scores": that, then the softmax of the model's own logits),
   * one weight row and one bias per label, and the softmax temperature.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record File(@JsonProperty(value = "format", required = true) String format,
                     @JsonProperty(value = "features", required = true) String features,
                     @JsonProperty(value = "labels", required = true) List<String> labels,
                     @JsonProperty(value = "temperature", required = true) double temperature,
                     @JsonProperty(value = "weights", required = true) float[][] weights,
                     @JsonProperty(value = "bias", required = true) float[] bias) {

    public void write(OutputStream out) throws IOException {
      JSON.writeValue(out, this);
    }

    /**
     * Reads and checks a head file against the model it belongs to.
     *
     * @param logitsWidth how many logits the model's own tag gives, 0 when it has none
     */
    static LinearHead read(InputStream in, String where, List<String> labels, int embeddingDim, int logitsWidth) {
      File f;
      try (in) {
        f = JSON.readValue(in, File.class);
      } catch (IOException e) {
        throw new ModelLoadException("Cannot read the head " + where + ": " + e.getMessage()
            + ". It must be a head.json as `streamnlp train` writes it.", e);
      }
      check(FORMAT.equals(f.format()), where, "format '" + f.format() + "' is not " + FORMAT);
      boolean withBase = WITH_BASE_SCORES.equals(f.features());
      check(withBase || EMBEDDING.equals(f.features()), where, "features '" + f.features() + "' must be '"
          + EMBEDDING + "' or '" + WITH_BASE_SCORES + "'");
      check(!withBase || logitsWidth > 0, where, "features '" + WITH_BASE_SCORES + "' need the model's logits output "
          + "(outputs.logits in the manifest)");
      int width = embeddingDim + (withBase ? logitsWidth : 0);
      check(f.labels().equals(labels), where, "labels " + f.labels() + " differ from the manifest's " + labels);
      check(f.weights().length == labels.size() && f.bias().length == labels.size(), where,
          "there must be one weight row and one bias per label");
      for (float[] row : f.weights()) {
        check(row.length == width, where, "a weight row has " + row.length + " values; its features have "
            + width);
      }
      check(f.temperature() > 0 && Double.isFinite(f.temperature()), where, "temperature must be positive");
      return new LinearHead(f.weights(), f.bias(), (float) f.temperature(), withBase);
    }

    private static void check(boolean ok, String where, String what) {
      if (!ok) {
        throw new ModelLoadException("Invalid head " + where + ": " + what + ".");
      }
    }
  }
}
