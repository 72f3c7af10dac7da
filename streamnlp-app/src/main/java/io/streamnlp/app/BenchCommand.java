package io.streamnlp.app;

import io.streamnlp.bench.BenchResults.CostPoint;
import io.streamnlp.bench.BenchResults;
import io.streamnlp.bench.BenchSuite;
import io.streamnlp.bench.BenchTexts;
import io.streamnlp.bench.ComparisonReport;
import io.streamnlp.bench.CostCurves;
import io.streamnlp.bench.EndToEndBench;
import io.streamnlp.bench.LongRangeMemory;
import io.streamnlp.bench.RawThroughput;
import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.local.LocalKafkaCluster;
import io.streamnlp.local.LocalSchemaRegistry;
import io.streamnlp.model.internals.ModelDirectory;
import io.streamnlp.model.internals.OnnxModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code streamnlp bench}: the whole RNN-versus-attention comparison in one run, written as a report, or one
 * measurement at a time (subcommands). Every figure is printed against a baseline measured in the same run.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measure both encoders on this machine, end to end through a Kafka broker and through ONNX "
        + "Runtime alone, and write a comparison report (Markdown, JSON and PNG plots).",
        "Without --bootstrap-servers it starts a local KRaft broker and schema registry, as demo does.",
        "Subcommands run one measurement and print it."},
    subcommands = {BenchCommand.RnnHistory.class, BenchCommand.AttentionWindow.class, BenchCommand.Memory.class,
        BenchCommand.Raw.class})
