package io.streamnlp.stream.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamnlp.ResultFields;
import io.streamnlp.StreamNlp;
import io.streamnlp.avro.TextEncoding;
import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.model.internals.ModelDirectory;
import io.streamnlp.model.internals.OnnxModel;
import io.streamnlp.model.internals.RecurrentEncoder;
import io.streamnlp.model.internals.RecurrentResult;
import io.streamnlp.serde.InMemorySchemaRegistryClient;
import io.streamnlp.stream.DeadLetterHeaders;
import io.streamnlp.text.internals.TokenizedText;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** encoder=rnn on TopologyTestDriver: per-key hidden state in the store, waves, expiry, resets. */
class RnnTopologyTest {
  private static final String IN = "texts";
  private static final String OUT = "encoded";
  private static final String DLQ = "encoded-dlq";
  private static final float TOLERANCE = 1e-5f;
  private static final int POSITIVE = 2; // negative, neutral, positive

  static OnnxModel reference;
  private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
  private PipelineDriver pipeline;
  private StreamNlp nlp;
  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> input;
  private TestOutputTopic<byte[], byte[]> output;
  private TestOutputTopic<byte[], byte[]> deadLetters;

  @BeforeAll
  static void loadReference() {
    reference = OnnxModel.load(ModelDirectory.open("classpath:models/gru-sentiment3"), OnnxModel.RuntimeOptions.cpu(),
        128);
  }

  @AfterAll
  static void closeReference() {
    reference.close();
  }

  private void start(Map<String, String> overrides) {
    Map<String, String> props = PipelineDriver.properties("rnn-topology-test", IN, OUT);
    props.put(StreamNlpConfig.DLQ_TOPIC_CONFIG, DLQ);
    props.put(StreamNlpConfig.ENCODER_CONFIG, "rnn");
    props.put(StreamNlpConfig.BATCH_SIZE_CONFIG, "6");
    props.put(StreamNlpConfig.BATCH_MAX_WAIT_MS_CONFIG, "1000");
    props.put(StreamNlpConfig.OUTPUT_FIELDS_CONFIG, "label,scores,embedding");
    props.putAll(overrides);
    pipeline = PipelineDriver.start(props, registry, IN);
    nlp = pipeline.nlp;
    driver = pipeline.driver;
    input = pipeline.input;
    output = pipeline.output(OUT);
    deadLetters = pipeline.output(DLQ);
  }

