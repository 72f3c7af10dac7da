package io.streamnlp.bench;

import io.streamnlp.bench.BenchResults.CostPoint;
import io.streamnlp.model.internals.ContextualEncoder;
import io.streamnlp.model.internals.OnnxModel;
import io.streamnlp.model.internals.RecurrentEncoder;
import io.streamnlp.model.internals.RecurrentResult;
import io.streamnlp.stream.internals.RnnState;
import io.streamnlp.stream.internals.RnnStateSerde;
import io.streamnlp.text.internals.TokenizedText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * What one message costs as its key's past grows: for the RNN, the history its state summarises; for
 * attention, the window of earlier tokens it reads. Both at batch 1 and batched, best of a few rounds.
 */
public final class CostCurves {
  private final int rounds;
  private final int messages;

  /**
   * @param rounds   timed rounds per figure (the best is kept), after a warm-up round
   * @param messages messages per round
   */
  public CostCurves(int rounds, int messages) {
    this.rounds = rounds;
    this.messages = messages;
  }

  /**
   * ms per message of the model call plus the state's store round trip (deserialize, serialize), for keys that
   * have already seen each of {@code histories} messages.
   */
  public List<CostPoint> rnnHistory(OnnxModel model, int[] histories, int batch, Consumer<CostPoint> each)
      throws Exception {
    List<CostPoint> points = new ArrayList<>();
    List<TokenizedText> texts = BenchTexts.tokenized(model.tokenizer(), BenchTexts.SENTENCES);
    try (RecurrentEncoder single = model.newRecurrentEncoder(1);
         RecurrentEncoder batched = model.newRecurrentEncoder(batch)) {
      float[] state = null;
      int seen = 0;
      for (int history : histories) {
        for (; seen < history; seen++) {
          state = single.encode(List.of(texts.get(seen % texts.size())), Arrays.asList(state)).get(0).finalState();
        }
        CostPoint p = new CostPoint(history, rnn(model, single, texts, state, 1),
            rnn(model, batched, texts, state, batch), batch);
        points.add(p);
        each.accept(p);
      }
    }
    return points;
  }

  /** Every message continues from a copy of {@code state}, as keys with that much history would. */
  private double rnn(OnnxModel model, RecurrentEncoder encoder, List<TokenizedText> texts, float[] state, int size)
      throws Exception {
    RnnStateSerde serde = new RnnStateSerde();
    Serializer<RnnState> write = serde.serializer();
    Deserializer<RnnState> read = serde.deserializer();
    String name = model.info().name();
    String version = model.info().version();
    byte[] stored = write.serialize("", new RnnState(name, version, 1, 0, state));
    return Timing.bestMsPerMessage(rounds, messages, size, (from, n) -> {
      List<TokenizedText> call = new ArrayList<>(n);
      List<float[]> states = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        call.add(texts.get((from + i) % texts.size()));
        states.add(read.deserialize("", stored).state());
      }
      for (RecurrentResult r : encoder.encode(call, states)) {
        write.serialize("", new RnnState(name, version, 2, 0, r.finalState()));
      }
    });
  }

  /** ms per message when every message is read after a context of exactly each of {@code windows} tokens. */
  public List<CostPoint> attentionWindow(OnnxModel model, int[] windows, int batch, Consumer<CostPoint> each)
      throws Exception {
    List<CostPoint> points = new ArrayList<>();
    List<TokenizedText> texts = BenchTexts.tokenized(model.tokenizer(), BenchTexts.SENTENCES);
    // Context made of real text: the messages' own tokens, repeated, without special tokens.
    List<Long> pool = new ArrayList<>();
    for (TokenizedText t : texts) {
      for (int i = 1; i < t.length() - 1; i++) {
        pool.add(t.ids()[i]);
      }
    }
    try (ContextualEncoder single = model.newContextualEncoder(1, false);
         ContextualEncoder batched = model.newContextualEncoder(batch, false)) {
      for (int window : windows) {
        long[] context = new long[window];
        for (int i = 0; i < window; i++) {
          context[i] = pool.get(i % pool.size());
        }
        CostPoint p = new CostPoint(window, attention(single, texts, context, 1),
            attention(batched, texts, context, batch), batch);
        points.add(p);
        each.accept(p);
      }
    }
    return points;
  }

  private double attention(ContextualEncoder encoder, List<TokenizedText> texts, long[] context, int size)
      throws Exception {
    return Timing.bestMsPerMessage(rounds, messages, size, (from, n) -> {
      List<TokenizedText> call = new ArrayList<>(n);
      List<long[]> contexts = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        call.add(texts.get((from + i) % texts.size()));
        contexts.add(context);
      }
      encoder.encode(call, contexts);
    });
  }
}
