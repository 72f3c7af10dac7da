package io.streamnlp.bench;

import io.streamnlp.bench.BenchResults.CostPoint;
import io.streamnlp.bench.BenchResults.EndToEndPoint;
import io.streamnlp.bench.BenchResults.EndToEndVariant;
import io.streamnlp.bench.BenchResults.Environment;
import io.streamnlp.bench.BenchResults.ExplanationCost;
import io.streamnlp.bench.BenchResults.Footprint;
import io.streamnlp.bench.BenchResults.MemoryCurve;
import io.streamnlp.bench.BenchResults.ModelFacts;
import io.streamnlp.bench.BenchResults.RawPoint;
import io.streamnlp.bench.BenchResults.RawVariant;
import io.streamnlp.bench.BenchResults.StateSize;
import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.model.internals.CascadeRule;
import io.streamnlp.model.internals.ModelDirectory;
import io.streamnlp.model.internals.OnnxModel;
import io.streamnlp.text.internals.HuggingFaceTextTokenizer;
import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run of every measurement on both shipped encoders, in one JVM on one machine, so that every ratio in
 * the report compares figures taken side by side: the ceiling (ONNX Runtime alone), the pipeline end to end
 * through a broker, cost against history and window length, long-range memory, state and memory sizes, and
 * explanations.
 */
public final class BenchSuite {
  public static final String RNN = "rnn";
  public static final String ATTENTION = "attention";
  /** A model with the GRU's signature that does no work (bench/no-work-rnn, models/train/no_work_rnn.py). */
  public static final String NO_WORK_RNN_MODEL_DIR = "classpath:bench/no-work-rnn";
  /** Both: encoder=cascade. */
  public static final String CASCADE = "cascade";
  /** The cascade as {@code encoder=cascade} runs by default: its threshold, re-read tags the transformer's. */
  public static final CascadeRule DEFAULT_CASCADE = new CascadeRule(StreamNlpConfig.CASCADE_THRESHOLD_DEFAULT,
      CascadeRule.Combine.ATTENTION);
  /** Steps a run reports progress for. */
  public static final int STEPS = 17;
  private static final int LONG_TOKENS = 128;
  private static final int SHORT_TOKENS = 16;
  /** Mixed messages spread from 8 to 64 tokens, about the range of tweets (SemEval-2017: 21 to 46 for 80 %). */
  private static final int MIXED_MIN_TOKENS = 8;
  private static final int MIXED_MAX_TOKENS = 64;
  static final String MIXED = "mixed";
  /** The cascade's workload: the shipped short messages (chats, tickets, reviews), each from a new key. */
  static final String CHAT = "chat";

  /** How much to measure: {@link #quickPlan()} for a few minutes on 2 cores, {@link #fullPlan()} for steadier figures. */
  public record Plan(boolean quick, double rawSeconds, EndToEndBench.Settings endToEnd, int[] histories,
                     int historyMessages, int[] windows, int windowMessages, int rounds, int memoryKeys,
                     int[] distances, int memoryWindow, int explanationMessages) {

    public static Plan quickPlan() {
      return new Plan(true, 1.0, new EndToEndBench.Settings(3, 3, 0.5, 64, 100, 20_000, Duration.ofSeconds(60)),
          new int[] {1, 100, 1000}, 512, new int[] {0, 32, 64, 128, 240}, 64, 2, 40,
          new int[] {0, 16, 64, 128, 256, 1024}, 128, 128);
    }

    public static Plan fullPlan() {
      return new Plan(false, 4.0, new EndToEndBench.Settings(15, 15, 0.5, 64, 200, 200_000, Duration.ofSeconds(60)),
          new int[] {1, 10, 100, 1000, 10_000}, 2048, new int[] {0, 16, 32, 64, 128, 192, 240}, 256, 3, 200,
          new int[] {0, 16, 32, 64, 96, 128, 192, 256, 512, 1024}, 128, 256);
    }
  }

  private final Plan plan;
  private final EndToEndBench.Target target;
  private final String brokerDescription;
  private final long seed;
  private final PrintWriter out;

  /**
   * @param brokerDescription what the broker is, for the report (e.g. "embedded single-node KRaft")
   */
  public BenchSuite(Plan plan, EndToEndBench.Target target, String brokerDescription, long seed, PrintWriter out) {
    this.plan = plan;
    this.target = target;
    this.brokerDescription = brokerDescription;
    this.seed = seed;
    this.out = out;
  }

