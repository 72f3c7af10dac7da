package io.streamnlp.bench;

import io.streamnlp.model.TextEncoder;
import io.streamnlp.text.TokenizedText;
import java.util.ArrayList;
import java.util.List;

/** The ceiling: messages/s of a model called directly through ONNX Runtime, no Kafka, no serdes, no store. */
public final class RawThroughput {
  private RawThroughput() {}

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
