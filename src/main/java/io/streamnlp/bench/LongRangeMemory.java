package io.streamnlp.bench;

import io.streamnlp.bench.BenchResults.MemoryCurve;
import io.streamnlp.bench.BenchResults.MemoryPoint;
import io.streamnlp.model.ContextualEncoder;
import io.streamnlp.model.OnnxModel;
import io.streamnlp.model.RecurrentEncoder;
import io.streamnlp.stream.ContextWindow;
import io.streamnlp.text.TokenizedText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Long-range memory: per key, one clearly positive or negative message, then about d tokens of neutral filler
 * messages, then a neutral probe. How often does the probe still lean the first message's way (the sign of
 * p(positive) - p(negative))?
 * The RNN carries its state through everything; the attention encoder sees the last {@code window} tokens as
 * context, as the stream's context window would give it. 50 % is chance. Conversations come from a seed.
 */
public final class LongRangeMemory {
  static final String[] POSITIVE = {"i absolutely love this , it is wonderful", "what a fantastic , delightful "
      + "experience", "this is the best thing i have bought all year", "brilliant work , i am so happy with it"};
  static final String[] NEGATIVE = {"i hate this , it is terrible", "what an awful , miserable experience",
      "this is the worst thing i have bought all year", "broken again , i am so angry about it"};
  static final String[] FILLER = {"the meeting is at noon", "i will send the file later", "it is on the second "
      + "floor", "we ordered it on tuesday", "the invoice number is in the email", "my colleague will join",
      "the train leaves at five", "please check the attachment"};
  static final String PROBE = "so what do you think overall";

  private final int keys;
  private final int window;
  private final long seed;

  public LongRangeMemory(int keys, int window, long seed) {
    this.keys = keys;
    this.window = window;
    this.seed = seed;
  }

  /**
   * @param rnnModel       an rnn model
   * @param attentionModel an attention model with a pooling mask (one that takes context)
   */
  public MemoryCurve measure(OnnxModel rnnModel, OnnxModel attentionModel, int[] distances,
                             Consumer<MemoryPoint> each) throws Exception {
    int positive = rnnModel.info().labels().indexOf("positive");
    int negative = rnnModel.info().labels().indexOf("negative");
    if (positive < 0 || negative < 0 || !rnnModel.info().labels().equals(attentionModel.info().labels())) {
      throw new IllegalArgumentException("Long-range memory needs two sentiment models with the same labels, "
          + "'positive' and 'negative' among them; got " + rnnModel.info().labels() + " and "
          + attentionModel.info().labels());
    }
    try (RecurrentEncoder rnn = rnnModel.newRecurrentEncoder(1);
         ContextualEncoder attention = attentionModel.newContextualEncoder(1, false)) {
      // Conversations are drawn from a few sentences: each is tokenized once per model.
      Map<String, TokenizedText> rnnTokens = tokenizeAll(rnnModel);
      Map<String, TokenizedText> attentionTokens = tokenizeAll(attentionModel);
      TokenizedText rnnProbe = rnnTokens.get(PROBE);
      TokenizedText attentionProbe = attentionTokens.get(PROBE);
      String rnnAlone = rnnModel.info().labels().get(rnn.encode(List.of(rnnProbe)).get(0).labelIndex());
      String attentionAlone = attentionModel.info().labels().get(
          attention.encode(List.of(attentionProbe)).get(0).labelIndex());
      List<MemoryPoint> points = new ArrayList<>();
      for (int d : distances) {
        Random random = new Random(seed + d);
        int rnnAgree = 0;
        int attentionAgree = 0;
        for (int k = 0; k < keys; k++) {
          boolean pos = random.nextBoolean();
          List<String> conversation = new ArrayList<>(List.of((pos ? POSITIVE : NEGATIVE)[random.nextInt(4)]));
          for (int filled = 0; filled < d; ) {
            String f = FILLER[random.nextInt(FILLER.length)];
            conversation.add(f);
            filled += rnnTokens.get(f).length() - 2;
          }
          // RNN: the state runs through the whole conversation, then the probe.
          float[] state = null;
          for (String m : conversation) {
            state = rnn.encode(List.of(rnnTokens.get(m)), Arrays.asList(state)).get(0).finalState();
          }
          // Whether the probe leans the earlier message's way: the sign of p(positive) - p(negative), so that
          // a three-class model's neutral probe still counts by its lean (chance stays 50 %).
          float[] rnnScores = rnn.encode(List.of(rnnProbe), Arrays.asList(state)).get(0).result().scores();
          // Attention: the probe is read after the conversation's last `window` tokens.
          ContextWindow ctx = ContextWindow.EMPTY;
          for (String m : conversation) {
            ctx = ctx.appendMessage(attentionTokens.get(m).ids(), 0, window);
          }
          long[] context = ctx.tokensFitting(attentionProbe.length(), attentionModel.maxTokens());
          float[] attentionScores = attention.encode(List.of(attentionProbe), Arrays.asList(context)).get(0).scores();
          rnnAgree += (rnnScores[positive] > rnnScores[negative]) == pos ? 1 : 0;
          attentionAgree += (attentionScores[positive] > attentionScores[negative]) == pos ? 1 : 0;
        }
        MemoryPoint p = new MemoryPoint(d, (double) rnnAgree / keys, (double) attentionAgree / keys);
        points.add(p);
        each.accept(p);
      }
      return new MemoryCurve(window, keys, seed, rnnAlone, attentionAlone, points);
    }
  }

  private static Map<String, TokenizedText> tokenizeAll(OnnxModel model) throws Exception {
    Map<String, TokenizedText> tokens = new HashMap<>();
    for (String[] sentences : new String[][] {POSITIVE, NEGATIVE, FILLER, {PROBE}}) {
      for (String sentence : sentences) {
        tokens.put(sentence, model.tokenizer().tokenize(sentence));
      }
    }
    return tokens;
  }
}