  public BenchResults run() throws Exception {
    Instant started = Instant.now();
    Progress progress = new Progress(out, STEPS);
    int batch = Integer.parseInt(setting(StreamNlpConfig.BATCH_SIZE_CONFIG));
    long maxWait = Long.parseLong(setting(StreamNlpConfig.BATCH_MAX_WAIT_MS_CONFIG));
    int maxTokens = Integer.parseInt(setting(StreamNlpConfig.MAX_TOKENS_CONFIG));
    Map<String, ModelDirectory> dirs = new LinkedHashMap<>();
    dirs.put(RNN, ModelDirectory.open(StreamNlpConfig.RNN_MODEL_DIR_DEFAULT));
    dirs.put(ATTENTION, ModelDirectory.open(StreamNlpConfig.ATTENTION_MODEL_DIR_DEFAULT));

    progress.step("models, and the state each key keeps");
    List<ModelFacts> facts = new ArrayList<>();
    for (Map.Entry<String, ModelDirectory> e : dirs.entrySet()) {
      facts.add(ModelProfiles.facts(e.getKey(), e.getValue()));
    }
    List<EndToEndBench.Workload> workloads = workloads(dirs.get(ATTENTION), Math.min(LONG_TOKENS, maxTokens));
    List<StateSize> states = new ArrayList<>();
    try (OnnxModel gru = OnnxModel.load(dirs.get(RNN), OnnxModel.RuntimeOptions.cpu(), maxTokens)) {
      states.add(ModelProfiles.rnnState(gru));
    }
    for (int tokens : new int[] {32, 128, 240}) {
      states.add(ModelProfiles.contextWindow(tokens));
    }
    states.forEach(s -> progress.detail("%s %s%s: %,d bytes per key", s.encoder(), s.what(),
        s.tokens() > 0 ? " of " + s.tokens() + " tokens" : "", s.bytes()));

    progress.step("memory each model takes in this JVM (resident and heap)");
    List<Footprint> footprints = new ArrayList<>();
    for (Map.Entry<String, ModelDirectory> e : dirs.entrySet()) {
      Footprint f = ModelProfiles.footprint(e.getKey(), e.getValue(), maxTokens,
          workloads.get(1).texts(), Math.min(batch, workloads.get(1).texts().size()));
      footprints.add(f);
      progress.detail("%s: %.0f MB resident, %.1f MB heap", f.model(), f.residentBytes() / 1e6, f.heapBytes() / 1e6);
    }

    List<RawPoint> raw = new ArrayList<>();
    for (Map.Entry<String, ModelDirectory> e : dirs.entrySet()) {
      progress.step("ONNX Runtime alone (the ceiling): " + e.getKey());
      raw.addAll(raw(e.getKey(), e.getValue(), maxTokens, workloads, batch, progress));
    }

    List<EndToEndPoint> endToEnd = new ArrayList<>();
    EndToEndBench e2e = new EndToEndBench(target, plan.endToEnd(), progress);
    for (String encoder : dirs.keySet()) {
      for (int b : batches(batch)) {
        progress.step("end to end through the broker: encoder=" + encoder + ", batch.size=" + b);
        endToEnd.addAll(e2e.run(encoder, b, workloads, (enc, w, size) -> ceiling(raw, enc, w, size)));
      }
    }
    if (batch == 1) {
      progress.step("(batch.size is 1: no second batch size to run)");
    }

    EndToEndBench.Workload mixed = workloads.stream().filter(w -> w.name().equals(MIXED)).findFirst().orElseThrow();
    progress.step("ONNX Runtime alone: batches padded to their longest message; the int8 attention model");
    List<RawVariant> rawVariants = new ArrayList<>();
    for (Map.Entry<String, ModelDirectory> e : dirs.entrySet()) {
      try (OnnxModel model = OnnxModel.load(e.getValue(), OnnxModel.RuntimeOptions.cpu(), maxTokens)) {
        RawPoint p = RawThroughput.measure(e.getKey(), model, mixed.name(), mixed.texts(), new int[] {batch},
            plan.rawSeconds(), false).get(0);
        rawVariants.add(new RawVariant("padded", p));
        progress.detail("%s, mixed messages, batch %d padded to its longest: %,.0f messages/s", e.getKey(), batch,
            p.messagesPerSecond());
      }
    }
    ModelDirectory int8Dir = ModelDirectory.open(StreamNlpConfig.ATTENTION_INT8_MODEL_DIR);
    try (OnnxModel int8 = OnnxModel.load(int8Dir, OnnxModel.RuntimeOptions.cpu(), maxTokens)) {
      for (EndToEndBench.Workload w : workloads) {
        for (RawPoint p : RawThroughput.measure(ATTENTION, int8, w.name(), w.texts(), batches(batch),
            plan.rawSeconds())) {
          rawVariants.add(new RawVariant("int8", p));
          progress.detail("int8 attention, %s messages, batch %d: %,.0f messages/s", w.name(), p.batch(),
              p.messagesPerSecond());
        }
      }
    }

    progress.step("end to end, mixed messages, batch.size=" + batch + ": latency.mode=low, and the int8 model");
    List<EndToEndVariant> endToEndVariants = new ArrayList<>();
    for (String encoder : dirs.keySet()) {
      endToEndVariants.add(new EndToEndVariant("low-latency", e2e.run(encoder, batch, List.of(mixed),
          (enc, w, size) -> ceiling(raw, enc, w, size), Map.of(StreamNlpConfig.LATENCY_MODE_CONFIG, "low")).get(0)));
    }
    List<RawPoint> int8Raw = RawVariant.points(rawVariants, "int8");
    endToEndVariants.add(new EndToEndVariant("int8", e2e.run(ATTENTION, batch, List.of(mixed),
        (enc, w, size) -> ceiling(int8Raw, enc, w, size),
        Map.of(StreamNlpConfig.MODEL_DIR_CONFIG, StreamNlpConfig.ATTENTION_INT8_MODEL_DIR)).get(0)));

    // The pipeline's own ceiling: the GRU's topology, serdes and stores with a model that does no work.
    EndToEndBench.Workload shortMessages = workloads.get(0);
    progress.step("end to end, short messages, batch.size=" + batch + ": the GRU's pipeline with a model that does "
        + "no work (Kafka alone)");
    endToEndVariants.add(new EndToEndVariant("kafka-alone", e2e.run(RNN, batch, List.of(shortMessages),
        (enc, w, size) -> ceiling(raw, RNN, w, size),
        Map.of(StreamNlpConfig.MODEL_DIR_CONFIG, NO_WORK_RNN_MODEL_DIR)).get(0)));

    // Both: the GRU reads every message, the transformer re-reads the unsure ones. On keys with long histories
    // the GRU's state leaves almost nothing unsure, so the cascade runs on messages from keys that send one
    // (the case it is for), beside both encoders on the same messages. Its ceiling is the transformer's alone
    // (the model it saves calls of), float or int8 as it re-reads.
    EndToEndBench.Workload chat = chat(dirs.get(ATTENTION));
    progress.step("end to end, short messages each from a new key, batch.size=" + batch + ": encoder=cascade "
        + "(float and int8 re-reading) beside each encoder");
    List<RawPoint> chatRaw = new ArrayList<>();
    try (OnnxModel transformer = OnnxModel.load(dirs.get(ATTENTION), OnnxModel.RuntimeOptions.cpu(), maxTokens);
         OnnxModel int8 = OnnxModel.load(int8Dir, OnnxModel.RuntimeOptions.cpu(), maxTokens);
         OnnxModel gru = OnnxModel.load(dirs.get(RNN), OnnxModel.RuntimeOptions.cpu(), maxTokens)) {
      int[] b = {batch};
      chatRaw.addAll(RawThroughput.measure(ATTENTION, transformer, CHAT, chat.texts(), b, plan.rawSeconds()));
      chatRaw.addAll(RawThroughput.measure(RNN, gru, CHAT, chat.texts(), b, plan.rawSeconds()));
      chatRaw.forEach(p -> rawVariants.add(new RawVariant("key-per-message", p)));
      for (RawPoint p : RawThroughput.measure(ATTENTION, int8, CHAT, chat.texts(), b, plan.rawSeconds())) {
        rawVariants.add(new RawVariant("int8", p));
      }
    }
    List<RawPoint> chatInt8 = RawVariant.points(rawVariants, "int8");
    for (String encoder : dirs.keySet()) {
      endToEndVariants.add(new EndToEndVariant("key-per-message", e2e.run(encoder, batch, List.of(chat),
          (enc, w, size) -> ceiling(chatRaw, enc, w, size), Map.of()).get(0)));
    }
    endToEndVariants.add(new EndToEndVariant("cascade", e2e.run(CASCADE, batch, List.of(chat),
        (enc, w, size) -> ceiling(chatRaw, ATTENTION, w, size), Map.of()).get(0)));
    endToEndVariants.add(new EndToEndVariant("cascade-int8", e2e.run(CASCADE, batch, List.of(chat),
        (enc, w, size) -> ceiling(chatInt8, ATTENTION, w, size),
        Map.of(StreamNlpConfig.CASCADE_MODEL_DIR_CONFIG, StreamNlpConfig.ATTENTION_INT8_MODEL_DIR)).get(0)));

    CostCurves curves = new CostCurves(plan.rounds(), plan.historyMessages());
    List<CostPoint> history;
    progress.step("cost per message against the key's history: encoder=rnn");
    try (OnnxModel gru = OnnxModel.load(dirs.get(RNN), OnnxModel.RuntimeOptions.cpu(), maxTokens)) {
      history = curves.rnnHistory(gru, plan.histories(), batch, p -> progress.detail(
          "history %,d messages: %.4f ms/message at batch 1, %.4f at batch %d", p.length(), p.msBatch1(),
          p.msBatched(), p.batch()));
    }
    List<CostPoint> window;
    progress.step("cost per message against the context window: encoder=attention");
    try (OnnxModel transformer = OnnxModel.load(dirs.get(ATTENTION), OnnxModel.RuntimeOptions.cpu(),
        dirs.get(ATTENTION).manifest().maxTokens())) {
      window = new CostCurves(plan.rounds(), plan.windowMessages()).attentionWindow(transformer, plan.windows(),
          batch, p -> progress.detail("window %d tokens: %.3f ms/message at batch 1, %.3f at batch %d", p.length(),
              p.msBatch1(), p.msBatched(), p.batch()));
    }

    progress.step("long-range memory, " + plan.memoryKeys() + " held-out conversations per distance");
    MemoryCurve memory;
    try (OnnxModel gru = OnnxModel.load(dirs.get(RNN), OnnxModel.RuntimeOptions.cpu(), maxTokens);
         OnnxModel transformer = OnnxModel.load(dirs.get(ATTENTION), OnnxModel.RuntimeOptions.cpu(),
             dirs.get(ATTENTION).manifest().maxTokens())) {
      memory = new LongRangeMemory(plan.memoryKeys(), plan.memoryWindow(), seed).measure(gru, transformer,
          DEFAULT_CASCADE, plan.distances(), p -> progress.detail("d = %4d tokens: replies right, rnn %.0f %% "
              + "(alone %.0f %%), attention %.0f %% (alone %.0f %%), cascade %.0f %%; leak rnn %.0f %%, attention "
              + "%.0f %%, cascade %.0f %%", p.distance(), 100 * p.rnnReplies(), 100 * p.rnnRepliesAlone(),
              100 * p.attentionReplies(), 100 * p.attentionRepliesAlone(), 100 * p.cascadeReplies(),
              100 * p.rnnLeak(), 100 * p.attentionLeak(), 100 * p.cascadeLeak()));
    }

    progress.step("explanations: availability and cost");
    List<ExplanationCost> explanations = new ArrayList<>();
    List<String> sample = workloads.get(0).texts().subList(0, Math.min(plan.explanationMessages(),
        workloads.get(0).texts().size()));
    for (Map.Entry<String, ModelDirectory> e : dirs.entrySet()) {
      try (OnnxModel model = OnnxModel.load(e.getValue(), OnnxModel.RuntimeOptions.cpu(), maxTokens)) {
        for (ExplanationCost c : ModelProfiles.explanations(e.getKey(), model, sample, batch,
            Math.max(2, plan.rounds()))) {
          explanations.add(c);
          progress.detail(c.available() ? "%s batch %d: %.3f ms/message without, %.3f with explanations"
              : "%s: not available (%5$s)", c.encoder(), c.batch(), c.msWithout(), c.msWith(), c.why());
        }
      }
    }

    progress.step("writing the report");
    JvmMemory.Snapshot end = JvmMemory.snapshot();
    footprints.add(new Footprint("jvm", "whole bench JVM at its peak (broker included)", end.peakResidentBytes(),
        end.heapBytes()));
    Environment env = new Environment(started.toString(), progress.seconds(), plan.quick(), seed,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name") + " "
        + System.getProperty("java.version"), System.getProperty("os.name") + " " + System.getProperty("os.arch"),
        Runtime.getRuntime().maxMemory(), brokerDescription, batch, maxWait, "exactly_once_v2");
    return new BenchResults(env, facts, raw, endToEnd, history, window, memory, states, footprints, explanations,
        rawVariants, endToEndVariants);
  }