final class BenchCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--quick", description = "Fewer and shorter measurements: a few minutes on 2 cores.")
  boolean quick;

  @Option(names = "--out", defaultValue = "bench-report", description = "Report directory (default "
      + "${DEFAULT-VALUE}); report.md, results.json and the plots are written there.")
  Path out;

  @Option(names = "--seed", defaultValue = "13", description = "Seed of the generated messages and conversations.")
  long seed;

  @Option(names = "--bootstrap-servers", description = "Measure on this Kafka cluster instead of a local broker "
      + "(topics named streamnlp-bench-* are created and deleted).")
  String bootstrapServers;

  @Option(names = "--schema-registry-url", description = "With --bootstrap-servers: the schema registry to use.")
  String registryUrl;

  @Option(names = {"-D", "--set"}, description = "A pipeline property for the end-to-end runs, e.g. "
      + "-D batch.size=16 (its value is the batched size measured next to batch 1).")
  Map<String, String> overrides = new HashMap<>();

  @Option(names = "--from-results", description = "Measure nothing: draw the report again from a results.json "
      + "an earlier run wrote (into --out).")
  Path fromResults;

  @Override
  public Integer call() throws Exception {
    PrintWriter w = spec.commandLine().getOut();
    if (fromResults != null) {
      Path report = new ComparisonReport(ComparisonReport.read(fromResults)).write(out);
      w.printf("Report written to %s from %s%n", report.toAbsolutePath(), fromResults);
      return 0;
    }
    if (bootstrapServers != null && registryUrl == null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--bootstrap-servers needs --schema-registry-url: the results are Avro registered there");
    }
    BenchSuite.Plan plan = quick ? BenchSuite.Plan.quickPlan() : BenchSuite.Plan.fullPlan();
    w.printf("streamnlp bench%s: %d steps; results go to %s%n", quick ? " --quick" : "", BenchSuite.STEPS,
        out.toAbsolutePath());
    BenchResults results;
    if (bootstrapServers != null) {
      results = new BenchSuite(plan, new EndToEndBench.Target(bootstrapServers, registryUrl, overrides),
          "the cluster at " + bootstrapServers, seed, w).run();
    } else {
      try (LocalKafkaCluster kafka = LocalKafkaCluster.start();
           LocalSchemaRegistry registry = LocalSchemaRegistry.start(kafka.bootstrapServers(), "_schemas", 0)) {
        results = new BenchSuite(plan, new EndToEndBench.Target(kafka.bootstrapServers(), registry.url(), overrides),
            "embedded single-node KRaft broker in the same JVM, sharing its cores", seed, w).run();
      }
    }
    Path report = new ComparisonReport(results).write(out);
    w.printf(Locale.ROOT, "Report written to %s (%.0f s in all)%n", report.toAbsolutePath(),
        results.environment().durationSeconds());
    return 0;
  }

  /** The cost per message of encoder=rnn as its keys' history grows; the baseline is a key's first message. */
  @Command(name = "rnn-history", mixinStandardHelpOptions = true,
      description = "ms per message of encoder=rnn (model call + state serde round trip) when each key has "
          + "already seen N messages, at batch 1 and batched, with the ratio to the first N and the speed-up.")
  static final class RnnHistory implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model-dir", defaultValue = StreamNlpConfig.RNN_MODEL_DIR_DEFAULT,
        description = "An rnn model (default: the shipped GRU).")
    String modelDir;

    @Option(names = "--histories", split = ",", defaultValue = "1,100,10000",
        description = "Messages each key has seen before the timed ones (default ${DEFAULT-VALUE}).")
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
      try (OnnxModel model = OnnxModel.load(ModelDirectory.open(modelDir), OnnxModel.RuntimeOptions.cpu(), 128)) {
        out.printf(Locale.ROOT, "model %s %s, %d cores; ms per message (model call + state serde round trip), "
            + "best of %d rounds of %d messages%n", model.info().name(), model.info().version(),
            Runtime.getRuntime().availableProcessors(), rounds, messages);
        out.printf(Locale.ROOT, "%10s %12s %14s %12s %14s %10s%n", "history", "batch 1", "vs history 1",
            "batch " + batch, "vs history 1", "speed-up");
        CostPoint[] base = new CostPoint[1];
        new CostCurves(rounds, messages).rnnHistory(model, histories, batch, p -> {
          base[0] = base[0] == null ? p : base[0];
          out.printf(Locale.ROOT, "%10d %12.4f %14.2f %12.4f %14.2f %9.2fx%n", p.length(), p.msBatch1(),
              p.msBatch1() / base[0].msBatch1(), p.msBatched(), p.msBatched() / base[0].msBatched(),
              p.msBatch1() / p.msBatched());
          out.flush();
        });
      }
      return 0;
    }
  }

  /** The cost per message of the attention encoder as its context window grows; the baseline is no context. */
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
        description = "Context lengths in tokens (default ${DEFAULT-VALUE}; the model reads at most 256).")
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
      ModelDirectory dir = ModelDirectory.open(modelDir);
      try (OnnxModel model = OnnxModel.load(dir, OnnxModel.RuntimeOptions.cpu(), dir.manifest().maxTokens())) {
        out.printf(Locale.ROOT, "model %s %s, %d cores; ms per message with a context of N tokens, best of %d "
            + "rounds of %d messages%n", model.info().name(), model.info().version(),
            Runtime.getRuntime().availableProcessors(), rounds, messages);
        out.printf(Locale.ROOT, "%8s %12s %10s %12s %10s%n", "window", "batch 1", "vs N=0", "batch " + batch,
            "vs N=0");
        CostPoint[] base = new CostPoint[1];
        new CostCurves(rounds, messages).attentionWindow(model, windows, batch, p -> {
          base[0] = base[0] == null ? p : base[0];
          out.printf(Locale.ROOT, "%8d %12.3f %10.2f %12.3f %10.2f%n", p.length(), p.msBatch1(),
              p.msBatch1() / base[0].msBatch1(), p.msBatched(), p.msBatched() / base[0].msBatched());
          out.flush();
        });
      }
      return 0;
    }
  }

  /** Long-range memory of both shipped encoders on held-out conversations. */
  @Command(name = "memory", mixinStandardHelpOptions = true,
      description = "Accuracy on replies that only have a sentiment in their key's context (agree, disagree, "
          + "question) d tokens after the message they answer, and the leak rate of standalone neutral messages, "
          + "for the stateful RNN and the windowed attention encoder; held-out conversations drawn from the "
          + "shipped short messages.")
  static final class Memory implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--distances", split = ",", defaultValue = "0,16,64,128,256,512,1024",
        description = "Tokens of neutral messages between the polar message and the reply (default "
            + "${DEFAULT-VALUE}).")
    int[] distances;

    @Option(names = "--keys", defaultValue = "200", description = "Keys (conversations) per distance, split over "
        + "the four kinds (default ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--window", defaultValue = "128", description = "The attention encoder's context window "
        + "in tokens (attention.window.tokens; default ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--seed", defaultValue = "13", description = "Seed of the generated conversations.")
    long seed;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      ModelDirectory attentionDir = ModelDirectory.open(StreamNlpConfig.ATTENTION_MODEL_DIR_DEFAULT);
      try (OnnxModel gru = OnnxModel.load(ModelDirectory.open(StreamNlpConfig.RNN_MODEL_DIR_DEFAULT),
               OnnxModel.RuntimeOptions.cpu(), 128);
           OnnxModel transformer = OnnxModel.load(attentionDir, OnnxModel.RuntimeOptions.cpu(),
               attentionDir.manifest().maxTokens())) {
        out.printf(Locale.ROOT, "%d held-out conversations per distance (%s), seed %d; attention window %d "
            + "tokens%n", keys, LongRangeMemory.POOL, seed, window);
        out.printf(Locale.ROOT, "%9s | %-28s | %-28s | %-28s%n", "", "GRU (state)", "attention (window)",
            "cascade (state, re-read alone)");
        out.printf(Locale.ROOT, "%9s | %8s %8s %10s | %8s %8s %10s | %8s %8s %10s%n", "distance", "replies", "alone",
            "leak", "replies", "alone", "leak", "replies", "alone", "leak");
        new LongRangeMemory(keys, window, seed).measure(gru, transformer, BenchSuite.DEFAULT_CASCADE, distances, p -> {
          out.printf(Locale.ROOT, "%9d | %7.1f%% %7.1f%% %9.1f%% | %7.1f%% %7.1f%% %9.1f%% | %7.1f%% %7.1f%% %9.1f%%%n",
              p.distance(), 100 * p.rnnReplies(), 100 * p.rnnRepliesAlone(), 100 * p.rnnLeak(),
              100 * p.attentionReplies(), 100 * p.attentionRepliesAlone(), 100 * p.attentionLeak(),
              100 * p.cascadeReplies(), 100 * p.cascadeRepliesAlone(), 100 * p.cascadeLeak());
          out.flush();
        });
        out.println("replies: share of context-dependent replies tagged right in context; alone: the same replies "
            + "without their history (what the wording alone gives); leak: standalone neutral messages pulled to "
            + "the earlier polarity by the context");
      }
      return 0;
    }
  }

  /** The ceiling: both shipped models through ONNX Runtime alone, short and long messages. */
  @Command(name = "raw", mixinStandardHelpOptions = true,
      description = "Raw ONNX Runtime throughput (messages/s) of both shipped models, short (16-token) and long "
          + "(128-token) messages, batch 1 and batched, with the batching speed-up.")
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
        try (OnnxModel model = OnnxModel.load(ModelDirectory.open(dir), OnnxModel.RuntimeOptions.cpu(), 128)) {
          for (int tokens : new int[] {16, 128}) {
            List<BenchResults.RawPoint> p = RawThroughput.measure("", model, "", BenchTexts.ofTokens(
                model.tokenizer(), tokens, 64, 13), new int[] {1, batch}, seconds);
            double one = p.get(0).messagesPerSecond();
            double many = p.get(1).messagesPerSecond();
            out.printf(Locale.ROOT, "%-16s %8.1f %12.0f %12.0f %9.2fx%n", model.info().name(), p.get(0).meanTokens(),
                one, many, many / one);
            out.flush();
          }
        }
      }
      return 0;
    }
  }
}
