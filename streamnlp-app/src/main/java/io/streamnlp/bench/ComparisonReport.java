package io.streamnlp.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamnlp.bench.BenchResults.CostPoint;
import io.streamnlp.bench.BenchResults.EndToEndPoint;
import io.streamnlp.bench.BenchResults.ExplanationCost;
import io.streamnlp.bench.BenchResults.Footprint;
import io.streamnlp.bench.BenchResults.MemoryPoint;
import io.streamnlp.bench.BenchResults.ModelFacts;
import io.streamnlp.bench.BenchResults.RawPoint;
import io.streamnlp.bench.BenchResults.StateSize;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Writes a run's report: {@code report.md} (the comparison table, each cell a measured figure with a verdict
 * drawn from the figures by fixed rules, then the detailed tables and the plots), {@code results.json} (every
 * figure, for other tools) and the PNG plots. Nothing in it is typed by hand: each number comes from
 * {@link BenchResults}.
 */
public final class ComparisonReport {
  /** A difference smaller than this share is called a tie. */
  static final double TIE = 0.10;

  private final BenchResults r;

  public ComparisonReport(BenchResults r) {
    this.r = r;
  }

  /** Results written by an earlier run's {@link #write}, to draw its report again. */
  public static BenchResults read(Path resultsJson) throws IOException {
    return new ObjectMapper().readValue(resultsJson.toFile(), BenchResults.class);
  }

