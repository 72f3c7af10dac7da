package io.streamnlp.evaluation;

import io.streamnlp.evaluation.Conversations.Conversation;
import io.streamnlp.evaluation.Conversations.Kind;
import io.streamnlp.model.internals.CascadeRule;
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
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a model reads a message in its key's history, on {@link Conversations}: the target of each conversation
 * is encoded as the stream would encode it after the earlier messages of its key (the RNN continuing its
 * state through every earlier message; the attention encoder reading the last {@code windowTokens} tokens as
 * context; the cascade carrying the RNN's state and re-reading an unsure reading alone with the attention model),
 * and alone. Per distance: accuracy on the context-dependent replies, and the leak rate — how often a
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

  /** The three readings one conversation needs: its target in its key's history, the target alone, the anchor alone. */
  private record Readings(EncoderResult inContext, EncoderResult alone, EncoderResult anchorAlone) {}

  /** How one encoder reads a conversation, as the stream would. */
  private interface Reader extends AutoCloseable {
    Readings read(List<TokenizedText> tokens, TokenizedText anchor) throws EncodingException;

    @Override
    void close();
  }

  /** The RNN continues its state through every earlier message of the key. */
  private static Reader rnnReader(OnnxModel model) {
    RecurrentEncoder recurrent = model.newRecurrentEncoder(1);
    return new Reader() {
      @Override
      public Readings read(List<TokenizedText> tokens, TokenizedText anchor) throws EncodingException {
        float[] state = null;
        for (TokenizedText t : tokens.subList(0, tokens.size() - 1)) {
          state = recurrent.encode(List.of(t), Arrays.asList(state)).get(0).finalState();
        }
        TokenizedText target = tokens.get(tokens.size() - 1);
        return new Readings(recurrent.encode(List.of(target), Arrays.asList(state)).get(0).result(),
            recurrent.encode(List.of(target)).get(0), anchor == null ? null : recurrent.encode(List.of(anchor)).get(0));
      }

      @Override
      public void close() {
        recurrent.close();
      }
    };
  }

  /** The attention encoder reads the last {@code windowTokens} tokens of the key's earlier messages as context. */
  private static Reader attentionReader(OnnxModel model, int windowTokens) {
    ContextualEncoder attention = model.newContextualEncoder(1, false);
    return new Reader() {
      @Override
      public Readings read(List<TokenizedText> tokens, TokenizedText anchor) throws EncodingException {
        ContextWindow window = ContextWindow.EMPTY;
        for (TokenizedText t : tokens.subList(0, tokens.size() - 1)) {
          window = window.appendMessage(t.ids(), 0, windowTokens);
        }
        TokenizedText target = tokens.get(tokens.size() - 1);
        long[] context = window.tokensFitting(target.length(), model.maxTokens());
        return new Readings(attention.encode(List.of(target), Arrays.asList(context)).get(0),
            attention.encode(List.of(target)).get(0), anchor == null ? null : attention.encode(List.of(anchor)).get(0));
      }

      @Override
      public void close() {
        attention.close();
      }
    };
  }

  /**
   * encoder=cascade over the RNN's readings: one whose top score is below a rule's threshold is re-read, alone
   * (the cascade's second model has no window), by the attention model, and the rule makes the result, as the
   * stream does. The alone and anchor readings go through the same rule (they are the RNN's from the zero state).
   * The attention model's reading of a message does not depend on the threshold, so each is made once per
   * conversation and shared by every rule.
   */
  private static final class CascadeDecision implements AutoCloseable {
    private final ContextualEncoder second;
    private final Map<TokenizedText, EncoderResult> reread = new IdentityHashMap<>();

    CascadeDecision(OnnxModel attentionModel) {
      this.second = attentionModel.newContextualEncoder(1, false);
    }

    /** Forgets the previous conversation's re-readings. */
    void next() {
      reread.clear();
    }

    Readings over(Readings rnn, List<TokenizedText> tokens, TokenizedText anchor, CascadeRule rule)
        throws EncodingException {
      TokenizedText target = tokens.get(tokens.size() - 1);
      return new Readings(decide(rnn.inContext(), target, rule), decide(rnn.alone(), target, rule),
          anchor == null ? null : decide(rnn.anchorAlone(), anchor, rule));
    }

    private EncoderResult decide(EncoderResult rnn, TokenizedText text, CascadeRule rule) throws EncodingException {
      if (!rule.rereads(rnn.scores())) {
        return rnn;
      }
      EncoderResult attention = reread.get(text);
      if (attention == null) {
        attention = second.encode(List.of(text)).get(0);
        reread.put(text, attention);
      }
      return rule.reread(rnn, attention);
    }

    @Override
    public void close() {
      second.close();
    }
  }

  private static void checkLabels(OnnxModel model) {
    List<String> labels = model.info().labels();
    for (String l : List.of("negative", "neutral", "positive")) {
      if (!labels.contains(l)) {
        throw new IllegalArgumentException("conversations are labelled negative/neutral/positive; model "
            + model.info().name() + " has labels " + labels);
      }
    }
  }

  public static Result evaluate(OnnxModel model, List<Conversation> conversations, int windowTokens)
      throws EncodingException, RejectedInputException {
    checkLabels(model);
    boolean rnn = model.manifest().isRecurrent();
    try (Reader reader = rnn ? rnnReader(model) : attentionReader(model, windowTokens)) {
      return evaluate(reader, model, conversations, model.info().name(), model.info().kind(), rnn ? 0 : windowTokens);
    }
  }

  /**
   * encoder=cascade on conversations, for each rule: {@code rnnModel} reads every message from its key's state,
   * {@code attentionModel} re-reads the unsure ones alone, as the rule says (labels in the same order: the caller
   * checks they are the same models' twins, as the stream does). The rnn model alone comes first: the cascade
   * starts from its readings, so each conversation is read by the rnn once for all of them (the bench's memory
   * step reports the rnn and the cascade; {@code evaluate} compares thresholds).
   *
   * @return the rnn's result, then the cascade's for each rule, in order
   */
  public static List<Result> evaluateRnnAndCascade(OnnxModel rnnModel, OnnxModel attentionModel,
                                                   List<Conversation> conversations, List<CascadeRule> rules)
      throws EncodingException, RejectedInputException {
    checkLabels(rnnModel);
    if (!rnnModel.manifest().isRecurrent()) {
      throw new IllegalArgumentException("the cascade's first model must be an rnn model; got "
          + rnnModel.info().name() + " (" + rnnModel.info().kind() + ")");
    }
    if (!rnnModel.info().labels().equals(attentionModel.info().labels())) {
      throw new IllegalArgumentException("the cascade's models must have the same labels in the same order; got "
          + rnnModel.info().labels() + " and " + attentionModel.info().labels());
    }
    List<String> labels = rnnModel.info().labels();
    Tally rnn = new Tally();
    List<Tally> cascades = new ArrayList<>();
    rules.forEach(r -> cascades.add(new Tally()));
    try (Reader reader = rnnReader(rnnModel); CascadeDecision decision = new CascadeDecision(attentionModel)) {
      for (Conversation c : conversations) {
        List<TokenizedText> tokens = tokens(rnnModel, c);
        TokenizedText anchor = anchorOf(c, tokens);
        Readings r = reader.read(tokens, anchor);
        rnn.add(c, r, labels);
        decision.next();
        for (int i = 0; i < rules.size(); i++) {
          cascades.get(i).add(c, decision.over(r, tokens, anchor, rules.get(i)), labels);
        }
      }
    }
    List<Result> results = new ArrayList<>();
    results.add(rnn.result(rnnModel.info().name(), rnnModel.info().kind(), 0, conversations.size()));
    for (Tally cascade : cascades) {
      results.add(cascade.result(rnnModel.info().name() + " + " + attentionModel.info().name(), "cascade", 0,
          conversations.size()));
    }
    return results;
  }

  private static List<TokenizedText> tokens(OnnxModel model, Conversation c) throws RejectedInputException {
    List<TokenizedText> tokens = new ArrayList<>(c.messages().size());
    for (Conversations.Message m : c.messages()) {
      tokens.add(model.tokenizer().tokenize(m.text()));
    }
    return tokens;
  }

  private static Result evaluate(Reader reader, OnnxModel model, List<Conversation> conversations, String name,
                                 String kind, int windowTokens) throws EncodingException, RejectedInputException {
    List<String> labels = model.info().labels();
    Tally tally = new Tally();
    for (Conversation c : conversations) {
      List<TokenizedText> tokens = tokens(model, c);
      tally.add(c, reader.read(tokens, anchorOf(c, tokens)), labels);
    }
    return tally.result(name, kind, windowTokens, conversations.size());
  }

  /** The counts behind each distance's {@link Point}, one conversation's readings at a time. */
  private static final class Tally {
    // per distance: replies, correct, correct alone, standalone, leaked, anchors read, correct where read, then
    // {replies, correct} per reply kind
    private final Map<Integer, int[]> counts = new TreeMap<>();

    void add(Conversation c, Readings r, List<String> labels) {
      String predicted = labels.get(r.inContext().labelIndex());
      String predictedAlone = labels.get(r.alone().labelIndex());
      EncoderResult anchorAlone = r.anchorAlone();
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

    Result result(String name, String kind, int windowTokens, int conversations) {
      List<Point> points = new ArrayList<>();
      counts.forEach((d, n) -> {
        Map<Kind, int[]> byKind = new EnumMap<>(Kind.class);
        for (Kind k : List.of(Kind.AGREE, Kind.DISAGREE, Kind.QUESTION)) {
          byKind.put(k, new int[] {n[7 + 2 * k.ordinal()], n[8 + 2 * k.ordinal()]});
        }
        points.add(new Point(d, n[0], n[1], n[2], n[3], n[4], byKind, n[5], n[6]));
      });
      return new Result(name, kind, windowTokens, conversations, points);
    }
  }
}
