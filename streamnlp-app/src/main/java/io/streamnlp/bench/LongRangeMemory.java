package io.streamnlp.bench;

import io.streamnlp.bench.BenchResults.MemoryCurve;
import io.streamnlp.bench.BenchResults.MemoryPoint;
import io.streamnlp.evaluation.ConversationEvaluation;
import io.streamnlp.evaluation.Conversations.Conversation;
import io.streamnlp.evaluation.Conversations;
import io.streamnlp.evaluation.LabelledText;
import io.streamnlp.evaluation.LabelledTextReader;
import io.streamnlp.model.internals.CascadeRule;
import io.streamnlp.model.internals.OnnxModel;
import io.streamnlp.text.RejectedInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Long-range memory on held-out conversations: per key, a polar message, about d tokens of neutral messages,
 * then a reply whose label only follows from that message (agree, disagree, question; phrasings no shipped model
 * was trained on) or a standalone neutral message that must keep its label. Drawn with a seed from the short
 * messages shipped in the jar (never trained on), anchors half positive, half negative. The RNN carries its
 * state through every message; the attention encoder reads the last {@code window} tokens, as the stream's
 * context window would give it; the cascade carries the RNN's state and re-reads an unsure reading alone with the
 * transformer ({@link ConversationEvaluation}).
 */
public final class LongRangeMemory {
  /** The held-out pool: models/eval/short-messages.csv, packaged in the jar. */
  public static final String POOL = "models/eval/short-messages.csv";

  private final int conversationsPerDistance;
  private final int window;
  private final long seed;

  /** @param conversationsPerDistance split evenly over the four kinds (at least one each) */
  public LongRangeMemory(int conversationsPerDistance, int window, long seed) {
    this.conversationsPerDistance = conversationsPerDistance;
    this.window = window;
    this.seed = seed;
  }

  /**
   * @param rnnModel       an rnn model
   * @param attentionModel an attention model with a pooling mask (one that takes context)
   * @param cascade        the cascade's rule (rnnModel reads, attentionModel re-reads)
   */
  public MemoryCurve measure(OnnxModel rnnModel, OnnxModel attentionModel, CascadeRule cascade, int[] distances,
                             Consumer<MemoryPoint> each) throws Exception {
    int perKind = Math.max(1, conversationsPerDistance / Conversations.Kind.values().length);
    List<LabelledText> pool = pool();
    List<MemoryPoint> points = new ArrayList<>();
    for (int d : distances) {
      List<Conversation> conversations = Conversations.generate(pool, new int[] {d}, perKind, seed + d, text -> {
        try {
          return attentionModel.tokenizer().tokenize(text).length() - 2;
        } catch (RejectedInputException e) {
          throw new IllegalArgumentException(e);
        }
      });
      // The GRU's readings serve both its own figures and the cascade's (one pass reads each conversation once).
      List<ConversationEvaluation.Result> rnnAndCascade = ConversationEvaluation.evaluateRnnAndCascade(rnnModel,
          attentionModel, conversations, List.of(cascade));
      ConversationEvaluation.Point rnn = rnnAndCascade.get(0).points().get(0);
      ConversationEvaluation.Point both = rnnAndCascade.get(1).points().get(0);
      ConversationEvaluation.Point att = ConversationEvaluation.evaluate(attentionModel, conversations, window)
          .points().get(0);
      MemoryPoint p = new MemoryPoint(d, rnn.replyAccuracy(), att.replyAccuracy(), rnn.replyAccuracyAlone(),
          att.replyAccuracyAlone(), rnn.leakRate(), att.leakRate(), both.replyAccuracy(), both.replyAccuracyAlone(),
          both.leakRate());
      points.add(p);
      each.accept(p);
    }
    return new MemoryCurve(window, perKind * Conversations.Kind.values().length, seed, POOL, points);
  }

  static List<LabelledText> pool() throws IOException {
    InputStream resource = LongRangeMemory.class.getClassLoader().getResourceAsStream(POOL);
    if (resource == null) {
      throw new IOException(POOL + " is not on the classpath (it is packaged in streamnlp.jar)");
    }
    try (BufferedReader in = new BufferedReader(new InputStreamReader(resource, StandardCharsets.UTF_8))) {
      return LabelledTextReader.read(POOL, in, null, LabelledTextReader.DEFAULT_LABEL_FIELD);
    }
  }
}
