package io.streamnlp.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamnlp.bench.BenchResults.EndToEndPoint;
import io.streamnlp.bench.BenchResults;
import io.streamnlp.bench.BenchSuite;
import io.streamnlp.bench.ComparisonReport;
import io.streamnlp.bench.EndToEndBench;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole bench, cut down to seconds, on a real broker: every step runs and the report is written. */
class BenchSuiteIT extends LocalClusterIT {
  @TempDir
  Path dir;

  @Test
  void runsEveryStepThroughTheBrokerAndWritesTheReport() throws Exception {
    BenchSuite.Plan tiny = new BenchSuite.Plan(true, 0.05,
        new EndToEndBench.Settings(0.3, 0.3, 0.5, 8, 20, 200, Duration.ofSeconds(60)), new int[] {1, 3}, 8,
        new int[] {0, 16}, 4, 1, 4, new int[] {0, 300}, 64, 8);
    StringWriter progress = new StringWriter();
    BenchResults r = new BenchSuite(tiny, new EndToEndBench.Target(kafka.bootstrapServers(), registry.url(),
        Map.of("batch.size", "4")), "test broker", 13, new PrintWriter(progress, true)).run();

    assertThat(progress.toString()).contains("[ 1/17 ", "[17/17 ", "end to end through the broker: encoder=rnn, "
        + "batch.size=4", "end to end through the broker: encoder=attention, batch.size=1",
        "latency.mode=low, and the int8 model", "short messages each from a new key, batch.size=4: encoder=cascade "
        + "(float and int8 re-reading) beside each encoder");
    // 2 encoders x batch 1 and 4 x short, long and mixed messages, each measured through the broker; then the
    // low-latency mode of both encoders, the int8 model, Kafka alone (short messages), then both encoders and the
    // cascade (float and int8) on the shipped short messages, each from a new key, at batch 4
    assertThat(r.endToEnd()).hasSize(12);
    assertThat(r.endToEndVariants()).extracting(BenchResults.EndToEndVariant::variant)
        .containsExactly("low-latency", "low-latency", "int8", "kafka-alone", "key-per-message", "key-per-message",
            "cascade", "cascade-int8");
    assertThat(r.endToEndVariants()).filteredOn(v -> v.variant().startsWith("cascade")
        || v.variant().equals("key-per-message")).allSatisfy(v -> assertThat(v.point().messages()).isEqualTo("chat"));
    // The share re-read is counted from the results (a whole number of the throughput step's messages); how
    // large it is depends on the texts (ChaosIT checks which messages are re-read).
    assertThat(r.endToEndVariants()).filteredOn(v -> v.variant().startsWith("cascade"))
        .allSatisfy(v -> {
          double reread = v.point().rereadShare() * v.point().throughputMessages();
          assertThat(reread).isBetween(0.0, v.point().throughputMessages() - 1.0)
              .isCloseTo(Math.rint(reread), within(1e-6));
        });
    List<EndToEndPoint> all = new java.util.ArrayList<>(r.endToEnd());
    r.endToEndVariants().forEach(v -> all.add(v.point()));
    for (EndToEndPoint p : all) {
      assertThat(p.messagesPerSecond()).as(p.toString()).isPositive();
      assertThat(p.throughputMessages()).isBetween(20, 200);
      assertThat(p.meanBatch()).isBetween(1.0, (double) p.batch());
      assertThat(p.p50Ms()).isGreaterThanOrEqualTo(0).isLessThanOrEqualTo(p.p95Ms());
      assertThat(p.p95Ms()).isLessThanOrEqualTo(p.p99Ms());
      assertThat(p.deadLettered()).isZero();
      assertThat(p.rawMessagesPerSecond()).isPositive();
      switch (p.messages()) {
        case "short" -> assertThat(p.meanTokens()).isBetween(13.0, 16.0);
        case "long" -> assertThat(p.meanTokens()).isBetween(124.0, 128.0);
        case "chat" -> assertThat(p.meanTokens()).isBetween(5.0, 20.0);
        default -> assertThat(p.meanTokens()).isBetween(30.0, 40.0);
      }
    }
    assertThat(r.environment().configuredBatch()).isEqualTo(4);
    assertThat(r.raw()).hasSize(12);
    // padded mixed batches of both encoders; the int8 model on every workload at batch 1 and 4, and on the chat
    // messages at batch 4 with both float models
    assertThat(r.rawVariants()).hasSize(2 + 6 + 1 + 2).allSatisfy(v -> assertThat(v.point().messagesPerSecond()).isPositive());
    assertThat(r.rnnHistory()).extracting(BenchResults.CostPoint::length).containsExactly(1, 3);
    assertThat(r.attentionWindow()).extracting(BenchResults.CostPoint::length).containsExactly(0, 16);
    assertThat(r.memory().points()).hasSize(2);
    assertThat(r.stateSizes()).anySatisfy(s -> assertThat(s.bytes()).isEqualTo(2096));
    assertThat(r.explanations()).anySatisfy(e -> assertThat(e.available()).isFalse())
        .anySatisfy(e -> assertThat(e.msWith()).isPositive());
    // the bench leaves no topic behind
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      assertThat(admin.listTopics().names().get()).noneMatch(t -> t.startsWith("streamnlp-bench-"));
    }

    Path md = new ComparisonReport(r).write(dir);
    assertThat(Files.readString(md)).as("Kafka alone is not an int8 row").doesNotContain("| rnn | int8 model");
    assertThat(Files.readString(md)).contains("| **Inference speed", "took ", "### Length-aware batching",
        "| attention | latency.mode=low |", "| attention | int8 model, default mode |",
        "### Both: the cascade", "| float transformer |", "| int8 transformer |",
        "Each encoder alone on the same messages, end to end",
        "### The pipeline's own ceiling (Kafka alone, short messages", "| Kafka alone (no-work model) |");
    assertThat(dir.resolve("throughput.png")).isNotEmptyFile();
    assertThat(dir.resolve("results.json")).isNotEmptyFile();
  }
}
