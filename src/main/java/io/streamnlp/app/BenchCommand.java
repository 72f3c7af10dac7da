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
    subcommands = {BenchCommand.RnnHistory.class, BenchCommand.AttentionWindow.class})
final class BenchCommand {

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

    static final String[] TEXTS = {"the plot is thin but the cast is great", "i loved the music",
        "what a waste of time", "not bad at all", "the support team fixed it in minutes, thank you",
        "still waiting for my refund", "a warm and funny film", "boring"};

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      try (OnnxModel model = OnnxModel.load(ModelDirectory.open(modelDir), OnnxModel.RuntimeOptions.cpu(), 128);
           RecurrentEncoder single = model.newRecurrentEncoder(1);
           RecurrentEncoder batched = model.newRecurrentEncoder(batch)) {
        List<TokenizedText> texts = new ArrayList<>();
        for (String t : TEXTS) {
          texts.add(model.tokenizer().tokenize(t));
        }
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
      double best = Double.MAX_VALUE;
      for (int round = 0; round <= rounds; round++) {
        long start = System.nanoTime();
        for (int done = 0; done < messages; done += size) {
          List<TokenizedText> batch = new ArrayList<>(size);
          List<float[]> states = new ArrayList<>(size);
          for (int i = 0; i < size; i++) {
            batch.add(texts.get((done + i) % texts.size()));
            states.add(read.deserialize("", stored).state());
          }
          for (RecurrentResult r : encoder.encode(batch, states)) {
            write.serialize("", new RnnState(model.info().name(), model.info().version(), 2, 0, r.finalState()));
          }
        }
        double ms = (System.nanoTime() - start) / 1e6 / messages;
        if (round > 0) { // round 0 warms up
          best = Math.min(best, ms);
        }
      }
      return best;
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
        List<TokenizedText> texts = new ArrayList<>();
        for (String t : RnnHistory.TEXTS) {
          texts.add(model.tokenizer().tokenize(t));
        }
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
      double best = Double.MAX_VALUE;
      for (int round = 0; round <= rounds; round++) {
        long start = System.nanoTime();
        for (int done = 0; done < messages; done += size) {
          List<TokenizedText> batch = new ArrayList<>(size);
          List<long[]> contexts = new ArrayList<>(size);
          for (int i = 0; i < size; i++) {
            batch.add(texts.get((done + i) % texts.size()));
            contexts.add(context);
          }
          encoder.encode(batch, contexts);
        }
        double ms = (System.nanoTime() - start) / 1e6 / messages;
        if (round > 0) { // round 0 warms up
          best = Math.min(best, ms);
        }
      }
      return best;
    }
  }
}
