package io.streamnlp.app;

import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.model.ModelDirectory;
import io.streamnlp.model.OnnxModel;
import io.streamnlp.model.RecurrentEncoder;
import io.streamnlp.model.RecurrentResult;
import io.streamnlp.stream.RnnState;
import io.streamnlp.stream.RnnStateSerde;
import io.streamnlp.text.TokenizedText;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code streamnlp bench}: measurements that print ratios against a baseline taken in the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks (not tests): each prints its figures and their ratio to a baseline measured in "
        + "the same run.",
    subcommands = {BenchCommand.RnnHistory.class, BenchCommand.AttentionWindow.class, BenchCommand.Memory.class,
        BenchCommand.Raw.class})
final class BenchCommand {

  /** Short messages of several kinds that the cost benchmarks encode. */
  static final String[] TEXTS = {"the plot is thin but the cast is great", "i loved the music",
      "what a waste of time", "not bad at all", "the support team fixed it in minutes, thank you",
      "still waiting for my refund", "a warm and funny film", "boring"};

  /** One timed pass's batch: the {@code size} messages starting at {@code from}. */
  @FunctionalInterface
  interface BatchCall {
    void run(int from, int size) throws Exception;
  }

  static List<TokenizedText> tokenizeTexts(OnnxModel model) throws Exception {
    List<TokenizedText> texts = new ArrayList<>();
    for (String t : TEXTS) {
      texts.add(model.tokenizer().tokenize(t));
    }
    return texts;
  }

  /** ms per message of the best of {@code rounds} timed passes over {@code messages}, after one warm-up pass. */
  static double bestMsPerMessage(int rounds, int messages, int size, BatchCall call) throws Exception {
    double best = Double.MAX_VALUE;
    for (int round = 0; round <= rounds; round++) {
      long start = System.nanoTime();
      for (int done = 0; done < messages; done += size) {
        call.run(done, size);
      }
      double ms = (System.nanoTime() - start) / 1e6 / messages;
      if (round > 0) { // round 0 warms up
        best = Math.min(best, ms);
      }
    }
    return best;
  }

