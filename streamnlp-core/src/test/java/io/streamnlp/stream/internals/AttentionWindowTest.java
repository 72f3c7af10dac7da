package io.streamnlp.stream.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamnlp.StreamNlp;
import io.streamnlp.avro.TextEncoding;
import io.streamnlp.avro.TokenWeight;
import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.model.internals.ContextualEncoder;
import io.streamnlp.model.internals.EncoderResult;
import io.streamnlp.serde.InMemorySchemaRegistryClient;
import io.streamnlp.text.internals.TokenizedText;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** encoder=attention with attention.window.tokens > 0: each key's recent tokens are context. */
class AttentionWindowTest {
  private static final int POSITIVE = 2; // negative, neutral, positive
  private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
  private PipelineDriver pipeline;
  private StreamNlp nlp;
  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> input;
  private TestOutputTopic<byte[], byte[]> output;

  private void start(Map<String, String> overrides) {
    Map<String, String> p = PipelineDriver.properties("window-test", "in", "out");
    p.put(StreamNlpConfig.ATTENTION_WINDOW_TOKENS_CONFIG, "64");
    p.put(StreamNlpConfig.BATCH_SIZE_CONFIG, "4");
    p.putAll(overrides);
    pipeline = PipelineDriver.start(p, registry, "in");
    nlp = pipeline.nlp;
    driver = pipeline.driver;
    input = pipeline.input;
    output = pipeline.output("out");
  }

  @AfterEach
  void close() {
    if (pipeline != null) {
      pipeline.close();
    }
  }

  private List<TextEncoding> results() {
    return pipeline.results(output, "out");
  }

  /** A text's tokens without [CLS] and [SEP], as a context window keeps them. */
  private long[] inner(String text) throws Exception {
    long[] ids = pipeline.model().tokenizer().tokenize(text).ids();
    return Arrays.copyOfRange(ids, 1, ids.length - 1);
  }

  private EncoderResult direct(String message, long[] context) throws Exception {
    try (ContextualEncoder encoder = pipeline.model().newContextualEncoder(1, false)) {
      TokenizedText m = pipeline.model().tokenizer().tokenize(message);
      return encoder.encode(List.of(m), Arrays.asList(context)).get(0);
    }
  }

  @Test
  void eachKeyReadsItsReplyAfterItsOwnEarlierMessages() throws Exception {
    start(Map.of());
    pipeline.send("alice", "i hated every minute of this film", 1);
    pipeline.send("bob", "i loved every minute of this film", 2);
    pipeline.send("alice", "me too", 3);   // the same batch: its context includes alice's first message
    pipeline.send("bob", "me too", 4);
    List<TextEncoding> r = results();
    EncoderResult alice = direct("me too", inner("i hated every minute of this film"));
    EncoderResult bob = direct("me too", inner("i loved every minute of this film"));
    List<String> labels = pipeline.model().info().labels();
    assertThat(r).extracting(TextEncoding::getLabel).containsExactly("negative", "positive",
        labels.get(alice.labelIndex()), labels.get(bob.labelIndex()));
    assertThat(r.get(2).getScores().get("positive")).isCloseTo(alice.scores()[POSITIVE], within(1e-5f));
    assertThat(r.get(3).getScores().get("positive")).isCloseTo(bob.scores()[POSITIVE], within(1e-5f));
    ContextWindow stored = driver.<Bytes, ContextWindow>getKeyValueStore("streamnlp-attention-context")
        .get(Bytes.wrap("alice".getBytes(StandardCharsets.UTF_8)));
    long[] expected = new long[0];
    for (String t : List.of("i hated every minute of this film", "me too")) {
      long[] more = inner(t);
      long[] joined = Arrays.copyOf(expected, expected.length + more.length);
      System.arraycopy(more, 0, joined, expected.length, more.length);
      expected = joined;
    }
    assertThat(stored.tokens()).containsExactly(expected);
  }

  @Test
  void anUnreadableStoredWindowStartsItsKeyOverWithAnEmptyWindow() throws Exception {
    start(Map.of(StreamNlpConfig.BATCH_SIZE_CONFIG, "1"));
    pipeline.send("alice", "i hated every minute of this film", 1);
    var windows = driver.<Bytes, ContextWindow>getKeyValueStore("streamnlp-attention-context");
    Bytes alice = Bytes.wrap("alice".getBytes(StandardCharsets.UTF_8));
    windows.put(alice, ContextWindow.UNREADABLE);
    pipeline.send("alice", "me too", 2);
    List<TextEncoding> r = results();
    assertThat(r.get(1).getScores().get("positive")).as("read without context")
        .isCloseTo(direct("me too", null).scores()[POSITIVE], within(1e-5f));
    assertThat(windows.get(alice).tokens()).as("the window starts again").containsExactly(inner("me too"));
    assertThat(driver.metrics().entrySet()).anySatisfy(e -> {
      assertThat(e.getKey().name()).isEqualTo("state-reset-total");
      assertThat((Double) e.getValue().metricValue()).isEqualTo(1.0);
    });
  }