  /** Writes the report into {@code dir} (created if needed); returns the Markdown file. */
  public Path write(Path dir) throws IOException {
    Files.createDirectories(dir);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("results.json").toFile(), r);
    List<String> plots = Charts.write(r, dir);
    Path md = dir.resolve("report.md");
    Files.writeString(md, markdown(plots), StandardCharsets.UTF_8);
    return md;
  }

  String markdown(List<String> plots) {
    StringBuilder s = new StringBuilder();
    var env = r.environment();
    ModelFacts rnn = model(BenchSuite.RNN);
    ModelFacts att = model(BenchSuite.ATTENTION);
    s.append("# RNN or self-attention? Measured on this machine\n\n");
    s.append(f("`streamnlp bench%s` started %s and took %.0f s: %d cores, %s, %s, max heap %.0f MB; broker: %s; "
            + "`processing.guarantee=%s`, `batch.size=%d`, `batch.max.wait.ms=%d`; seed %d.%n%n",
        env.quick() ? " --quick" : "", env.started(), env.durationSeconds(), env.cores(), env.jvm(), env.os(),
        env.maxHeapBytes() / 1e6, env.broker(), env.processingGuarantee(), env.configuredBatch(),
        env.batchMaxWaitMs(), env.seed()));
    s.append(f("Stateful RNN: `%s` %s (%s). Windowed self-attention: `%s` %s (%s).%n%n", rnn.name(), rnn.version(),
        rnn.architecture(), att.name(), att.version(), att.architecture()));

    s.append("## The comparison\n\n");
    s.append("| | stateful RNN (`encoder=rnn`) | windowed self-attention (`encoder=attention`) | both: the cascade "
        + "(`encoder=cascade`) | verdict |\n");
    s.append("|---|---|---|---|---|\n");
    architectureRow(s, rnn, att);
    longRangeRow(s);
    complexityRow(s);
    trainingRow(s, rnn, att);
    inferenceRow(s);
    latencyRow(s);
    interpretabilityRow(s);
    memoryRow(s);
    s.append("\nVerdicts follow fixed rules over the figures above (a difference under ")
        .append(Math.round(TIE * 100)).append(" % is a tie); the figures are this run's, on this machine.\n\n");

    batchingAndLatency(s);
    details(s);
    s.append("## Plots\n\n");
    for (String p : plots) {
      s.append("![").append(p.replace(".png", "")).append("](").append(p).append(")\n\n");
    }
    return s.toString();
  }

  private void architectureRow(StringBuilder s, ModelFacts rnn, ModelFacts att) {
    int state = state(BenchSuite.RNN, 0);
    int window = state(BenchSuite.ATTENTION, r.memory().window());
    double perToken = bytesPerWindowToken();
    row(s, "Architecture",
        f("%s; ONNX %.1f MB; state %,d B per key, whatever its history", rnn.architecture(), rnn.onnxBytes() / 1e6,
            state),
        f("%s; ONNX %.1f MB; no state with a window of 0, %,d B per key for a window of %d tokens",
            att.architecture(), att.onnxBytes() / 1e6, window, r.memory().window()),
        f("the RNN's %,d B per key; an unsure message is re-read alone (no window); both models loaded, ONNX "
            + "%.1f MB", state, (rnn.onnxBytes() + att.onnxBytes()) / 1e6),
        f("RNN: a constant %,d B per key however long the history (as much as a %.0f-token window); attention: "
            + "stateless, or %.0f B per token of window it keeps; the cascade: the RNN's state, both models' "
            + "files", state, state / perToken, perToken));
  }

  /** The context store's cost per kept token, from the two largest windows measured. */
  private double bytesPerWindowToken() {
    List<StateSize> w = r.stateSizes().stream().filter(st -> st.encoder().equals(BenchSuite.ATTENTION)
        && st.tokens() > 0).sorted(java.util.Comparator.comparingInt(StateSize::tokens)).toList();
    if (w.size() < 2) {
      return w.isEmpty() ? Double.NaN : (double) w.get(0).bytes() / w.get(0).tokens();
    }
    StateSize a = w.get(w.size() - 2);
    StateSize b = w.get(w.size() - 1);
    return (double) (b.bytes() - a.bytes()) / (b.tokens() - a.tokens());
  }

  private void longRangeRow(StringBuilder s) {
    int w = r.memory().window();
    List<MemoryPoint> pts = r.memory().points();
    double rnnIn = mean(pts, p -> p.distance() + 32 <= w, true);
    double attIn = mean(pts, p -> p.distance() + 32 <= w, false);
    double rnnOut = mean(pts, p -> p.distance() > w, true);
    double attOut = mean(pts, p -> p.distance() > w, false);
    String curveRnn = curve(pts, true) + f("; leak at most %.0f %%", 100 * maxLeak(pts, true));
    String curveAtt = curve(pts, false) + f("; leak at most %.0f %%", 100 * maxLeak(pts, false));
    boolean both = pts.stream().allMatch(p -> p.cascadeReplies() != null);
    String curveBoth = both ? curve(pts, MemoryPoint::cascadeReplies) + f("; leak at most %.0f %%",
        100 * maxLeak(pts, MemoryPoint::cascadeLeak))
        : "not measured in this run";
    String inside = compare(f("within the window (d + 32 <= %d)", w), attIn, rnnIn);
    String beyond = compare("beyond it", attOut, rnnOut);
    String cascade = "";
    if (both) {
      double bothAll = mean(pts, p -> true, MemoryPoint::cascadeReplies);
      double rnnAll = mean(pts, p -> true, MemoryPoint::rnnReplies);
      cascade = "; the cascade " + (Math.abs(bothAll - rnnAll) < TIE ? "a tie with the RNN"
          : bothAll > rnnAll ? "remembers better than the RNN" : "remembers less than the RNN (a re-read reply "
              + "is read without its history)") + f(" (%.0f %% vs %.0f %% over all distances)", 100 * bothAll,
          100 * rnnAll);
    }
    row(s, "Long-range dependencies (held-out replies tagged right d tokens after the message they answer; "
        + "leak: standalone neutral messages pulled by the context)", curveRnn, curveAtt, curveBoth,
        inside + "; " + beyond + cascade);
  }

  private static String compare(String where, double attention, double rnn) {
    if (Double.isNaN(attention) || Double.isNaN(rnn)) {
      return where + ": not measured";
    }
    String figures = f("attention %.0f %% vs RNN %.0f %%", 100 * attention, 100 * rnn);
    if (Math.abs(attention - rnn) < TIE) {
      return where + " a tie (" + figures + ")";
    }
    return where + " " + (attention > rnn ? "attention" : "the RNN") + " remembers better (" + figures + ")";
  }

  private void complexityRow(StringBuilder s) {
    CostPoint h0 = r.rnnHistory().get(0);
    CostPoint h1 = r.rnnHistory().get(r.rnnHistory().size() - 1);
    CostPoint w0 = r.attentionWindow().get(0);
    CostPoint w1 = r.attentionWindow().get(r.attentionWindow().size() - 1);
    double rnnGrowth = h1.msBatch1() / h0.msBatch1();
    double attGrowth = w1.msBatch1() / w0.msBatch1();
    Optional<EndToEndPoint> cascade = cascadeRun(false);
    String both = cascade.map(c -> f("the RNN's %.3f ms after %,d messages + %.0f %% re-read x %.2f ms (a message "
        + "alone) = %.3f ms: flat in the history", h1.msBatch1(), h1.length(), 100 * c.rereadShare(), w0.msBatch1(),
        h1.msBatch1() + c.rereadShare() * w0.msBatch1())).orElse("not measured in this run");
    row(s, "Computational complexity (cost per message as the key's past grows, batch 1)",
        f("%.3f ms after %,d message(s), %.3f ms after %,d: x%.2f", h0.msBatch1(), h0.length(), h1.msBatch1(),
            h1.length(), rnnGrowth),
        f("%.2f ms with no context, %.2f ms with %d tokens: x%.2f", w0.msBatch1(), w1.msBatch1(), w1.length(),
            attGrowth), both,
        f("RNN %s: O(1) per message whatever the history; attention %s with its window: every token attends "
            + "to every other (quadratic in message + window) on top of per-token layers (linear); the cascade "
            + "stays O(1): it re-reads a message without its history", growth(rnnGrowth), growth(attGrowth)));
  }

  private static String growth(double ratio) {
    return ratio < 1.25 ? f("flat (x%.2f)", ratio) : f("grows x%.1f", ratio);
  }

  private void trainingRow(StringBuilder s, ModelFacts rnn, ModelFacts att) {
    Double rnnRate = trainRate(rnn);
    Double attRate = trainRate(att);
    String verdict = rnnRate == null || attRate == null ? "no training record shipped with a model"
        : f("the RNN trains %.1fx %s per example (here it was also distilled from the transformer, so it needed "
            + "the transformer first)", Math.max(rnnRate, attRate) / Math.min(rnnRate, attRate),
            rnnRate > attRate ? "faster" : "slower");
    String both = rnnRate == null || attRate == null ? "no training record shipped with a model"
        : f("both recipes: %.0f s (the transformer, then the RNN distilled from it)",
            rnn.trainSeconds() + att.trainSeconds());
    row(s, "Training speed (the recipe's record, `training.json`)", training(rnn), training(att), both, verdict);
  }

  private static Double trainRate(ModelFacts m) {
    if (m.trainSeconds() == null || m.trainExamples() == null || m.epochs() == null || m.trainSeconds() <= 0) {
      return null;
    }
    return m.trainExamples() * m.epochs() / m.trainSeconds();
  }

  private static String training(ModelFacts m) {
    Double rate = trainRate(m);
    if (rate == null) {
      return "no training record";
    }
    return f("%.0f s for %.0f pass(es) over %,d examples (%.0f examples/s); dev figure chosen on %.3f", m.trainSeconds(),
        m.epochs(), m.trainExamples(), rate, m.devAccuracy() == null ? Double.NaN : m.devAccuracy());
  }

  private void inferenceRow(StringBuilder s) {
    int b = r.environment().configuredBatch();
    Function<String, String> cell = enc -> perEncoder(r.endToEnd(), EndToEndPoint::encoder, enc,
        x -> x.batch() == b, x -> f("%s (%.0f tok): %,.0f msg/s end to end, %.0f %% of ONNX Runtime alone (%,.0f)",
            x.messages(), x.meanTokens(), x.messagesPerSecond(), 100 * x.ratioToRaw(), x.rawMessagesPerSecond()))
        + "; batch " + b;
    StringBuilder verdict = new StringBuilder();
    for (String m : new String[] {"short", "long"}) {
      Optional<EndToEndPoint> a = e2e(BenchSuite.RNN, m, b);
      Optional<EndToEndPoint> t = e2e(BenchSuite.ATTENTION, m, b);
      if (a.isPresent() && t.isPresent()) {
        double ratio = a.get().messagesPerSecond() / t.get().messagesPerSecond();
        verdict.append(f("%s messages: %s; ", m, Math.abs(ratio - 1) < TIE ? f("a tie (x%.2f)", ratio)
            : ratio > 1 ? f("RNN x%.1f faster", ratio) : f("attention x%.1f faster", 1 / ratio)));
      }
    }
    StringBuilder both = new StringBuilder();
    Optional<EndToEndPoint> att = baseline(BenchSuite.ATTENTION, b);
    Optional<EndToEndPoint> gru = baseline(BenchSuite.RNN, b);
    for (boolean int8 : new boolean[] {false, true}) {
      cascadeRun(int8).ifPresent(c -> both.append(f("%s%s transformer re-reading, %s (%.0f tok%s): %,.0f msg/s end "
              + "to end, %.0f %% re-read", both.length() == 0 ? "" : "; ", int8 ? "int8" : "float", c.messages(),
          c.meanTokens(), c.messages().equals(BenchSuite.CHAT) ? ", a key per message" : "", c.messagesPerSecond(),
          100 * c.rereadShare())));
    }
    Optional<EndToEndPoint> cascade = cascadeRun(false);
    if (cascade.isPresent() && att.isPresent() && gru.isPresent()) {
      double vsAtt = cascade.get().messagesPerSecond() / att.get().messagesPerSecond();
      double vsRnn = cascade.get().messagesPerSecond() / gru.get().messagesPerSecond();
      verdict.append(f("%s messages: the cascade (float) %s the transformer and x%.2f the RNN on the same messages; ",
          cascade.get().messages(), Math.abs(vsAtt - 1) < TIE ? f("ties with (x%.2f)", vsAtt)
              : f("runs x%.1f", vsAtt), vsRnn));
    }
    row(s, "Inference speed (throughput through Kafka, exactly-once)", cell.apply(BenchSuite.RNN),
        cell.apply(BenchSuite.ATTENTION), both.length() == 0 ? "not measured in this run" : both.toString(),
        verdict.append("the ceiling ratio shows how much Kafka, serdes and state cost on top of the model").toString());
  }

  private void latencyRow(StringBuilder s) {
    Function<String, String> cell = enc -> perEncoder(r.endToEnd(), EndToEndPoint::encoder, enc, x -> true,
        p -> f("%s b%d: p50 %.0f / p99 %.0f ms", p.messages(), p.batch(), p.p50Ms(), p.p99Ms()));
    double rnnP99 = worstP99(BenchSuite.RNN);
    double attP99 = worstP99(BenchSuite.ATTENTION);
    String verdict = Math.abs(rnnP99 - attP99) < TIE * Math.max(rnnP99, attP99)
        ? f("a tie at the worst p99 (%.0f vs %.0f ms): the commit interval and batching wait dominate", rnnP99,
            attP99)
        : f("worst p99: RNN %.0f ms, attention %.0f ms; %s", rnnP99, attP99,
            rnnP99 < attP99 ? "the RNN answers sooner" : "attention answers sooner");
    StringBuilder both = new StringBuilder();
    for (boolean int8 : new boolean[] {false, true}) {
      cascadeRun(int8).ifPresent(c -> both.append(f("%s%s b%d%s: p50 %.0f / p99 %.0f ms", both.length() == 0 ? ""
          : "; ", c.messages(), c.batch(), int8 ? " (int8)" : "", c.p50Ms(), c.p99Ms())));
    }
    double bothP99 = cascadeRun(false).map(EndToEndPoint::p99Ms).orElse(Double.NaN);
    String vsBoth = Double.isNaN(bothP99) ? "" : f("; the cascade's p99 %.0f ms", bothP99);
    row(s, "Latency (record created → result readable, at half the measured throughput)",
        cell.apply(BenchSuite.RNN), cell.apply(BenchSuite.ATTENTION),
        both.length() == 0 ? "not measured in this run" : both.toString(), verdict + vsBoth);
  }

  private double worstP99(String encoder) {
    return r.endToEnd().stream().filter(p -> p.encoder().equals(encoder)).mapToDouble(EndToEndPoint::p99Ms).max()
        .orElse(Double.NaN);
  }

  private void interpretabilityRow(StringBuilder s) {
    Function<String, String> cell = enc -> perEncoder(r.explanations(), ExplanationCost::encoder, enc, e -> true,
        e -> e.available() ? f("batch %d: %.2f → %.2f ms/message with explanations (x%.2f)", e.batch(),
            e.msWithout(), e.msWith(), e.msWith() / e.msWithout()) : "no explanations: " + e.why());
    double worst = r.explanations().stream().filter(ExplanationCost::available)
        .mapToDouble(e -> e.msWith() / e.msWithout()).max().orElse(Double.NaN);
    boolean rnnExplains = r.explanations().stream().anyMatch(e -> e.encoder().equals(BenchSuite.RNN) && e.available());
    String verdict = Double.isNaN(worst) ? "neither model explains its tags"
        : f("attention: token weights per tag at x%.2f the cost at most; %s — weights are a hint, not an "
            + "attribution", worst, rnnExplains ? "the RNN explains too" : "the RNN has none");
    boolean attExplains = r.explanations().stream().anyMatch(e -> e.encoder().equals(BenchSuite.ATTENTION)
        && e.available());
    String both = cascadeRun(false).map(c -> attExplains ? f("the transformer's token weights on the messages it "
        + "re-read (%.0f %% here); %s", 100 * c.rereadShare(), rnnExplains ? "the RNN's on the rest"
        : "none on those the RNN decided") : "no explanations: the transformer has none").orElse("not measured "
        + "in this run");
    row(s, "Interpretability", cell.apply(BenchSuite.RNN), cell.apply(BenchSuite.ATTENTION), both, verdict);
  }

  private void memoryRow(StringBuilder s) {
    Optional<Footprint> rnn = footprintOf(BenchSuite.RNN);
    Optional<Footprint> att = footprintOf(BenchSuite.ATTENTION);
    row(s, "Memory of the JVM (a loaded, used model)", rnn.map(ComparisonReport::footprint).orElse("-"),
        att.map(ComparisonReport::footprint).orElse("-"), "both models loaded: not measured as one",
        rnn.isPresent() && att.isPresent() && rnn.get().residentBytes() > 0 && att.get().residentBytes() > 0
            ? f("resident: attention x%.1f the RNN", (double) att.get().residentBytes() / rnn.get().residentBytes())
            : "resident memory not measurable here");
  }

  private Optional<Footprint> footprintOf(String encoder) {
    return r.footprints().stream().filter(fp -> fp.encoder().equals(encoder)).findFirst();
  }

  /** A table cell: the {@code items} of one encoder that pass {@code which}, each described, in order. */
  private static <T> String perEncoder(List<T> items, Function<T, String> encoderOf, String encoder,
                                       Predicate<T> which, Function<T, String> describe) {
    return items.stream().filter(x -> encoderOf.apply(x).equals(encoder) && which.test(x)).map(describe)
        .collect(Collectors.joining("; "));
  }

  private static String footprint(Footprint f) {
    // 0 is what results.json files from before the footprint stopped clamping hold for "did not grow".
    return f.residentBytes() <= 0 ? f("resident memory not measurable here (it did not grow), %.1f MB heap",
            f.heapBytes() / 1e6)
        : f("%.0f MB resident (native ONNX Runtime included), %.1f MB heap", f.residentBytes() / 1e6,
            f.heapBytes() / 1e6);
  }

  /** Length-aware batching, the int8 model and the latency modes, each against its baseline in this run. */
  private void batchingAndLatency(StringBuilder s) {
    if (r.rawVariants() == null || r.endToEndVariants() == null) {
      return; // results of a run before these were measured
    }
    int b = r.environment().configuredBatch();
    String mixed = BenchSuite.MIXED;
    s.append(f("## Batching, int8 and latency modes%n%nEach figure next to its baseline from this run. Mixed "
        + "messages: 64 texts spread from 8 to 64 tokens, shuffled.%n%n"));
    s.append(f("### Length-aware batching (ONNX Runtime alone, mixed messages)%n%n| encoder | batch 1 msg/s "
        + "| batch %d, one call padded to its longest | batch %d, calls of similar lengths | by length / batch 1 "
        + "| by length / padded |%n|---|---|---|---|---|---|%n", b, b));
    for (String enc : new String[] {BenchSuite.RNN, BenchSuite.ATTENTION}) {
      Optional<RawPoint> one = raw(r.raw(), enc, mixed, 1);
      Optional<RawPoint> grouped = raw(r.raw(), enc, mixed, b);
      Optional<RawPoint> padded = raw(BenchResults.RawVariant.points(r.rawVariants(), "padded"), enc, mixed, b);
      if (one.isPresent() && grouped.isPresent() && padded.isPresent()) {
        s.append(f("| %s | %,.0f | %,.0f | %,.0f | x%.2f | x%.2f |%n", enc, one.get().messagesPerSecond(),
            padded.get().messagesPerSecond(), grouped.get().messagesPerSecond(),
            grouped.get().messagesPerSecond() / one.get().messagesPerSecond(),
            grouped.get().messagesPerSecond() / padded.get().messagesPerSecond()));
      }
    }
    s.append(f("%n### int8 attention model (`%s`) vs float (ONNX Runtime alone)%n%n| messages | batch | float "
        + "msg/s | int8 msg/s | int8 / float |%n|---|---|---|---|---|%n", "minilm-l6-sentiment3-int8"));
    for (RawPoint q : BenchResults.RawVariant.points(r.rawVariants(), "int8")) {
      raw(r.raw(), BenchSuite.ATTENTION, q.messages(), q.batch()).ifPresent(fl -> s.append(f(
          "| %s (%.0f tok) | %d | %,.0f | %,.0f | x%.2f |%n", q.messages(), q.meanTokens(), q.batch(),
          fl.messagesPerSecond(), q.messagesPerSecond(), q.messagesPerSecond() / fl.messagesPerSecond())));
    }
    s.append(f("%n### End to end (exactly_once_v2, mixed messages, batch.size=%d)%n%n| encoder | configuration "
        + "| msg/s (backlog) | kept vs default | latency measured at msg/s | p50 ms | p99 ms |%n"
        + "|---|---|---|---|---|---|---|%n", b));
    for (String enc : new String[] {BenchSuite.RNN, BenchSuite.ATTENTION}) {
      Optional<EndToEndPoint> base = e2e(enc, mixed, b);
      base.ifPresent(p -> s.append(f("| %s | default (latency.mode=throughput) | %,.0f | | %.0f | %.0f | %.0f |%n",
          enc, p.messagesPerSecond(), p.latencyRate(), p.p50Ms(), p.p99Ms())));
      for (BenchResults.EndToEndVariant v : r.endToEndVariants()) {
        EndToEndPoint p = v.point();
        boolean mode = v.variant().equals("low-latency") || v.variant().equals("int8");
        if (mode && p.encoder().equals(enc)) {
          String what = v.variant().equals("low-latency") ? "latency.mode=low" : "int8 model, default mode";
          String kept = base.map(x -> f("%.0f %%", 100 * p.messagesPerSecond() / x.messagesPerSecond())).orElse("");
          s.append(f("| %s | %s | %,.0f | %s | %.0f | %.0f | %.0f |%n", enc, what, p.messagesPerSecond(), kept,
              p.latencyRate(), p.p50Ms(), p.p99Ms()));
        }
      }
    }
    s.append("\nLatency is measured at half of each configuration's own backlog throughput, from each record's "
        + "creation to its result being readable by a `read_committed` consumer.\n\n");
    kafkaAlone(s, b);
    cascade(s, b);
  }

  /** Goals of the GRU path (issue: RNN and self-attention together): shares of ONNX Runtime alone and of Kafka alone. */
  static final double GRU_GOAL_OF_RAW = 0.5;
  static final double GRU_GOAL_OF_KAFKA = 0.8;

  /** The GRU end to end beside its model alone and beside its pipeline with a model that does no work. */
  private void kafkaAlone(StringBuilder s, int b) {
    Optional<BenchResults.EndToEndVariant> none = r.endToEndVariants().stream()
        .filter(v -> v.variant().equals("kafka-alone")).findFirst();
    if (none.isEmpty()) {
      return;
    }
    EndToEndPoint ceiling = none.get().point();
    Optional<EndToEndPoint> gru = e2e(BenchSuite.RNN, ceiling.messages(), b);
    if (gru.isEmpty()) {
      return;
    }
    EndToEndPoint g = gru.get();
    double ofRaw = g.ratioToRaw();
    double ofKafka = g.messagesPerSecond() / ceiling.messagesPerSecond();
    s.append(f("### The pipeline's own ceiling (Kafka alone, %s messages, batch.size=%d)%n%n", g.messages(), b))
        .append("The GRU's topology, serdes and stores (exactly-once, the state and buffer changelogs) with a model "
            + "that does no work (`bench/no-work-rnn`: it copies its input state to its output):\n\n")
        .append("| | msg/s | GRU end to end as a share of it | goal | verdict |\n|---|---|---|---|---|\n")
        .append(f("| GRU in ONNX Runtime alone | %,.0f | %.0f %% | %.0f %% | %s |%n", g.rawMessagesPerSecond(),
            100 * ofRaw, 100 * GRU_GOAL_OF_RAW, ofRaw >= GRU_GOAL_OF_RAW ? "met" : "not met"))
        .append(f("| Kafka alone (no-work model) | %,.0f | %.0f %% | %.0f %% | %s |%n", ceiling.messagesPerSecond(),
            100 * ofKafka, 100 * GRU_GOAL_OF_KAFKA, ofKafka >= GRU_GOAL_OF_KAFKA ? "met" : "not met"))
        .append(f("| GRU end to end | %,.0f | | | |%n%n", g.messagesPerSecond()));
  }

  /** Below this share re-read, a cascade run measured the GRU alone. */
  static final double NOTHING_REREAD = 0.005;

  /**
   * The run of {@code encoder} the cascade is compared with: the same workload as the cascade's runs (its
   * key-per-message variant), else the main table's mixed messages (results written before that variant).
   */
  private Optional<EndToEndPoint> baseline(String encoder, int b) {
    List<BenchResults.EndToEndVariant> cascadeRuns = cascadeRuns();
    String messages = cascadeRuns.isEmpty() ? BenchSuite.MIXED : cascadeRuns.get(0).point().messages();
    Optional<EndToEndPoint> same = r.endToEndVariants() == null ? Optional.empty() : r.endToEndVariants().stream()
        .filter(v -> v.variant().equals("key-per-message") && v.point().encoder().equals(encoder)
            && v.point().messages().equals(messages)).map(BenchResults.EndToEndVariant::point).findFirst();
    return same.isPresent() ? same : e2e(encoder, messages, b);
  }

  /** Goals of the cascade (issue: RNN and self-attention together), end to end against the float transformer. */
  static final double CASCADE_GOAL_FLOAT = 2.5;
  static final double CASCADE_GOAL_INT8 = 4.0;

  /**
   * Both: the cascade end to end beside each model alone end to end and the transformer in ONNX Runtime alone,
   * with the share it re-read.
   */
  private void cascade(StringBuilder s, int b) {
    List<BenchResults.EndToEndVariant> runs = cascadeRuns();
    Optional<EndToEndPoint> att = baseline(BenchSuite.ATTENTION, b);
    Optional<EndToEndPoint> rnn = baseline(BenchSuite.RNN, b);
    if (runs.isEmpty() || att.isEmpty() || rnn.isEmpty()) {
      return;
    }
    EndToEndPoint first = runs.get(0).point();
    s.append(f("### Both: the cascade (`encoder=cascade`, %s messages (%.0f tokens), batch.size=%d)%n%n",
            first.messages(), first.meanTokens(), b))
        .append("The GRU reads every message with its key's state; the transformer re-reads those whose top GRU "
            + "score is below `cascade.threshold`. Its tags on labelled data: `evaluate --encoder cascade`. "
            + (first.messages().equals(BenchSuite.CHAT) ? "The messages are the shipped short messages (chats, "
            + "tickets, reviews), each from a new key, as from a support chat's many users: on keys with long "
            + "histories the GRU's state leaves almost nothing below the threshold. Each encoder ran the same "
            + "messages the same way.\n\n" : "\n\n"))
        .append(f("Each encoder alone on the same messages, end to end: the float transformer %,.0f msg/s, the GRU "
            + "%,.0f msg/s.%n%n", att.get().messagesPerSecond(), rnn.get().messagesPerSecond()))
        .append("| re-reading model | msg/s end to end | re-read | / transformer (float) end to end | / GRU end to end "
            + "| / transformer in ONNX Runtime alone | verdict |\n|---|---|---|---|---|---|---|\n");
    for (BenchResults.EndToEndVariant v : runs) {
      EndToEndPoint p = v.point();
      boolean int8 = v.variant().endsWith("int8");
      double vsAttention = p.messagesPerSecond() / att.get().messagesPerSecond();
      double vsRnn = p.messagesPerSecond() / rnn.get().messagesPerSecond();
      double goal = int8 ? CASCADE_GOAL_INT8 : CASCADE_GOAL_FLOAT;
      String verdict = p.rereadShare() < NOTHING_REREAD ? "nothing re-read: this workload did not exercise the "
          + "cascade, the figure is the GRU's"
          : vsAttention >= goal ? f("meets the goal (x%.1f the float transformer)", goal)
          : f("short of the goal (x%.1f the float transformer)", goal);
      verdict += vsAttention > 1 + TIE && vsRnn < 1 - TIE ? "; between the two models alone" : vsRnn >= 1 - TIE
          ? "; as fast as the GRU alone" : "";
      s.append(f("| %s | %,.0f | %.0f %% | x%.2f | x%.2f | x%.2f | %s |%n", int8 ? "int8 transformer"
              : "float transformer", p.messagesPerSecond(), 100 * p.rereadShare(), vsAttention, vsRnn,
          p.ratioToRaw(), verdict));
    }
    s.append("\n");
  }

  private static Optional<RawPoint> raw(List<RawPoint> points, String encoder, String messages, int batch) {
    return points.stream().filter(p -> p.encoder().equals(encoder) && p.messages().equals(messages)
        && p.batch() == batch).findFirst();
  }

  private void details(StringBuilder s) {
    s.append("## End to end vs the ceiling\n\n");
    s.append("| encoder | messages | tokens | batch.size | msg/s end to end | mean batch | ONNX Runtime alone "
        + "| end to end / alone | latency at msg/s | p50 ms | p95 ms | p99 ms | dead-lettered |\n");
    s.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (EndToEndPoint p : r.endToEnd()) {
      s.append(f("| %s | %s | %.0f | %d | %,.0f | %.1f | %,.0f | %.2f | %.0f | %.0f | %.0f | %.0f | %d |%n",
          p.encoder(), p.messages(), p.meanTokens(), p.batch(), p.messagesPerSecond(), p.meanBatch(),
          p.rawMessagesPerSecond(), p.ratioToRaw(), p.latencyRate(), p.p50Ms(), p.p95Ms(), p.p99Ms(),
          p.deadLettered()));
    }
    s.append("\nThroughput: a backlog sent at once, from the first send to the last result; latency: messages "
        + "sent at half that rate, from each record's creation to its result being readable by a "
        + "`read_committed` consumer (so it includes the exactly-once commit interval and the batching wait).\n\n");
    s.append("### ONNX Runtime alone\n\n| encoder | messages | tokens | batch | msg/s |\n|---|---|---|---|---|\n");
    for (RawPoint p : r.raw()) {
      s.append(f("| %s | %s | %.0f | %d | %,.0f |%n", p.encoder(), p.messages(), p.meanTokens(), p.batch(),
          p.messagesPerSecond()));
    }
    s.append("\n## Cost against history (rnn) and window (attention)\n\n");
    costTable(s, "messages of history", r.rnnHistory());
    costTable(s, "context tokens", r.attentionWindow());
    s.append(f("## Long-range memory%n%n%d held-out conversations per distance from %s (seed %d; reply "
            + "phrasings no model was trained on); attention window %d tokens. Replies: agree, disagree and question "
            + "replies tagged right in context; alone: the same replies without their history; leak: standalone "
            + "neutral messages tagged with the earlier polarity in context but not alone.%n%n",
        r.memory().conversationsPerDistance(), r.memory().pool(), r.memory().seed(), r.memory().window()));
    boolean both = r.memory().points().stream().allMatch(p -> p.cascadeReplies() != null);
    s.append("| d (tokens) | rnn replies | rnn alone | rnn leak | attention replies | attention alone | attention leak |"
        + (both ? " cascade replies | cascade alone | cascade leak |\n|---|---|---|---|---|---|---|---|---|---|\n"
            : "\n|---|---|---|---|---|---|---|\n"));
    for (MemoryPoint p : r.memory().points()) {
      s.append(f("| %d | %.1f %% | %.1f %% | %.1f %% | %.1f %% | %.1f %% | %.1f %% |", p.distance(),
          100 * p.rnnReplies(), 100 * p.rnnRepliesAlone(), 100 * p.rnnLeak(), 100 * p.attentionReplies(),
          100 * p.attentionRepliesAlone(), 100 * p.attentionLeak()));
      s.append(both ? f(" %.1f %% | %.1f %% | %.1f %% |%n", 100 * p.cascadeReplies(), 100 * p.cascadeRepliesAlone(),
          100 * p.cascadeLeak()) : "\n");
    }
    if (both) {
      s.append(f("%nThe cascade: the RNN's state through every message, a reading whose top score is below %.2f "
          + "re-read alone by the transformer (`encoder=cascade` by default).%n", BenchSuite.DEFAULT_CASCADE
          .threshold()));
    }
    s.append("\n## State per key and memory\n\n| encoder | state | bytes per key | per million keys |\n"
        + "|---|---|---|---|\n");
    for (StateSize st : r.stateSizes()) {
      s.append(f("| %s | %s%s | %,d | %.0f MB |%n", st.encoder(), st.what(),
          st.tokens() > 0 ? " (" + st.tokens() + " tokens)" : "", st.bytes(), st.bytes() * 1_000_000L / 1e6));
    }
    s.append("\n| what | resident MB | heap MB |\n|---|---|---|\n");
    for (Footprint fp : r.footprints()) {
      s.append(f("| %s (%s) | %s | %.1f |%n", fp.model(), fp.encoder(),
          fp.residentBytes() <= 0 ? "not measurable" : f("%.0f", fp.residentBytes() / 1e6), fp.heapBytes() / 1e6));
    }
    s.append('\n');
  }

  private static void costTable(StringBuilder s, String x, List<CostPoint> pts) {
    if (pts.isEmpty()) {
      return;
    }
    CostPoint base = pts.get(0);
    s.append(f("| %s | ms/msg batch 1 | vs first | ms/msg batch %d | vs first |%n|---|---|---|---|---|%n", x,
        base.batch()));
    for (CostPoint p : pts) {
      s.append(f("| %,d | %.4f | %.2f | %.4f | %.2f |%n", p.length(), p.msBatch1(), p.msBatch1() / base.msBatch1(),
          p.msBatched(), p.msBatched() / base.msBatched()));
    }
    s.append('\n');
  }

  private ModelFacts model(String encoder) {
    return r.models().stream().filter(m -> m.encoder().equals(encoder)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no " + encoder + " model in the results"));
  }

  private int state(String encoder, int tokens) {
    return r.stateSizes().stream().filter(st -> st.encoder().equals(encoder) && st.tokens() == tokens)
        .mapToInt(StateSize::bytes).findFirst().orElse(0);
  }

  private Optional<EndToEndPoint> e2e(String encoder, String messages, int batch) {
    return r.endToEnd().stream().filter(p -> p.encoder().equals(encoder) && p.messages().equals(messages)
        && p.batch() == batch).findFirst();
  }

  private static double mean(List<MemoryPoint> pts, Predicate<MemoryPoint> which, boolean rnn) {
    return mean(pts, which, rnn ? MemoryPoint::rnnReplies : MemoryPoint::attentionReplies);
  }

  private static double mean(List<MemoryPoint> pts, Predicate<MemoryPoint> which,
                             Function<MemoryPoint, Double> figure) {
    return pts.stream().filter(which).mapToDouble(figure::apply).average().orElse(Double.NaN);
  }

  private static double maxLeak(List<MemoryPoint> pts, boolean rnn) {
    return maxLeak(pts, rnn ? MemoryPoint::rnnLeak : MemoryPoint::attentionLeak);
  }

  private static double maxLeak(List<MemoryPoint> pts, Function<MemoryPoint, Double> leak) {
    return pts.stream().mapToDouble(leak::apply).max().orElse(Double.NaN);
  }

  private static String curve(List<MemoryPoint> pts, boolean rnn) {
    return curve(pts, rnn ? MemoryPoint::rnnReplies : MemoryPoint::attentionReplies);
  }

  private static String curve(List<MemoryPoint> pts, Function<MemoryPoint, Double> figure) {
    StringBuilder c = new StringBuilder();
    for (MemoryPoint p : pts) {
      c.append(f("d=%d: %.0f %%; ", p.distance(), 100 * figure.apply(p)));
    }
    return c.toString().replaceAll("; $", "");
  }

  /** The cascade's end-to-end runs (float, then int8 re-reading); none in results written before it. */
  private List<BenchResults.EndToEndVariant> cascadeRuns() {
    return r.endToEndVariants() == null ? List.of() : r.endToEndVariants().stream()
        .filter(v -> v.point().encoder().equals(BenchSuite.CASCADE)).toList();
  }

  /** The cascade's end-to-end run with the float or the int8 transformer re-reading. */
  private Optional<EndToEndPoint> cascadeRun(boolean int8) {
    String name = int8 ? "cascade-int8" : "cascade";
    return cascadeRuns().stream().filter(v -> v.variant().equals(name)).map(BenchResults.EndToEndVariant::point)
        .findFirst();
  }

  private static void row(StringBuilder s, String what, String rnn, String attention, String both,
                          String verdict) {
    s.append("| **").append(what).append("** | ").append(cell(rnn)).append(" | ").append(cell(attention))
        .append(" | ").append(cell(both)).append(" | ").append(cell(verdict)).append(" |\n");
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