  /** The ONNX Runtime ceiling among {@code points} for this encoder, workload and batch. */
  private static double ceiling(List<RawPoint> points, String encoder, EndToEndBench.Workload w, int batch) {
    return points.stream().filter(r -> r.encoder().equals(encoder) && r.messages().equals(w.name())
        && r.batch() == batch).mapToDouble(RawPoint::messagesPerSecond).findFirst().orElse(Double.NaN);
  }

  /** A pipeline setting as the end-to-end runs get it: the user's override, else the documented default. */
  private String setting(String key) {
    Object value = target.overrides().get(key);
    return String.valueOf(value != null ? value : StreamNlpConfig.configDef().defaultValues().get(key));
  }

  /**
   * Short (about 16 tokens), long (about {@code longTokens}) and mixed (8 to 64 tokens, shuffled) messages, 64
   * different ones each.
   */
  private List<EndToEndBench.Workload> workloads(ModelDirectory dir, int longTokens) throws Exception {
    try (InputStream json = dir.openTokenizer();
         HuggingFaceTextTokenizer tokenizer = HuggingFaceTextTokenizer.load(json, dir.manifest().maxTokens())) {
      List<EndToEndBench.Workload> w = new ArrayList<>();
      for (int[] spec : new int[][] {{SHORT_TOKENS, 0}, {longTokens, 1}}) {
        List<String> texts = BenchTexts.ofTokens(tokenizer, spec[0], 64, seed + spec[1]);
        w.add(new EndToEndBench.Workload(spec[1] == 0 ? "short" : "long", texts,
            BenchTexts.meanTokens(tokenizer, texts)));
      }
      List<String> mixed = BenchTexts.mixed(tokenizer, MIXED_MIN_TOKENS, Math.min(MIXED_MAX_TOKENS, longTokens), 64,
          seed + 2);
      w.add(new EndToEndBench.Workload(MIXED, mixed, BenchTexts.meanTokens(tokenizer, mixed)));
      return w;
    }
  }

