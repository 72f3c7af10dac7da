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
 * A class head that is linear in the message's embedding: scores = softmax((W e + b) / T). The 'prototype' head
 * is one (W the labels' prototype embeddings, b = 0), and so is a head trained by {@code streamnlp train}, kept in
 * the model directory as {@code head.json} ({@link File}).
 */
public record LinearHead(float[][] weights, float[] bias, float temperature) {
  /** The value of {@link File#format()} this version reads and writes. */
  public static final String FORMAT = "streamnlp-linear-head/1";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Raw class scores (before the softmax) of a unit-length embedding. */
  float[] logits(float[] embedding) {
    float[] raw = new float[weights.length];
    float inverse = 1f / temperature;
    for (int l = 0; l < weights.length; l++) {
      raw[l] = (Vectors.dot(embedding, weights[l]) + bias[l]) * inverse;
    }
    return raw;
  }

  /**
   * {@code head.json}: the labels in score order, the features the weights apply to ("embedding": the model's
   * L2-normalised sentence embedding), one weight row and one bias per label, the softmax temperature, and where
   * the head came from (free-form, for people).
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

    /** Reads and checks a head file against the model it belongs to. */
    static LinearHead read(InputStream in, String where, List<String> labels, int embeddingDim) {
      File f;
      try (in) {
        f = JSON.readValue(in, File.class);
      } catch (IOException e) {
        throw new ModelLoadException("Cannot read the head " + where + ": " + e.getMessage()
            + ". It must be a head.json as `streamnlp train` writes it.", e);
      }
      check(FORMAT.equals(f.format()), where, "format '" + f.format() + "' is not " + FORMAT);
      check("embedding".equals(f.features()), where, "features '" + f.features() + "' must be 'embedding'");
      check(f.labels().equals(labels), where, "labels " + f.labels() + " differ from the manifest's " + labels);
      check(f.weights().length == labels.size() && f.bias().length == labels.size(), where,
          "there must be one weight row and one bias per label");
      for (float[] row : f.weights()) {
        check(row.length == embeddingDim, where, "a weight row has " + row.length + " values; the embedding has "
            + embeddingDim);
      }
      check(f.temperature() > 0 && Double.isFinite(f.temperature()), where, "temperature must be positive");
      return new LinearHead(f.weights(), f.bias(), (float) f.temperature());
    }

    private static void check(boolean ok, String where, String what) {
      if (!ok) {
        throw new ModelLoadException("Invalid head " + where + ": " + what + ".");
      }
    }
  }
}