  /**
   * Cost of one message for the stateful RNN path as a function of how many messages its key has already
   * seen: model call from the key's state plus the state's store round trip (serialize + deserialize). The
   * baseline is a key's first message; a flat ratio is the point of carrying a fixed-size state.
   */
  @Command(name = "rnn-history", mixinStandardHelpOptions = true,
      description = "ms per message of encoder=rnn when each key has already seen N messages, at batch 1 and "
          + "batched, with the ratio to N=1 and the batching speed-up.")
  static final class RnnHistory implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model-dir", defaultValue = StreamNlpConfig.RNN_MODEL_DIR_DEFAULT,
        description = "An rnn model (default: the shipped GRU).")
    String modelDir;

    @Option(names = "--histories", split = ",", defaultValue = "1,100,10000",
        description = "Messages each key has seen before the timed ones (default 1,100,10000).")
    int[] histories;

    @Option(names = "--batch", defaultValue = "32", description = "Batched size to compare with batch 1.")
    int batch;

    @Option(names = "--messages", defaultValue = "2048", description = "Timed messages per figure.")
    int messages;

    @Option(names = "--rounds", defaultValue = "3", description = "Timed rounds per figure; the best is kept.")
    int rounds;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      try (OnnxModel model = OnnxModel.load(ModelDirectory.open(modelDir), OnnxModel.RuntimeOptions.cpu(), 128);
           RecurrentEncoder single = model.newRecurrentEncoder(1);
           RecurrentEncoder batched = model.newRecurrentEncoder(batch)) {
        List<TokenizedText> texts = tokenizeTexts(model);
        out.printf(Locale.ROOT, "model %s %s, %d cores; ms per message (model call + state serde round trip), "
            + "best of %d rounds of %d messages%n", model.info().name(), model.info().version(),
            Runtime.getRuntime().availableProcessors(), rounds, messages);
        out.printf(Locale.ROOT, "%10s %12s %14s %12s %14s %10s%n", "history", "batch 1", "vs history 1",
            "batch " + batch, "vs history 1", "speed-up");
        double base1 = 0;
        double baseB = 0;
        float[] state = null;
        int seen = 0;
        for (int history : histories) {
          for (; seen < history; seen++) {
            state = single.encode(List.of(texts.get(seen % texts.size())), Arrays.asList(state)).get(0)
                .finalState();
          }
          double ms1 = best(single, texts, state, 1, model);
          double msB = best(batched, texts, state, batch, model);
          if (base1 == 0) {
            base1 = ms1;
            baseB = msB;
          }
          out.printf(Locale.ROOT, "%10d %12.4f %14.2f %12.4f %14.2f %9.2fx%n", history, ms1, ms1 / base1, msB,
              msB / baseB, ms1 / msB);
          out.flush();
        }
      }
      return 0;
    }

    /** Every message continues from a copy of {@code state}, as keys with that much history would. */
    private double best(RecurrentEncoder encoder, List<TokenizedText> texts, float[] state, int size,
                        OnnxModel model) throws Exception {
      RnnStateSerde serde = new RnnStateSerde();
      Serializer<RnnState> write = serde.serializer();
      Deserializer<RnnState> read = serde.deserializer();
      byte[] stored = write.serialize("", new RnnState(model.info().name(), model.info().version(), 1, 0, state));
      return bestMsPerMessage(rounds, messages, size, (from, n) -> {
        List<TokenizedText> batch = new ArrayList<>(n);
        List<float[]> states = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          batch.add(texts.get((from + i) % texts.size()));
          states.add(read.deserialize("", stored).state());
        }
        for (RecurrentResult r : encoder.encode(batch, states)) {
          write.serialize("", new RnnState(model.info().name(), model.info().version(), 2, 0, r.finalState()));
        }
      });
    }
  }

  /**
   * Cost of one message for the attention encoder as a function of its context window: every message is
   * read with a context of exactly N tokens. The baseline is N = 0 (the message alone); attention's cost
   * grows with the square of the input length, which is what the RNN's fixed-size state avoids.
   */
  @Command(name = "attention-window", mixinStandardHelpOptions = true,
      description = "ms per message of the attention encoder with a context window of N tokens, at batch 1 and "
          + "batched, with the ratio to N=0.")
  static final class AttentionWindow implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model-dir", defaultValue = StreamNlpConfig.ATTENTION_MODEL_DIR_DEFAULT,
        description = "An attention model with a pooling mask (default: the shipped transformer).")
    String modelDir;

    @Option(names = "--windows", split = ",", defaultValue = "0,32,64,128,240",
        description = "Context lengths in tokens (default 0,32,64,128,240; the model reads at most 256).")
    int[] windows;

    @Option(names = "--batch", defaultValue = "32", description = "Batched size to compare with batch 1.")
    int batch;

    @Option(names = "--messages", defaultValue = "256", description = "Timed messages per figure.")
    int messages;

    @Option(names = "--rounds", defaultValue = "2", description = "Timed rounds per figure; the best is kept.")
    int rounds;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      try (OnnxModel model = OnnxModel.load(ModelDirectory.open(modelDir), OnnxModel.RuntimeOptions.cpu(), 256);
           io.streamnlp.model.ContextualEncoder single = model.newContextualEncoder(1, false);
           io.streamnlp.model.ContextualEncoder batched = model.newContextualEncoder(batch, false)) {
        List<TokenizedText> texts = tokenizeTexts(model);
        // Context made of real text: the messages' own tokens, repeated, without special tokens.
        List<Long> pool = new ArrayList<>();
        for (TokenizedText t : texts) {
          for (int i = 1; i < t.length() - 1; i++) {
            pool.add(t.ids()[i]);
          }
        }
        out.printf(Locale.ROOT, "model %s %s, %d cores; ms per message with a context of N tokens, best of %d "
            + "rounds of %d messages%n", model.info().name(), model.info().version(),
            Runtime.getRuntime().availableProcessors(), rounds, messages);
        out.printf(Locale.ROOT, "%8s %12s %10s %12s %10s%n", "window", "batch 1", "vs N=0", "batch " + batch,
            "vs N=0");
        double base1 = 0;
        double baseB = 0;
        for (int window : windows) {
          long[] context = new long[window];
          for (int i = 0; i < window; i++) {
            context[i] = pool.get(i % pool.size());
          }
          double ms1 = best(single, texts, context, 1);
          double msB = best(batched, texts, context, batch);
          if (base1 == 0) {
            base1 = ms1;
            baseB = msB;
          }
          out.printf(Locale.ROOT, "%8d %12.3f %10.2f %12.3f %10.2f%n", window, ms1, ms1 / base1, msB, msB / baseB);
          out.flush();
        }
      }
      return 0;
    }

    private double best(io.streamnlp.model.ContextualEncoder encoder, List<TokenizedText> texts, long[] context,
                        int size) throws Exception {
      return bestMsPerMessage(rounds, messages, size, (from, n) -> {
        List<TokenizedText> batch = new ArrayList<>(n);
        List<long[]> contexts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          batch.add(texts.get((from + i) % texts.size()));
          contexts.add(context);
        }
        encoder.encode(batch, contexts);
      });
    }
  }

  /**
   * Long-range memory: per key, one clearly positive or negative message, then about d tokens of neutral
   * filler messages, then a neutral probe. How often does the probe's tag still carry the first message's
   * sentiment? The RNN carries its state through everything; the attention encoder sees the last
   * {@code window} tokens as context. The baseline is the probe read alone, without any history.
   */
  @Command(name = "memory", mixinStandardHelpOptions = true,
      description = "How often a neutral probe's tag carries the sentiment of a message d tokens earlier, for "
          + "the stateful RNN and the windowed attention encoder, against the probe alone.")
  static final class Memory implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--distances", split = ",", defaultValue = "0,16,64,256,1024",
        description = "Tokens of neutral filler between the sentiment and the probe (default 0,16,64,256,1024).")
    int[] distances;

    @Option(names = "--keys", defaultValue = "200", description = "Keys (conversations) per distance.")
    int keys;

    @Option(names = "--window", defaultValue = "128", description = "The attention encoder's context window "
        + "in tokens (attention.window.tokens).")
    int window;

    @Option(names = "--seed", defaultValue = "13", description = "Seed of the generated conversations.")
    long seed;

    static final String[] POSITIVE = {"i absolutely love this , it is wonderful", "what a fantastic , delightful "
        + "experience", "this is the best thing i have bought all year", "brilliant work , i am so happy with it"};
    static final String[] NEGATIVE = {"i hate this , it is terrible", "what an awful , miserable experience",
        "this is the worst thing i have bought all year", "broken again , i am so angry about it"};
    static final String[] FILLER = {"the meeting is at noon", "i will send the file later", "it is on the second "
        + "floor", "we ordered it on tuesday", "the invoice number is in the email", "my colleague will join",
        "the train leaves at five", "please check the attachment"};
    static final String PROBE = "so what do you think overall";

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      try (OnnxModel gru = OnnxModel.load(ModelDirectory.open(StreamNlpConfig.RNN_MODEL_DIR_DEFAULT),
               OnnxModel.RuntimeOptions.cpu(), 128);
           OnnxModel transformer = OnnxModel.load(ModelDirectory.open(StreamNlpConfig.ATTENTION_MODEL_DIR_DEFAULT),
               OnnxModel.RuntimeOptions.cpu(), 256);
           RecurrentEncoder rnn = gru.newRecurrentEncoder(1);
           io.streamnlp.model.ContextualEncoder attention = transformer.newContextualEncoder(1, false)) {
        int positive = 1;
        boolean probeAlonePositive = attention.encode(List.of(transformer.tokenizer().tokenize(PROBE))).get(0)
            .labelIndex() == positive;
        boolean rnnProbeAlonePositive = rnn.encode(List.of(gru.tokenizer().tokenize(PROBE))).get(0)
            .labelIndex() == positive;
        out.printf(Locale.ROOT, "%d keys per distance, seed %d; attention window %d tokens; a probe read alone is "
            + "tagged %s by the transformer and %s by the GRU%n", keys, seed, window,
            probeAlonePositive ? "positive" : "negative", rnnProbeAlonePositive ? "positive" : "negative");
        out.printf(Locale.ROOT, "%10s %22s %22s%n", "distance", "GRU carries sentiment", "attention carries");
        for (int d : distances) {
          java.util.Random random = new java.util.Random(seed + d);
          int rnnAgree = 0;
          int attentionAgree = 0;
          for (int k = 0; k < keys; k++) {
            boolean pos = random.nextBoolean();
            String first = (pos ? POSITIVE : NEGATIVE)[random.nextInt(POSITIVE.length)];
            List<String> conversation = new ArrayList<>(List.of(first));
            int filled = 0;
            while (filled < d) {
              String f = FILLER[random.nextInt(FILLER.length)];
              conversation.add(f);
              filled += gru.tokenizer().tokenize(f).length() - 2;
            }
            // RNN: the state runs through the whole conversation, then the probe.
            float[] state = null;
            for (String m : conversation) {
              state = rnn.encode(List.of(gru.tokenizer().tokenize(m)), Arrays.asList(state)).get(0).finalState();
            }
            int rnnLabel = rnn.encode(List.of(gru.tokenizer().tokenize(PROBE)), Arrays.asList(state)).get(0)
                .result().labelIndex();
            // Attention: the probe is read after the conversation's last `window` tokens.
            io.streamnlp.stream.ContextWindow ctx = io.streamnlp.stream.ContextWindow.EMPTY;
            for (String m : conversation) {
              long[] ids = transformer.tokenizer().tokenize(m).ids();
              ctx = ctx.append(Arrays.copyOfRange(ids, 1, ids.length - 1), 0, window);
            }
            TokenizedText probe = transformer.tokenizer().tokenize(PROBE);
            long[] context = ctx.tokens();
            int budget = 256 - probe.length() - 1;
            if (context.length > budget) {
              context = Arrays.copyOfRange(context, context.length - budget, context.length);
            }
            int attentionLabel = attention.encode(List.of(probe), Arrays.asList(context)).get(0).labelIndex();
            rnnAgree += (rnnLabel == positive) == pos ? 1 : 0;
            attentionAgree += (attentionLabel == positive) == pos ? 1 : 0;
          }
          out.printf(Locale.ROOT, "%10d %21.1f%% %21.1f%%%n", d, 100.0 * rnnAgree / keys, 100.0 * attentionAgree / keys);
          out.flush();
        }
        out.println("(50 % is chance: without memory the probe gets the same tag whatever came first)");
      }
      return 0;
    }
  }

  /**
   * The ceiling: messages/s of each shipped model called directly through ONNX Runtime, no Kafka, on short
   * (about 16 tokens) and long (about 128 tokens) messages, at batch 1 and batched. The end-to-end figures
   * of a stream are to be read against these.
   */
  @Command(name = "raw", mixinStandardHelpOptions = true,
      description = "Raw ONNX Runtime throughput (messages/s) of both shipped models, short and long messages, "
          + "batch 1 and batched, with the batching speed-up.")
  static final class Raw implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--batch", defaultValue = "32", description = "Batched size to compare with batch 1.")
    int batch;

    @Option(names = "--seconds", defaultValue = "3", description = "Timed seconds per figure (after a warm-up).")
    double seconds;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      out.printf(Locale.ROOT, "%d cores; messages/s through ONNX Runtime alone, %.1f s per figure%n",
          Runtime.getRuntime().availableProcessors(), seconds);
      out.printf(Locale.ROOT, "%-16s %8s %12s %12s %10s%n", "model", "tokens", "batch 1", "batch " + batch,
          "speed-up");
      for (String dir : new String[] {StreamNlpConfig.RNN_MODEL_DIR_DEFAULT,
          StreamNlpConfig.ATTENTION_MODEL_DIR_DEFAULT}) {
        try (OnnxModel model = OnnxModel.load(ModelDirectory.open(dir), OnnxModel.RuntimeOptions.cpu(), 128);
             io.streamnlp.model.TextEncoder single = model.newEncoder(1);
             io.streamnlp.model.TextEncoder batched = model.newEncoder(batch)) {
          for (int tokens : new int[] {16, 128}) {
            TokenizedText message = message(model, tokens);
            double one = throughput(single, message, 1);
            double many = throughput(batched, message, batch);
            out.printf(Locale.ROOT, "%-16s %8d %12.0f %12.0f %9.2fx%n", model.info().name(), message.length(),
                one, many, many / one);
            out.flush();
          }
        }
      }
      return 0;
    }

    /** A message of exactly {@code tokens} tokens, cut from real text. */
    private static TokenizedText message(OnnxModel model, int tokens) throws Exception {
      StringBuilder text = new StringBuilder();
      while (model.tokenizer().tokenize(text.toString()).length() < tokens) {
        text.append(TEXTS[text.length() % TEXTS.length]).append(" . ");
      }
      long[] ids = model.tokenizer().tokenize(text.toString()).ids();
      long[] cut = Arrays.copyOf(ids, tokens);
      cut[tokens - 1] = ids[ids.length - 1]; // keep the closing special token
      return TokenizedText.ofIds(cut, false);
    }

    private double throughput(io.streamnlp.model.TextEncoder encoder, TokenizedText message, int size)
        throws Exception {
      List<TokenizedText> batch = java.util.Collections.nCopies(size, message);
      long warm = System.nanoTime() + 500_000_000L;
      while (System.nanoTime() < warm) {
        encoder.encode(batch);
      }
      long start = System.nanoTime();
      long end = start + (long) (seconds * 1e9);
      long done = 0;
      while (System.nanoTime() < end) {
        encoder.encode(batch);
        done += size;
      }
      return done / ((System.nanoTime() - start) / 1e9);
    }
  }
}
