package io.streamnlp;

import io.streamnlp.avro.TextEncoding;
import java.nio.charset.StandardCharsets;

/** Reading the fields of a decoded result, for assertions. */
public final class ResultFields {
  private ResultFields() {}

  /** The result's key as UTF-8 text. */
  public static String key(TextEncoding e) {
    return StandardCharsets.UTF_8.decode(e.getKey().duplicate()).toString();
  }

  public static float[] embedding(TextEncoding e) {
    float[] v = new float[e.getEmbedding().size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = e.getEmbedding().get(i);
    }
    return v;
  }
}
