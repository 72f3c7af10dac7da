package io.streamnlp.stream.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.streamnlp.StreamNlp;
import io.streamnlp.avro.SentimentWindow;
import io.streamnlp.avro.TextEncoding;
import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.serde.InMemorySchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Per-key sentiment windows: one final summary per key and window, late records within grace only. */
class SentimentWindowsTest {
  private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
  private PipelineDriver pipeline;
  private StreamNlp nlp;
  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> input;
  private TestOutputTopic<byte[], byte[]> results;
  private TestOutputTopic<byte[], byte[]> windows;

  private Map<String, String> props(Map<String, String> overrides) {
    Map<String, String> p = PipelineDriver.properties("windows-test", "in", "out");
    p.put(StreamNlpConfig.AGGREGATES_TOPIC_CONFIG, "windows");
    p.put(StreamNlpConfig.AGGREGATES_WINDOW_MS_CONFIG, "60000");
    p.put(StreamNlpConfig.AGGREGATES_GRACE_MS_CONFIG, "10000");
    p.put(StreamNlpConfig.BATCH_SIZE_CONFIG, "1");
    p.putAll(overrides);
    return p;
  }

  private void start(Map<String, String> overrides) {
    pipeline = PipelineDriver.start(props(overrides), registry, "in");
    nlp = pipeline.nlp;
    driver = pipeline.driver;
    input = pipeline.input;
    results = pipeline.output("out");
    windows = pipeline.output("windows");
  }

  @AfterEach
  void close() {
    if (pipeline != null) {
      pipeline.close();
    }
  }

  private List<SentimentWindow> closedWindows() {
    List<SentimentWindow> out = new ArrayList<>();
    for (byte[] v : windows.readValuesToList()) {
      out.add(nlp.windowSerde().deserializer().deserialize("windows", v));
    }
    return out;
  }

  private static String key(SentimentWindow w) {
    return StandardCharsets.UTF_8.decode(w.getKey().duplicate()).toString();
  }