  @Test
  void theWindowIsBoundedByTokensAndByTime() throws Exception {
    start(Map.of(StreamNlpConfig.ATTENTION_WINDOW_TOKENS_CONFIG, "3", StreamNlpConfig.ATTENTION_WINDOW_MS_CONFIG,
        "10000", StreamNlpConfig.BATCH_SIZE_CONFIG, "1"));
    pipeline.send("alice", "i hated every minute of this film", 0);
    ContextWindow stored = driver.<Bytes, ContextWindow>getKeyValueStore("streamnlp-attention-context")
        .get(Bytes.wrap("alice".getBytes(StandardCharsets.UTF_8)));
    long[] all = inner("i hated every minute of this film");
    assertThat(stored.tokens()).containsExactly(Arrays.copyOfRange(all, all.length - 3, all.length));
    pipeline.send("alice", "me too", 5);    // 5 s later: "of this film" is context
    pipeline.send("alice", "me too", 60);   // 55 s later: nothing is recent enough
    List<TextEncoding> r = results();
    assertThat(r.get(1).getScores().get("positive"))
        .isCloseTo(direct("me too", Arrays.copyOfRange(all, all.length - 3, all.length)).scores()[POSITIVE], within(1e-5f));
    assertThat(r.get(2).getScores().get("positive")).isCloseTo(direct("me too", null).scores()[POSITIVE], within(1e-5f));
  }

  @Test
  void theOldestContextIsDroppedWhenContextAndMessageDoNotFitAndItIsCounted() throws Exception {
    start(Map.of(StreamNlpConfig.MAX_TOKENS_CONFIG, "12", StreamNlpConfig.BATCH_SIZE_CONFIG, "1"));
    pipeline.send("alice", "i hated every minute of this film", 0);
    pipeline.send("alice", "me too honestly", 1);   // [CLS] me too honestly [SEP] = 5 tokens: 6 left for context
    List<TextEncoding> r = results();
    long[] all = inner("i hated every minute of this film");
    long[] kept = Arrays.copyOfRange(all, all.length - 6, all.length);
    assertThat(r.get(1).getScores().get("positive"))
        .isCloseTo(direct("me too honestly", kept).scores()[POSITIVE], within(1e-5f));
    double truncated = driver.metrics().entrySet().stream()
        .filter(e -> e.getKey().name().equals("context-truncated-total")).mapToDouble(e ->
            ((Number) e.getValue().metricValue()).doubleValue()).sum();
    assertThat(truncated).isEqualTo(1.0);
  }

  @Test
  void explanationsMarkTheTokensThatCameFromContext() {
    start(Map.of(StreamNlpConfig.OUTPUT_FIELDS_CONFIG, "label,explanation", StreamNlpConfig.EXPLANATION_TOP_K_CONFIG,
        "20", StreamNlpConfig.BATCH_SIZE_CONFIG, "1"));
    pipeline.send("alice", "i hated every minute of this film", 0);
    pipeline.send("alice", "me too", 1);
    List<TokenWeight> explanation = results().get(1).getExplanation();
    assertThat(explanation).anySatisfy(w -> {
      assertThat(w.getFromContext()).isTrue();
      assertThat(w.getPosition()).isBetween(1, 7);
    });
    assertThat(explanation).filteredOn(TokenWeight::getFromContext).extracting(TokenWeight::getToken)
        .containsExactlyInAnyOrder("i", "hated", "every", "minute", "of", "this", "film");
    assertThat(explanation).filteredOn(w -> !w.getFromContext()).extracting(TokenWeight::getToken)
        .containsExactlyInAnyOrder("me", "too");
    double sum = explanation.stream().mapToDouble(TokenWeight::getWeight).sum();
    assertThat(sum).isBetween(0.0, 1.0);
  }

  @Test
  void windowsThatNoMessageCanUseAnyMoreAreDeleted() {
    start(Map.of(StreamNlpConfig.ATTENTION_WINDOW_MS_CONFIG, "10000", StreamNlpConfig.BATCH_SIZE_CONFIG, "1"));
    pipeline.send("alice", "hello there", 0);
    pipeline.send("bob", "hi", 8);
    pipeline.send("carol", "hey", 16);   // stream time 16 s: alice's window (0 s) is older than 10 s, bob's (8 s) is not
    var store = driver.<Bytes, ContextWindow>getKeyValueStore("streamnlp-attention-context");
    assertThat(store.get(Bytes.wrap("alice".getBytes(StandardCharsets.UTF_8)))).isNull();
    assertThat(store.get(Bytes.wrap("bob".getBytes(StandardCharsets.UTF_8)))).isNotNull();
    assertThat(store.get(Bytes.wrap("carol".getBytes(StandardCharsets.UTF_8)))).isNotNull();
  }

  @Test
  void windowZeroKeepsNoContext() {
    start(Map.of(StreamNlpConfig.ATTENTION_WINDOW_TOKENS_CONFIG, "0"));
    assertThat(nlp.topology().describe().toString()).doesNotContain("streamnlp-attention-context");
  }
}
