package io.streamnlp.evaluation;

import io.streamnlp.evaluation.Conversations.Conversation;
import io.streamnlp.evaluation.Conversations.Kind;
import io.streamnlp.model.internals.ContextualEncoder;
import io.streamnlp.model.internals.EncoderResult;
import io.streamnlp.model.internals.EncodingException;
import io.streamnlp.model.internals.OnnxModel;
import io.streamnlp.model.internals.RecurrentEncoder;
import io.streamnlp.stream.internals.ContextWindow;
import io.streamnlp.text.RejectedInputException;
import io.streamnlp.text.internals.TokenizedText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a model reads a message in its key's history, on {@link Conversations}: the target of each conversation
 * is encoded as the stream would encode it after the earlier messages of its key (the RNN continuing its
 * state through every earlier message; the attention encoder reading the last {@code windowTokens} tokens as
 * context), and alone. Per distance: accuracy on the context-dependent replies, and the leak rate — how often a
 * standalone neutral message is pulled to the earlier message's polarity by the context.
 */
public final class ConversationEvaluation {

  /**
   * Figures at one distance.
   *
   * @param byKind           per reply kind (agree, disagree, question): {replies, correct in context}
   * @param anchorsRead      replies whose earlier polar message the model tags with its gold polarity on its own
   * @param anchorsReadCorrect of those, replies tagged right in context: memory, apart from misreading the anchor
   */
  public record Point(int distance, int replies, int repliesCorrect, int repliesCorrectAlone, int standalone,
                      int leaked, Map<Kind, int[]> byKind, int anchorsRead, int anchorsReadCorrect) {
    public double replyAccuracy() {
      return replies == 0 ? Double.NaN : (double) repliesCorrect / replies;
    }

    public double accuracy(Kind kind) {
      int[] n = byKind.get(kind);
      return n == null || n[0] == 0 ? Double.NaN : (double) n[1] / n[0];
    }

    /** Reply accuracy where the model reads the earlier message right on its own. */
    public double replyAccuracyAnchorRead() {
      return anchorsRead == 0 ? Double.NaN : (double) anchorsReadCorrect / anchorsRead;
    }

    /** The same replies read without their history: what context adds is the difference. */
    public double replyAccuracyAlone() {
      return replies == 0 ? Double.NaN : (double) repliesCorrectAlone / replies;
    }

    public double leakRate() {
      return standalone == 0 ? Double.NaN : (double) leaked / standalone;
    }
  }

  /** @param windowTokens the attention window used; 0 for an rnn model (its state has no window) */
  public record Result(String model, String kind, int windowTokens, int conversations, List<Point> points) {}

  private ConversationEvaluation() {}

  /** The last message before the target whose label is the conversation's polarity: what a reply refers to. */
  private static TokenizedText anchorOf(Conversation c, List<TokenizedText> tokens) {
    for (int i = c.messages().size() - 2; i >= 0; i--) {
      if (c.messages().get(i).label().equals(c.polarity())) {
        return tokens.get(i);
      }
    }
    return null;
  }

  public static Result evaluate(OnnxModel model, List<Conversation> conversations, int windowTokens)
      throws EncodingException, RejectedInputException {
    List<String> labels = model.info().labels();
    for (String l : List.of("negative", "neutral", "positive")) {
      if (!labels.contains(l)) {
        throw new IllegalArgumentException("conversations are labelled negative/neutral/positive; model "
            + model.info().name() + " has labels " + labels);
      }
    }
    boolean rnn = model.manifest().isRecurrent();
    // per distance: replies, correct, correct alone, standalone, leaked, anchors read, correct where read, then
    // {replies, correct} per reply kind
    Map<Integer, int[]> counts = new TreeMap<>();
    try (RecurrentEncoder recurrent = rnn ? model.newRecurrentEncoder(1) : null;
         ContextualEncoder attention = rnn ? null : model.newContextualEncoder(1, false)) {
      for (Conversation c : conversations) {
        List<TokenizedText> tokens = new ArrayList<>(c.messages().size());
        for (Conversations.Message m : c.messages()) {
          tokens.add(model.tokenizer().tokenize(m.text()));
        }
        TokenizedText target = tokens.get(tokens.size() - 1);
        TokenizedText anchor = anchorOf(c, tokens);
        EncoderResult inContext;
        EncoderResult alone;
        EncoderResult anchorAlone = null;
        if (rnn) {
          float[] state = null;
          for (TokenizedText t : tokens.subList(0, tokens.size() - 1)) {
            state = recurrent.encode(List.of(t), Arrays.asList(state)).get(0).finalState();
          }
          inContext = recurrent.encode(List.of(target), Arrays.asList(state)).get(0).result();
          alone = recurrent.encode(List.of(target)).get(0);
          anchorAlone = anchor == null ? null : recurrent.encode(List.of(anchor)).get(0);
        } else {
          ContextWindow window = ContextWindow.EMPTY;
          for (TokenizedText t : tokens.subList(0, tokens.size() - 1)) {
            window = window.appendMessage(t.ids(), 0, windowTokens);
          }
          long[] context = window.tokensFitting(target.length(), model.maxTokens());
          inContext = attention.encode(List.of(target), Arrays.asList(context)).get(0);
          alone = attention.encode(List.of(target)).get(0);
          anchorAlone = anchor == null ? null : attention.encode(List.of(anchor)).get(0);
        }
        String predicted = labels.get(inContext.labelIndex());
        String predictedAlone = labels.get(alone.labelIndex());
        int[] n = counts.computeIfAbsent(c.distance(), d -> new int[7 + 2 * Kind.values().length]);
        boolean correct = predicted.equals(c.target().label());
        if (c.kind() == Kind.STANDALONE) {
          n[3]++;
          if (!predicted.equals(predictedAlone) && predicted.equals(c.polarity())) {
            n[4]++;
          }
        } else {
          n[0]++;
          n[1] += correct ? 1 : 0;
          n[2] += predictedAlone.equals(c.target().label()) ? 1 : 0;
          if (anchorAlone != null && labels.get(anchorAlone.labelIndex()).equals(c.polarity())) {
            n[5]++;
            n[6] += correct ? 1 : 0;
          }
          n[7 + 2 * c.kind().ordinal()]++;
          n[8 + 2 * c.kind().ordinal()] += correct ? 1 : 0;
        }
      }
    }
    List<Point> points = new ArrayList<>();
    counts.forEach((d, n) -> {
      Map<Kind, int[]> byKind = new EnumMap<>(Kind.class);
      for (Kind k : List.of(Kind.AGREE, Kind.DISAGREE, Kind.QUESTION)) {
        byKind.put(k, new int[] {n[7 + 2 * k.ordinal()], n[8 + 2 * k.ordinal()]});
      }
      points.add(new Point(d, n[0], n[1], n[2], n[3], n[4], byKind, n[5], n[6]));
    });
    return new Result(model.info().name(), model.info().kind(), rnn ? 0 : windowTokens, conversations.size(),
        points);
  }
}