  @Test
  void emitsOneSummaryPerKeyWhenTheWindowClosesCountingLateRecordsWithinGrace() {
    start(Map.of());
    pipeline.send("alice", "I love it, wonderful!", 1);
    pipeline.send("alice", "This is terrible and broken.", 20);
    pipeline.send("bob", "Fantastic support, thank you.", 30);
    pipeline.send("alice", "Great job, really happy.", 50);
    pipeline.send("carol", "moving on", 65);                  // stream time 65 s: window [0,60) still in grace
    pipeline.send("alice", "Awful, I want a refund.", 55);    // late but within grace: counted
    assertThat(windows.isEmpty()).as("nothing is emitted before the window closes").isTrue();
    pipeline.send("carol", "later", 71);                      // stream time passes 60 s + 10 s grace
    pipeline.send("alice", "too late to count", 10);          // after grace: dropped from [0,60)

    List<SentimentWindow> closed = closedWindows();
    assertThat(closed).extracting(SentimentWindowsTest::key).containsExactlyInAnyOrder("alice", "bob");
    List<TextEncoding> encoded = pipeline.results(results, "out");
    // The expected figures come from the per-message results of the same run (every result is emitted).
    List<TextEncoding> aliceInWindow = encoded.stream().filter(e -> key(e).equals("alice"))
        .filter(e -> e.getSource().getTimestamp().getEpochSecond() < 60).toList();
    assertThat(aliceInWindow).as("every message is still encoded, the one after grace too").hasSize(5);
    List<TextEncoding> counted = aliceInWindow.stream()
        .filter(e -> !e.getSource().getTimestamp().equals(Instant.ofEpochSecond(10))).toList();
    SentimentWindow alice = closed.stream().filter(w -> key(w).equals("alice")).findFirst().orElseThrow();
    assertThat(alice.getWindowStart()).isEqualTo(Instant.EPOCH);
    assertThat(alice.getWindowEnd()).isEqualTo(Instant.ofEpochSecond(60));
    assertThat(alice.getCount()).isEqualTo(4);
    assertThat(alice.getModel().getName()).isEqualTo("minilm-l6-sentiment3");
    for (String label : List.of("negative", "neutral", "positive")) {
      long n = counted.stream().filter(e -> e.getLabel().equals(label)).count();
      assertThat(alice.getLabelCounts().getOrDefault(label, 0L)).as(label).isEqualTo(n);
      double mean = counted.stream().mapToDouble(e -> e.getScores().get(label)).average().orElseThrow();
      assertThat(alice.getMeanScores().get(label)).as(label).isCloseTo(mean, within(1e-6));
    }
    assertThat(alice.getLabelCounts().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(4);
    assertThat(alice.getMeanScores().values().stream().mapToDouble(Double::doubleValue).sum())
        .isCloseTo(1.0, within(1e-5));
    double meanPolarity = counted.stream().mapToDouble(TextEncoding::getPolarity).average().orElseThrow();
    assertThat(alice.getMeanPolarity()).isCloseTo(meanPolarity, within(1e-6));
    SentimentWindow bob = closed.stream().filter(w -> key(w).equals("bob")).findFirst().orElseThrow();
    assertThat(bob.getCount()).isEqualTo(1);
  }

  private static String key(TextEncoding e) {
    return StandardCharsets.UTF_8.decode(e.getKey().duplicate()).toString();
  }

  @Test
  void hoppingWindowsCountAMessageInEveryWindowThatCoversIt() {
    start(Map.of(StreamNlpConfig.AGGREGATES_ADVANCE_MS_CONFIG, "30000", StreamNlpConfig.AGGREGATES_GRACE_MS_CONFIG,
        "0"));
    pipeline.send("alice", "lovely", 40);     // in [0,60) and [30,90)
    pipeline.send("zed", "tick", 200);        // closes both
    List<SentimentWindow> alice = closedWindows().stream().filter(w -> key(w).equals("alice")).toList();
    assertThat(alice).extracting(w -> w.getWindowStart().getEpochSecond()).containsExactlyInAnyOrder(0L, 30L);
    assertThat(alice).allSatisfy(w -> assertThat(w.getCount()).isEqualTo(1));
  }

  @Test
  void aStoredTallyThatCannotBeContinuedStartsTheWindowAgainInsteadOfFailingTheTask() {
    WindowTally twoLabels = new WindowTally(3, new double[] {1.0, 2.0}, new long[] {1, 2});
    assertThat(SentimentWindows.continuable(twoLabels, 2)).isSameAs(twoLabels);
    // Written before a model with three labels was swapped for a two-label one.
    WindowTally threeLabels = new WindowTally(7, new double[3], new long[] {7, 0, 0});
    assertThat(threeLabels.fits(2)).isFalse();
    assertThat(SentimentWindows.continuable(threeLabels, 2)).matches(t -> t.fits(2) && t.count() == 0);
    // A damaged record, as the store's serde reads it.
    WindowTally.WindowTallySerde serde = new WindowTally.WindowTallySerde();
    WindowTally damaged = serde.deserializer().deserialize("changelog", new byte[] {1, 2, 3});
    assertThat(damaged).isSameAs(WindowTally.UNREADABLE);
    assertThat(damaged.fits(0)).as("never continued, even for zero labels").isFalse();
    assertThat(SentimentWindows.continuable(damaged, 2).count()).isZero();
  }

  @Test
  void aggregatesNeedLabelsAndScoresAndTheirOwnTopic() {
    assertThatThrownBy(() -> StreamNlp.create(props(Map.of(StreamNlpConfig.OUTPUT_FIELDS_CONFIG, "embedding")),
        registry)).isInstanceOf(ConfigException.class).hasMessageContaining("add 'label' and 'scores'");
    assertThatThrownBy(() -> StreamNlp.create(props(Map.of(StreamNlpConfig.AGGREGATES_TOPIC_CONFIG, "out")),
        registry)).isInstanceOf(ConfigException.class).hasMessageContaining("must differ");
    assertThatThrownBy(() -> StreamNlp.create(props(Map.of(StreamNlpConfig.AGGREGATES_ADVANCE_MS_CONFIG, "90000")),
        registry)).isInstanceOf(ConfigException.class).hasMessageContaining("must not exceed");
  }
}
