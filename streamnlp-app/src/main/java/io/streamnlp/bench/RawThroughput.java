package io.streamnlp.bench;

import io.streamnlp.bench.BenchResults.RawPoint;
import io.streamnlp.model.internals.OnnxModel;
import io.streamnlp.model.internals.TextEncoder;
import io.streamnlp.text.internals.TokenizedText;
import java.util.ArrayList;
import java.util.List;

/** The ceiling: messages/s of a model called directly through ONNX Runtime, no Kafka, no serdes, no store. */
public final class RawThroughput {
  private RawThroughput() {}

  /**
   * The ceiling of {@code model} on {@code texts} at each of {@code batches}, one point per batch size.
   *
   * @param encoder  the encoder setting the model stands for ("rnn", "attention"), for the points
   * @param messages what the texts are ("short", "long"), for the points
   */
  public static List<RawPoint> measure(String encoder, OnnxModel model, String messages, List<String> texts,
                                       int[] batches, double seconds) throws Exception {
    return measure(encoder, model, messages, texts, batches, seconds, true);
  }

  /** As {@link #measure(String, OnnxModel, String, List, int[], double)}, choosing length grouping. */
  public static List<RawPoint> measure(String encoder, OnnxModel model, String messages, List<String> texts,
                                       int[] batches, double seconds, boolean groupByLength) throws Exception {
    List<TokenizedText> tokenized = BenchTexts.tokenized(model.tokenizer(), texts);
    double tokens = tokenized.stream().mapToInt(TokenizedText::length).average().orElse(0);
    List<RawPoint> points = new ArrayList<>(batches.length);
    for (int b : batches) {
      try (TextEncoder enc = model.newEncoder(b, groupByLength)) {
        points.add(new RawPoint(encoder, messages, tokens, b, messagesPerSecond(enc, tokenized, b, seconds)));
      }
    }
    return points;
  }

  /**
   * @param encoder  an encoder taking batches of at least {@code batch}
   * @param messages the messages, cycled through in order
   */
  public static double messagesPerSecond(TextEncoder encoder, List<TokenizedText> messages, int batch,
                                         double seconds) throws Exception {
    return Timing.messagesPerSecond(seconds, batch, (from, n) -> {
      List<TokenizedText> call = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        call.add(messages.get((from + i) % messages.size()));
      }
      encoder.encode(call);
    });
  }
}