  /** The shipped short messages (never trained on), each sent from a new key: see {@link #CHAT}. */
  private static EndToEndBench.Workload chat(ModelDirectory dir) throws Exception {
    List<String> texts = LongRangeMemory.pool().stream().map(io.streamnlp.evaluation.LabelledText::text).toList();
    try (InputStream json = dir.openTokenizer();
         HuggingFaceTextTokenizer tokenizer = HuggingFaceTextTokenizer.load(json, dir.manifest().maxTokens())) {
      return new EndToEndBench.Workload(CHAT, texts, BenchTexts.meanTokens(tokenizer, texts), true);
    }
  }

  private List<RawPoint> raw(String encoder, ModelDirectory dir, int maxTokens,
                             List<EndToEndBench.Workload> workloads, int batch, Progress progress) throws Exception {
    List<RawPoint> points = new ArrayList<>();
    try (OnnxModel model = OnnxModel.load(dir, OnnxModel.RuntimeOptions.cpu(), maxTokens)) {
      for (EndToEndBench.Workload w : workloads) {
        for (RawPoint p : RawThroughput.measure(encoder, model, w.name(), w.texts(), batches(batch),
            plan.rawSeconds())) {
          points.add(p);
          progress.detail("%s messages (%.0f tokens), batch %d: %,.0f messages/s", w.name(), p.meanTokens(),
              p.batch(), p.messagesPerSecond());
        }
      }
    }
    return points;
  }

  /** Batch 1, and the configured batch size when it is another. */
  private static int[] batches(int batch) {
    return batch == 1 ? new int[] {1} : new int[] {1, batch};
  }

}
