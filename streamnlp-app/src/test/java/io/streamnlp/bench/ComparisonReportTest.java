package io.streamnlp.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnlp.bench.BenchResults.CostPoint;
import io.streamnlp.bench.BenchResults.EndToEndPoint;
import io.streamnlp.bench.BenchResults.EndToEndVariant;
import io.streamnlp.bench.BenchResults.ExplanationCost;
import io.streamnlp.bench.BenchResults.Footprint;
import io.streamnlp.bench.BenchResults.MemoryCurve;
import io.streamnlp.bench.BenchResults.MemoryPoint;
import io.streamnlp.bench.BenchResults.ModelFacts;
import io.streamnlp.bench.BenchResults.RawPoint;
import io.streamnlp.bench.BenchResults.RawVariant;
import io.streamnlp.bench.BenchResults.StateSize;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class ComparisonReportTest {
  @TempDir
  Path dir;

  /** Results with recognisable figures, so that the report can be checked to carry them, not others. */
  public static BenchResults results() {
    return new BenchResults(
        new BenchResults.Environment("2026-11-24T00:00:00Z", 123.0, true, 13, 2, "OpenJDK 17", "Linux amd64",
            4_000_000_000L, "embedded", 32, 50, "exactly_once_v2"),
        List.of(new ModelFacts("rnn", "gru-x", "1.0.0", "rnn", 18_400_000, "recurrent, 2 layers x 256", 900.0, 60_000,
                3.0, 0.875, false),
            new ModelFacts("attention", "tf-x", "1.1.0", "attention", 23_000_000, "transformer", 1800.0, 60_000, 1.0,
                0.9, true)),
        List.of(new RawPoint("rnn", "short", 16, 32, 9000), new RawPoint("attention", "short", 16, 32, 900),
            new RawPoint("rnn", "mixed", 36, 1, 3000), new RawPoint("rnn", "mixed", 36, 32, 6000),
            new RawPoint("attention", "mixed", 36, 1, 200), new RawPoint("attention", "mixed", 36, 32, 300)),
        List.of(new EndToEndPoint("rnn", "short", 16, 32, 5000, 1111, 30.2, 555, 1500, 91, 150, 181, 0, 9000),
            new EndToEndPoint("attention", "short", 16, 32, 2000, 444, 27.0, 222, 600, 119, 197, 227, 0, 900),
            new EndToEndPoint("rnn", "mixed", 36, 32, 5000, 1300, 25, 650, 1500, 60, 90, 101, 0, 6000),
            new EndToEndPoint("attention", "mixed", 36, 32, 2000, 250, 20, 125, 600, 61, 100, 121, 0, 300)),
        List.of(new CostPoint(1, 0.2, 0.1, 32), new CostPoint(1000, 0.21, 0.1, 32)),
        List.of(new CostPoint(0, 2.0, 1.0, 32), new CostPoint(240, 22.0, 24.0, 32)),
        new MemoryCurve(128, 40, 13, "models/eval/short-messages.csv", List.of(
            new MemoryPoint(0, 0.8, 0.99, 0.6, 0.6, 0.0, 0.02, 0.7, 0.62, 0.01),
            new MemoryPoint(64, 0.78, 0.97, 0.6, 0.6, 0.0, 0.0, 0.66, 0.62, 0.0),
            new MemoryPoint(1024, 0.75, 0.55, 0.6, 0.6, 0.0, 0.0, 0.64, 0.62, 0.03))),
        List.of(new StateSize("rnn", "hidden state", 0, 2090), new StateSize("attention", "context window", 32, 389),
            new StateSize("attention", "context window", 128, 1541)),
        List.of(new Footprint("rnn", "gru-x", 100_000_000, 150_000),
            new Footprint("attention", "tf-x", 250_000_000, 150_000)),
        List.of(new ExplanationCost("rnn", false, "no attention", 32, Double.NaN, Double.NaN),
            new ExplanationCost("attention", true, "", 32, 3.0, 3.3)),
        List.of(new RawVariant("padded", new RawPoint("rnn", "mixed", 36, 32, 4000)),
            new RawVariant("padded", new RawPoint("attention", "mixed", 36, 32, 150)),
            new RawVariant("int8", new RawPoint("attention", "mixed", 36, 32, 540))),
        List.of(new EndToEndVariant("low-latency",
                new EndToEndPoint("rnn", "mixed", 36, 32, 5000, 1170, 8, 585, 1500, 12, 20, 31, 0, 6000)),
            new EndToEndVariant("low-latency",
                new EndToEndPoint("attention", "mixed", 36, 32, 2000, 225, 9, 112, 600, 21, 35, 44, 0, 300)),
            new EndToEndVariant("int8",
                new EndToEndPoint("attention", "mixed", 36, 32, 2000, 400, 20, 200, 600, 50, 80, 95, 0, 540)),
            new EndToEndVariant("key-per-message",
                new EndToEndPoint("rnn", "chat", 14, 32, 2000, 1200, 20, 600, 600, 60, 90, 100, 0, 6000)),
            new EndToEndVariant("key-per-message",
                new EndToEndPoint("attention", "chat", 14, 32, 2000, 300, 20, 150, 600, 60, 90, 100, 0, 350)),
            new EndToEndVariant("cascade",
                new EndToEndPoint("cascade", "chat", 14, 32, 2000, 900, 20, 450, 600, 70, 110, 133, 0, 350, 0.08)),
            new EndToEndVariant("cascade-int8",
                new EndToEndPoint("cascade", "chat", 14, 32, 2000, 1000, 20, 500, 600, 65, 100, 122, 0, 540, 0.07))));
  }

  @Test
  void showsBatchingInt8AndLatencyModesAgainstTheirBaselines() {
    String report = new ComparisonReport(results()).markdown(List.of());
    assertThat(report).contains("## Batching, int8 and latency modes",
        // attention: by length 300 vs batch 1 200 and padded 150; rnn 6000 vs 3000 and 4000
        "| attention | 200 | 150 | 300 | x1.50 | x2.00 |", "| rnn | 3,000 | 4,000 | 6,000 | x2.00 | x1.50 |",
        "| mixed (36 tok) | 32 | 300 | 540 | x1.80 |",
        "| attention | latency.mode=low | 225 | 90 % | 112 | 21 | 44 |",
        "| rnn | latency.mode=low | 1,170 | 90 % | 585 | 12 | 31 |",
        "| attention | int8 model, default mode | 400 | 160 % |");
  }

  @Test
  void writesMarkdownJsonAndPlotsFromTheResults() throws Exception {
    Path md = new ComparisonReport(results()).write(dir);

    String report = Files.readString(md);
    assertThat(report).contains("| **Architecture**", "| **Long-range dependencies", "| **Computational complexity",
        "| **Training speed", "| **Inference speed", "| **Latency", "| **Interpretability", "| **Memory of the JVM");
    // figures come through, and verdicts follow from them
    assertThat(report).contains("1,111 msg/s end to end", "12 % of ONNX Runtime alone", "RNN x2.5 faster",
        "RNN flat (x1.05)", "attention grows x11.0", "attention remembers better (attention 98 % vs RNN 79 %)",
        "beyond it the RNN remembers better (attention 55 % vs RNN 75 %)", "leak at most 2 %", "x1.10 the cost", "the RNN has none",
        "resident: attention x2.5 the RNN", "took 123 s",
        "a constant 2,090 B per key however long the history (as much as a 174-token window)",
        "12 B per token of window");
    for (String png : List.of("throughput.png", "ceiling-ratio.png", "latency.png", "cost-rnn-history.png", "cost-attention-window.png",
        "long-range-memory.png")) {
      BufferedImage image = ImageIO.read(dir.resolve(png).toFile());
      assertThat(image).as(png).isNotNull();
      assertThat(image.getWidth()).isEqualTo(900);
      assertThat(report).contains("](" + png + ")");
    }
    BenchResults back = ComparisonReport.read(dir.resolve("results.json"));
    assertThat(new ComparisonReport(back).markdown(List.of())).isEqualTo(new ComparisonReport(results()).markdown(List.of()));
    assertThat(back.endToEnd().get(0).messagesPerSecond()).isEqualTo(1111);
    assertThat(back.memory().points()).hasSize(3);
  }

  @Test
  void aResidentSetThatDidNotGrowIsNotMeasurableRatherThanZeroMegabytes() {
    BenchResults r = results();
    BenchResults unmeasured = new BenchResults(r.environment(), r.models(), r.raw(), r.endToEnd(), r.rnnHistory(),
        r.attentionWindow(), r.memory(), r.stateSizes(),
        List.of(new Footprint("rnn", "gru-x", 0, 150_000), new Footprint("attention", "tf-x", 250_000_000, 150_000)),
        r.explanations(), r.rawVariants(), r.endToEndVariants());
    String report = new ComparisonReport(unmeasured).markdown(List.of());
    assertThat(report).doesNotContainPattern("[^0-9]0 MB resident")
        .contains("resident memory not measurable here (it did not grow), 0.2 MB heap")
        .contains("250 MB resident (native ONNX Runtime included)")
        .contains("| gru-x (rnn) | not measurable | 0.2 |");
  }

  @Test
  void theBothColumnCarriesTheCascadesFiguresAndTheVerdictsCompareThem() {
    String report = new ComparisonReport(results()).markdown(List.of());
    assertThat(report).contains("| both: the cascade (`encoder=cascade`) | verdict |",
        // state and files: 2,090 B; 18.4 + 23.0 MB
        "the RNN's 2,090 B per key; an unsure message is re-read alone (no window); both models loaded, ONNX 41.4 MB",
        // replies 70/66/64 % against the RNN's 80/78/75: 67 % vs 78 % over all distances
        "d=0: 70 %; d=64: 66 %; d=1024: 64 %; leak at most 3 %",
        "the cascade remembers less than the RNN (a re-read reply is read without its history) (67 % vs 78 %",
        // 0.21 ms + 8 % x 2.00 ms = 0.370 ms
        "the RNN's 0.210 ms after 1,000 messages + 8 % re-read x 2.00 ms (a message alone) = 0.370 ms",
        "float transformer re-reading, chat (14 tok, a key per message): 900 msg/s end to end, 8 % re-read",
        "int8 transformer re-reading, chat (14 tok, a key per message): 1,000 msg/s end to end, 7 % re-read",
        // against the same messages: 900 / 300 = x3.0; 900 / 1200 = x0.75
        "chat messages: the cascade (float) runs x3.0 the transformer and x0.75 the RNN on the same messages",
        "chat b32: p50 70 / p99 133 ms; chat b32 (int8): p50 65 / p99 122 ms", "the cascade's p99 133 ms",
        "Each encoder alone on the same messages, end to end: the float transformer 300 msg/s, the GRU 1,200 msg/s",
        // x3.0 >= 2.5: met; 1000 / 300 = x3.33 < 4: short
        "| float transformer | 900 | 8 % | x3.00 | x0.75 | x2.57 | meets the goal (x2.5 the float transformer)",
        "| int8 transformer | 1,000 | 7 % | x3.33 | x0.83 | x1.85 | short of the goal (x4.0 the float transformer)",
        "the transformer's token weights on the messages it re-read (8 % here); none on those the RNN decided",
        "both recipes: 2700 s", "| 1024 | 75.0 % | 60.0 % | 0.0 % | 55.0 % | 60.0 % | 0.0 % | 64.0 % | 62.0 % | 3.0 % |");
  }

  @Test
  void resultsWrittenBeforeTheCascadeStillMakeAReport() {
    BenchResults r = results();
    List<MemoryPoint> old = r.memory().points().stream().map(p -> new MemoryPoint(p.distance(), p.rnnReplies(),
        p.attentionReplies(), p.rnnRepliesAlone(), p.attentionRepliesAlone(), p.rnnLeak(), p.attentionLeak(), null,
        null, null)).toList();
    BenchResults before = new BenchResults(r.environment(), r.models(), r.raw(), r.endToEnd(), r.rnnHistory(),
        r.attentionWindow(), new MemoryCurve(128, 40, 13, r.memory().pool(), old), r.stateSizes(), r.footprints(),
        r.explanations(), r.rawVariants(), r.endToEndVariants().subList(0, 3));
    String report = new ComparisonReport(before).markdown(List.of());
    assertThat(report).contains("| **Long-range dependencies", "not measured in this run")
        .doesNotContain("cascade replies", "the cascade remembers", "the cascade (float) runs");
  }

  @Test
  void aCascadeRunThatReReadNothingSaysItMeasuredTheGruNotTheCascade() {
    BenchResults r = results();
    List<EndToEndVariant> variants = new java.util.ArrayList<>(r.endToEndVariants());
    variants.set(variants.size() - 2, new EndToEndVariant("cascade",
        new EndToEndPoint("cascade", "chat", 14, 32, 2000, 1190, 20, 450, 600, 70, 110, 133, 0, 350, 0.001)));
    BenchResults none = new BenchResults(r.environment(), r.models(), r.raw(), r.endToEnd(), r.rnnHistory(),
        r.attentionWindow(), r.memory(), r.stateSizes(), r.footprints(), r.explanations(), r.rawVariants(), variants);
    assertThat(new ComparisonReport(none).markdown(List.of()))
        .contains("| float transformer | 1,190 | 0 % | x3.97 | x0.99 | x3.40 | nothing re-read: this workload did not "
            + "exercise the cascade, the figure is the GRU's");
  }

  @Test
  void theTrainingVerdictNamesTheFasterLearnerPerExample() {
    String report = new ComparisonReport(results()).markdown(List.of());
    // rnn: 60,000 x 3 / 900 s = 200 examples/s; attention: 60,000 / 1800 s = 33 examples/s
    assertThat(report).contains("(200 examples/s)", "(33 examples/s)", "the RNN trains 6.0x faster per example");
  }
}