  @AfterEach
  void close() {
    if (pipeline != null) {
      pipeline.close();
      pipeline = null;
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private List<TextEncoding> results() {
    return pipeline.results(output, OUT);
  }

  private static String key(TextEncoding e) {
    return ResultFields.key(e);
  }

  private static float[] embedding(TextEncoding e) {
    return ResultFields.embedding(e);
  }

  /** The key's messages one after another through the model, each from the previous one's state. */
  private static List<RecurrentResult> sequential(List<String> texts) throws Exception {
    List<RecurrentResult> out = new ArrayList<>();
    try (RecurrentEncoder encoder = reference.newRecurrentEncoder(1)) {
      float[] state = null;
      for (String t : texts) {
        RecurrentResult r = encoder.encode(List.of(reference.tokenizer().tokenize(t)), Arrays.asList(state)).get(0);
        out.add(r);
        state = r.finalState();
      }
    }
    return out;
  }

  private KeyValueStore<Bytes, RnnState> store() {
    return driver.getKeyValueStore("streamnlp-rnn-state");
  }

  @Test
  void eachKeyContinuesFromItsOwnStateAsOneLongCallWould() throws Exception {
    start(Map.of());
    List<String> alice = List.of("the first half drags", "but the ending is wonderful", "what a film",
        "i would watch it again");
    List<String> bob = List.of("terrible service", "still no refund");
    // Interleaved so that one micro-batch of 6 holds several messages of the same key (waves).
    String[][] sequence = {{"alice", alice.get(0)}, {"bob", bob.get(0)}, {"alice", alice.get(1)},
        {"alice", alice.get(2)}, {"bob", bob.get(1)}, {"alice", alice.get(3)}};
    for (String[] kv : sequence) {
      input.pipeInput(utf8(kv[0]), utf8(kv[1]));
    }
    List<TextEncoding> results = results();
    assertThat(results).hasSize(6);
    assertThat(results).extracting(RnnTopologyTest::key)
        .containsExactly("alice", "bob", "alice", "alice", "bob", "alice");
    Map<String, List<RecurrentResult>> expected = Map.of("alice", sequential(alice), "bob", sequential(bob));
    Map<String, Integer> seen = new HashMap<>();
    for (TextEncoding r : results) {
      int n = seen.merge(key(r), 1, Integer::sum);
      assertThat(r.getStateSteps()).isEqualTo(n);
      assertThat(r.getModel().getKind()).isEqualTo("rnn");
      RecurrentResult want = expected.get(key(r)).get(n - 1);
      assertThat(embedding(r)).containsExactly(want.result().embedding(), within(TOLERANCE));
      assertThat(r.getScores().get("positive")).isCloseTo(want.result().scores()[POSITIVE], within(TOLERANCE));
    }
    // One call over alice's concatenated tokens ends where the stream ended, and in the store.
    List<Long> ids = new ArrayList<>();
    for (String t : alice) {
      for (long id : reference.tokenizer().tokenize(t).ids()) {
        ids.add(id);
      }
    }
    RecurrentResult whole;
    try (RecurrentEncoder encoder = reference.newRecurrentEncoder(1)) {
      whole = encoder.encode(List.of(TokenizedText.ofIds(ids.stream().mapToLong(Long::longValue).toArray(),
          false)), null).get(0);
    }
    assertThat(embedding(results.get(5))).containsExactly(whole.result().embedding(), within(TOLERANCE));
    RnnState stored = store().get(Bytes.wrap(utf8("alice")));
    assertThat(stored.steps()).isEqualTo(4);
    assertThat(stored.modelName()).isEqualTo("gru-sentiment3");
    assertThat(stored.state()).containsExactly(whole.finalState(), within(TOLERANCE));
    assertThat(store().get(Bytes.wrap(utf8("bob"))).steps()).isEqualTo(2);
    assertThat(store().get(Bytes.wrap(utf8("carol")))).isNull();
  }

  @Test
  void aMessageBufferedAndEncodedBetweenTwoCommitsLeavesOnlyItsTombstoneInTheBufferChangelog() {
    start(Map.of(StreamNlpConfig.BATCH_SIZE_CONFIG, "4"));
    TestOutputTopic<byte[], byte[]> changelog = pipeline.output("rnn-topology-test-streamnlp-batch-buffer-changelog");
    // The test driver commits after each record: the first three wait in the buffer across a commit, so they are
    // in the changelog (and deleted from it once encoded); the fourth fills the batch and is encoded in the same
    // call that buffered it, so the buffer's cache writes its delete only, not its put.
    for (int i = 0; i < 4; i++) {
      input.pipeInput(utf8("k" + i), utf8("message number " + i));
    }
    assertThat(results()).hasSize(4);
    List<TestRecord<byte[], byte[]>> records = changelog.readRecordsToList();
    assertThat(records.stream().filter(r -> r.value() != null).map(r -> ByteBuffer.wrap(r.key()).getLong()))
        .as("buffered across a commit").containsExactly(0L, 1L, 2L);
    assertThat(records.stream().filter(r -> r.value() == null).count()).as("deleted once encoded").isEqualTo(4);
  }

  @Test
  void idleStatesExpireAfterTheTtl() {
    start(Map.of(StreamNlpConfig.RNN_STATE_TTL_MS_CONFIG, "60000",
        StreamNlpConfig.RNN_STATE_SWEEP_INTERVAL_MS_CONFIG, "1000", StreamNlpConfig.BATCH_SIZE_CONFIG, "1"));
    input.pipeInput(utf8("alice"), utf8("hello there"));
    input.pipeInput(utf8("bob"), utf8("hi"));
    driver.advanceWallClockTime(Duration.ofSeconds(30));
    input.pipeInput(utf8("bob"), utf8("still here"));
    driver.advanceWallClockTime(Duration.ofSeconds(35));
    assertThat(store().get(Bytes.wrap(utf8("alice")))).as("idle for 65 s").isNull();
    assertThat(store().get(Bytes.wrap(utf8("bob"))).steps()).as("idle for 35 s").isEqualTo(2);
    input.pipeInput(utf8("alice"), utf8("back again"));
    List<TextEncoding> results = results();
    assertThat(results).extracting(TextEncoding::getStateSteps).containsExactly(1L, 1L, 2L, 1L);
  }

  @Test
  void statesOfAnotherModelVersionAreNotContinued() throws Exception {
    start(Map.of(StreamNlpConfig.BATCH_SIZE_CONFIG, "1"));
    float[] foreign = new float[2 * 256];
    Arrays.fill(foreign, 0.5f);
    store().put(Bytes.wrap(utf8("alice")), new RnnState("gru-sentiment3", "0.9.0", 41, 0, foreign));
    input.pipeInput(utf8("alice"), utf8("what a lovely day"));
    TextEncoding r = results().get(0);
    assertThat(r.getStateSteps()).isEqualTo(1L);
    assertThat(embedding(r)).containsExactly(sequential(List.of("what a lovely day")).get(0).result().embedding(),
        within(TOLERANCE));
    assertThat(store().get(Bytes.wrap(utf8("alice"))).modelVersion()).isEqualTo(reference.info().version());
  }

  @Test
  void anUnreadableStoredStateStartsItsKeyOverAndIsCounted() throws Exception {
    start(Map.of(StreamNlpConfig.BATCH_SIZE_CONFIG, "1"));
    input.pipeInput(utf8("alice"), utf8("one"));
    input.pipeInput(utf8("bob"), utf8("one"));
    // What a damaged changelog record restores to: bytes no version of the serde reads.
    store().put(Bytes.wrap(utf8("alice")), RnnState.UNREADABLE);
    assertThat(store().get(Bytes.wrap(utf8("alice")))).isSameAs(RnnState.UNREADABLE);
    input.pipeInput(utf8("alice"), utf8("what a lovely day"));
    input.pipeInput(utf8("bob"), utf8("two"));
    List<TextEncoding> results = results();
    assertThat(results).extracting(TextEncoding::getStateSteps).containsExactly(1L, 1L, 1L, 2L);
    assertThat(embedding(results.get(2))).containsExactly(
        sequential(List.of("what a lovely day")).get(0).result().embedding(), within(TOLERANCE));
    assertThat(store().get(Bytes.wrap(utf8("alice"))).steps()).as("healed").isEqualTo(1);
    assertThat(driver.metrics().entrySet()).anySatisfy(e -> {
      assertThat(e.getKey().name()).isEqualTo("state-reset-total");
      assertThat((Double) e.getValue().metricValue()).isEqualTo(1.0);
    });
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  @Test
  void anUnreadableBufferedMessageIsDeadLetteredAndTheRestEncoded() {
    start(Map.of(StreamNlpConfig.BATCH_SIZE_CONFIG, "10"));
    input.pipeInput(utf8("alice"), utf8("one"));
    KeyValueStore<Long, PendingMessage> buffer = driver.getKeyValueStore("streamnlp-batch-buffer");
    buffer.put(0L, PendingMessageSerde.salvage(utf8("damaged bytes"), "simulated damage"));
    input.pipeInput(utf8("alice"), utf8("two"));
    driver.advanceWallClockTime(Duration.ofSeconds(2));
    assertThat(results()).extracting(TextEncoding::getStateSteps).containsExactly(1L);
    TestRecord<byte[], byte[]> letter = deadLetters.readRecord();
    assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8))
        .isEqualTo("STATE_UNREADABLE");
    assertThat(new String(letter.value(), StandardCharsets.UTF_8)).isEqualTo("damaged bytes");
  }

  @Test
  void aMessageBufferedUnderALargerMaxTokensIsEncodedCutToTheLimitNotFailedOnEveryReplay() {
    start(Map.of(StreamNlpConfig.BATCH_SIZE_CONFIG, "10", StreamNlpConfig.MAX_TOKENS_CONFIG, "8"));
    input.pipeInput(utf8("alice"), utf8("one"));
    // What the buffer holds after a restart with max.tokens lowered from 128: a message of 20 tokens.
    long[] twenty = new long[20];
    java.util.Arrays.fill(twenty, 2003L);
    twenty[0] = 101L;
    twenty[19] = 102L;
    KeyValueStore<Long, PendingMessage> buffer = driver.getKeyValueStore("streamnlp-batch-buffer");
    buffer.put(7L, new PendingMessage(utf8("bob"), utf8("a long message"), new SourcePosition("in", 0, 9, 0),
        new org.apache.kafka.common.header.internals.RecordHeaders(), twenty, false, 0));
    driver.advanceWallClockTime(Duration.ofSeconds(2));
    List<TextEncoding> r = results();
    assertThat(r).hasSize(2);
    TextEncoding bob = r.stream().filter(x -> "bob".equals(new String(x.getKey().array(), StandardCharsets.UTF_8)))
        .findFirst().orElseThrow();
    assertThat(bob.getTokenCount()).isEqualTo(8);
    assertThat(bob.getTruncated()).isTrue();
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  @Test
  void storeGaugesCountKeysAndStateBytes() {
    start(Map.of(StreamNlpConfig.BATCH_SIZE_CONFIG, "1"));
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    nlp.meters().add(registry);
    input.pipeInput(utf8("alice"), utf8("one"));
    input.pipeInput(utf8("bob"), utf8("two"));
    input.pipeInput(utf8("alice"), utf8("three"));
    double keys = registry.get("streamnlp.state.store.keys").tag("store", "streamnlp-rnn-state").gauge()
        .value();
    // RocksDB's estimate: an overwritten key may count twice until a compaction.
    assertThat(keys).isBetween(2.0, 3.0);
    assertThat(registry.get("streamnlp.state.store.bytes").gauge().value()).isEqualTo(keys * 2096); // one state: RnnStateSerdeTest
    assertThat(registry.get("streamnlp.encoded.messages").tag("label", "positive").counter().count()
        + registry.get("streamnlp.encoded.messages").tag("label", "neutral").counter().count()
        + registry.get("streamnlp.encoded.messages").tag("label", "negative").counter().count()).isEqualTo(3.0);
  }

  @Test
  void theResetHeaderStartsANewConversation() {
    start(Map.of(StreamNlpConfig.BATCH_SIZE_CONFIG, "1"));
    input.pipeInput(utf8("alice"), utf8("one"));
    input.pipeInput(utf8("alice"), utf8("two"));
    RecordHeaders reset = new RecordHeaders();
    reset.add("streamnlp.reset", utf8("true"));
    input.pipeInput(new TestRecord<>(utf8("alice"), utf8("three"), reset));
    input.pipeInput(utf8("alice"), utf8("four"));
    assertThat(results()).extracting(TextEncoding::getStateSteps).containsExactly(1L, 2L, 1L, 2L);
  }

  @Test
  void nullKeysAreStatelessOrDeadLetteredAsConfigured() {
    start(Map.of(StreamNlpConfig.BATCH_SIZE_CONFIG, "1"));
    input.pipeInput((byte[]) null, utf8("no key here"));
    TextEncoding r = results().get(0);
    assertThat(r.getStateSteps()).isNull();
    assertThat(r.getLabel()).isNotNull();
    close();

    start(Map.of(StreamNlpConfig.BATCH_SIZE_CONFIG, "1", StreamNlpConfig.RNN_NULL_KEY_CONFIG, "dead-letter"));
    input.pipeInput((byte[]) null, utf8("no key here"));
    assertThat(output.isEmpty()).isTrue();
    TestRecord<byte[], byte[]> letter = deadLetters.readRecord();
    assertThat(new String(letter.headers().lastHeader("streamnlp.error.reason").value(), StandardCharsets.UTF_8))
        .isEqualTo("NULL_KEY");
    assertThat(letter.value()).isEqualTo(utf8("no key here"));
  }

  @Test
  void explanationsNeedAnAttentionModel() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> start(Map.of(StreamNlpConfig.OUTPUT_FIELDS_CONFIG,
        "label,explanation"))).isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
        .hasMessageContaining("'explanation' needs an attention model");
  }
}
