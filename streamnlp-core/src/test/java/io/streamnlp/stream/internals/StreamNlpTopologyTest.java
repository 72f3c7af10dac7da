package io.streamnlp.stream.internals;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnlp.StreamNlp;
import io.streamnlp.avro.TextEncoding;
import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.serde.ConfluentAvroSerializer;
import io.streamnlp.serde.InMemorySchemaRegistryClient;
import io.streamnlp.stream.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StreamNlpTopologyTest {
  private static final String IN = "texts";
  private static final String OUT = "encoded";
  private static final String DLQ = "encoded-dlq";

  private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
  private PipelineDriver pipeline;
  private StreamNlp nlp;
  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> input;
  private TestOutputTopic<byte[], byte[]> output;
  private TestOutputTopic<byte[], byte[]> deadLetters;

  private void start(Map<String, String> overrides) {
    Map<String, String> props = PipelineDriver.properties("topology-test", IN, OUT);
    props.put(StreamNlpConfig.DLQ_TOPIC_CONFIG, DLQ);
    props.put(StreamNlpConfig.BATCH_SIZE_CONFIG, "4");
    props.put(StreamNlpConfig.BATCH_MAX_WAIT_MS_CONFIG, "1000");
    props.put(StreamNlpConfig.INPUT_MAX_BYTES_CONFIG, "200");
    props.put(StreamNlpConfig.OUTPUT_FIELDS_CONFIG, "label,scores,polarity,embedding");
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
    }
  }

  private static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  private List<TextEncoding> results() {
    return pipeline.results(output, OUT);
  }

  private static String header(TestRecord<byte[], byte[]> r, String key) {
    Header h = r.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Test
  void aModelWithoutPolarLabelsWritesNoPolarityAndRefusesAnExplicitRequestForIt() {
    start(Map.of(StreamNlpConfig.MODEL_DIR_CONFIG, "classpath:models/all-minilm-l6-v2",
        StreamNlpConfig.OUTPUT_FIELDS_CONFIG, "label,scores"));
    input.pipeInput(utf8("u1"), utf8("I love this, it is wonderful!"));
    driver.advanceWallClockTime(Duration.ofSeconds(1));
    assertThat(results()).singleElement().satisfies(r -> assertThat(r.getPolarity()).isNull());
    pipeline.close();
    pipeline = null;
    Map<String, String> props = PipelineDriver.properties("topology-test", IN, OUT);
    props.put(StreamNlpConfig.MODEL_DIR_CONFIG, "classpath:models/all-minilm-l6-v2");
    props.put(StreamNlpConfig.OUTPUT_FIELDS_CONFIG, "label,polarity");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> StreamNlp.create(props, registry))
        .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
        .hasMessageContaining("'polarity' needs a model whose manifest declares");
    props.remove(StreamNlpConfig.OUTPUT_FIELDS_CONFIG);
    try (StreamNlp byDefault = StreamNlp.create(props, registry)) {
      assertThat(byDefault.config().outputFields()).contains(StreamNlpConfig.OutputField.POLARITY);
    }
  }

  @Test
  void theLowLatencyModeRunsAPartialBatchAsSoonAsTheInputIsDrained() {
    start(Map.of(StreamNlpConfig.LATENCY_MODE_CONFIG, "low", StreamNlpConfig.BATCH_MAX_WAIT_MS_CONFIG, "10000",
        StreamNlpConfig.BATCH_SIZE_CONFIG, "32"));
    input.pipeInput(utf8("u1"), utf8("I love this, it is wonderful!"));
    input.pipeInput(utf8("u2"), utf8("This is terrible, I hate it."));
    // Messages arrived since the last check: more may be on their way, the batch waits.
    driver.advanceWallClockTime(Duration.ofMillis(1));
    assertThat(results()).isEmpty();
    // None since: the stream thread has nothing more to hand over, so the partial batch runs now.
    driver.advanceWallClockTime(Duration.ofMillis(1));
    assertThat(results()).extracting(TextEncoding::getLabel).containsExactly("positive", "negative");
    // A steady trickle never looks idle, yet waits at most batch.max.wait.ms.
    for (int i = 0; i < 10; i++) {
      input.pipeInput(utf8("u3"), utf8("message " + i));
      driver.advanceWallClockTime(Duration.ofMillis(1000));
      assertThat(results()).as("after message %d", i).hasSize(i < 9 ? 0 : 10);
    }
    assertThat(nlp.streamsProperties()).containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "10")
        .containsEntry(StreamsConfig.POLL_MS_CONFIG, "1");
  }

  @Test
  void theThroughputModeWaitsForTheBatchAndKeepsKafkaStreamsCommitInterval() {
    start(Map.of(StreamNlpConfig.BATCH_MAX_WAIT_MS_CONFIG, "10000"));
    input.pipeInput(utf8("u1"), utf8("I love this, it is wonderful!"));
    driver.advanceWallClockTime(Duration.ofMillis(1));
    driver.advanceWallClockTime(Duration.ofMillis(1));
    assertThat(results()).isEmpty();
    driver.advanceWallClockTime(Duration.ofSeconds(10));
    assertThat(results()).hasSize(1);
    assertThat(nlp.streamsProperties()).doesNotContainKey(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
    close();
    start(Map.of(StreamNlpConfig.LATENCY_MODE_CONFIG, "LOW", StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "35"));
    assertThat(nlp.streamsProperties()).containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "35");
  }

  @Test
  void tagsMessagesAndWritesConfluentWireFormatAvro() {
    start(Map.of());
    input.pipeInput(utf8("u1"), utf8("I love this, it is wonderful!"));
    input.pipeInput(utf8("u2"), utf8("This is terrible, I hate it."));
    driver.advanceWallClockTime(Duration.ofSeconds(1));

    List<TestRecord<byte[], byte[]>> raw = output.readRecordsToList();
    assertThat(raw).hasSize(2);
    byte[] first = raw.get(0).value();
    assertThat(first[0]).isEqualTo((byte) 0);
    int id = java.nio.ByteBuffer.wrap(first, 1, 4).getInt();
    assertThat(registry.schemaById(id)).isEqualTo(TextEncoding.getClassSchema());
    assertThat(registry.subjects()).containsKey(OUT + "-value");

    TextEncoding pos = nlp.resultSerde().deserializer().deserialize(OUT, first);
    TextEncoding neg = nlp.resultSerde().deserializer().deserialize(OUT, raw.get(1).value());
    assertThat(pos.getLabel()).isEqualTo("positive");
    assertThat(neg.getLabel()).isEqualTo("negative");
    assertThat(pos.getScores().get("positive")).isGreaterThan(0.5f);
    assertThat(pos.getPolarity()).isCloseTo(pos.getScores().get("positive") - pos.getScores().get("negative"),
        org.assertj.core.api.Assertions.within(1e-6f)).isPositive();
    assertThat(neg.getPolarity()).isCloseTo(neg.getScores().get("positive") - neg.getScores().get("negative"),
        org.assertj.core.api.Assertions.within(1e-6f)).isNegative();
    assertThat(pos.getEmbedding()).hasSize(384);
    assertThat(pos.getSource().getTopic()).isEqualTo(IN);
    assertThat(pos.getSource().getOffset()).isEqualTo(0L);
    assertThat(neg.getSource().getOffset()).isEqualTo(1L);
    assertThat(StandardCharsets.UTF_8.decode(pos.getKey()).toString()).isEqualTo("u1");
    assertThat(pos.getModel().getName()).isEqualTo("minilm-l6-sentiment3");
    assertThat(pos.getModel().getKind()).isEqualTo("attention");
    assertThat(pos.getTokenCount()).isGreaterThan(5);
    assertThat(pos.getBatchSize()).isEqualTo(2);
    assertThat(new String(raw.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("u1");
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  @Test
  void encodesAFullBatchAtOnceAndAPartialOneWhenTheWaitIsOver() {
    start(Map.of());
    for (int i = 0; i < 3; i++) {
      input.pipeInput(utf8("k"), utf8("message number " + i));
    }
    assertThat(output.isEmpty()).as("a batch of 4 is not full after 3 messages").isTrue();
    input.pipeInput(utf8("k"), utf8("message number 3"));
    List<TextEncoding> full = results();
    assertThat(full).hasSize(4).allSatisfy(r -> assertThat(r.getBatchSize()).isEqualTo(4));

    input.pipeInput(utf8("k"), utf8("message number 4"));
    input.pipeInput(utf8("k"), utf8("message number 5"));
    assertThat(output.isEmpty()).isTrue();
    driver.advanceWallClockTime(Duration.ofMillis(1000));
    List<TextEncoding> partial = results();
    assertThat(partial).hasSize(2).allSatisfy(r -> assertThat(r.getBatchSize()).isEqualTo(2));
    assertThat(partial).extracting(r -> r.getSource().getOffset()).containsExactly(4L, 5L);
  }

  @Test
  void keepsInputOrderPerKeyAcrossBatches() {
    start(Map.of(StreamNlpConfig.BATCH_SIZE_CONFIG, "3"));
    String[] keys = {"a", "b", "a", "c", "a", "b", "b", "a", "c", "a"};
    for (int i = 0; i < keys.length; i++) {
      input.pipeInput(utf8(keys[i]), utf8("text " + i + " from " + keys[i]));
    }
    driver.advanceWallClockTime(Duration.ofSeconds(1));
    List<TextEncoding> all = results();
    assertThat(all).extracting(r -> r.getSource().getOffset())
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    Map<String, List<Long>> perKey = new HashMap<>();
    for (TextEncoding r : all) {
      perKey.computeIfAbsent(StandardCharsets.UTF_8.decode(r.getKey()).toString(), k -> new ArrayList<>())
          .add(r.getSource().getOffset());
    }
    assertThat(perKey.get("a")).containsExactly(0L, 2L, 4L, 7L, 9L);
    assertThat(perKey.get("b")).containsExactly(1L, 5L, 6L);
  }

  @Test
  void bufferedMessagesAreInTheChangelogUntilEncoded() {
    start(Map.of());
    input.pipeInput(utf8("k"), utf8("first"));
    input.pipeInput(utf8("k"), utf8("second"));
    String changelog = "topology-test-" + "streamnlp-batch-buffer" + "-changelog";
    TestOutputTopic<Long, byte[]> log = driver.createOutputTopic(changelog, new LongDeserializer(),
        new ByteArrayDeserializer());
    List<TestRecord<Long, byte[]>> buffered = log.readRecordsToList();
    assertThat(buffered).extracting(TestRecord::key).containsExactly(0L, 1L);
    PendingMessage m = PendingMessageSerde.read(buffered.get(1).value());
    assertThat(new String(m.originalValue(), StandardCharsets.UTF_8)).isEqualTo("second");
    assertThat(m.source().offset()).isEqualTo(1L);

    driver.advanceWallClockTime(Duration.ofSeconds(1));
    assertThat(output.readValuesToList()).hasSize(2);
    List<TestRecord<Long, byte[]>> after = log.readRecordsToList();
    assertThat(after).extracting(TestRecord::key).containsExactly(0L, 1L);
    assertThat(after).allSatisfy(r -> assertThat(r.value()).as("tombstone").isNull());
  }

  @Test
  void sendsEachKindOfBadStringInputToTheDeadLetterTopicAndKeepsGoing() {
    start(Map.of());
    RecordHeaders original = new RecordHeaders();
    original.add("trace-id", utf8("abc"));
    input.pipeInput(new TestRecord<>(utf8("k1"), null, original));
    input.pipeInput(utf8("k2"), new byte[0]);
    input.pipeInput(utf8("k3"), new byte[] {'o', 'k', (byte) 0xC3, (byte) 0x28});
    input.pipeInput(utf8("k4"), utf8("x".repeat(201)));
    input.pipeInput(utf8("k5"), utf8("   \n\t "));
    input.pipeInput(utf8("k6"), utf8("still fine after all that"));
    driver.advanceWallClockTime(Duration.ofSeconds(1));

    List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
    assertThat(dead).extracting(r -> header(r, DeadLetterHeaders.REASON))
        .containsExactly("NULL_VALUE", "EMPTY_VALUE", "INVALID_UTF8", "TOO_LARGE", "EMPTY_VALUE");
    assertThat(dead.get(0).value()).isNull();
    assertThat(header(dead.get(0), "trace-id")).as("original headers are kept").isEqualTo("abc");
    assertThat(dead.get(2).value()).containsExactly('o', 'k', (byte) 0xC3, (byte) 0x28);
    assertThat(dead.get(3).value()).hasSize(201);
    assertThat(header(dead.get(3), DeadLetterHeaders.MESSAGE)).contains("201 bytes", "input.max.bytes=200");
    for (int i = 0; i < dead.size(); i++) {
      assertThat(header(dead.get(i), DeadLetterHeaders.TOPIC)).isEqualTo(IN);
      assertThat(header(dead.get(i), DeadLetterHeaders.PARTITION)).isEqualTo("0");
      assertThat(header(dead.get(i), DeadLetterHeaders.OFFSET)).isEqualTo(Integer.toString(i));
      assertThat(new String(dead.get(i).key(), StandardCharsets.UTF_8)).isEqualTo("k" + (i + 1));
    }
    List<TextEncoding> ok = results();
    assertThat(ok).hasSize(1);
    assertThat(ok.get(0).getSource().getOffset()).isEqualTo(5L);
  }

  @Test
  void readsTheTextFromAJsonFieldAndRejectsBadJson() {
    start(Map.of(StreamNlpConfig.INPUT_FORMAT_CONFIG, "json",
        StreamNlpConfig.INPUT_JSON_FIELD_CONFIG, "message.body"));
    input.pipeInput(utf8("a"), utf8("{\"message\":{\"body\":\"I love it\"},\"user\":1}"));
    input.pipeInput(utf8("b"), utf8("{\"message\":{\"body\":"));
    input.pipeInput(utf8("c"), utf8("{\"message\":{\"text\":\"wrong field\"}}"));
    input.pipeInput(utf8("d"), utf8("{\"message\":{\"body\":42}}"));
    input.pipeInput(utf8("e"), utf8("[1,2] trailing"));
    driver.advanceWallClockTime(Duration.ofSeconds(1));

    assertThat(results()).singleElement().satisfies(r -> assertThat(r.getLabel()).isEqualTo("positive"));
    assertThat(deadLetters.readRecordsToList()).extracting(r -> header(r, DeadLetterHeaders.REASON))
        .containsExactly("MALFORMED_JSON", "MISSING_FIELD", "MISSING_FIELD", "MALFORMED_JSON");
  }

  @Test
  void readsTheTextFromAnAvroFieldAndRejectsBadAvro() {
    start(Map.of(StreamNlpConfig.INPUT_FORMAT_CONFIG, "avro", StreamNlpConfig.INPUT_AVRO_FIELD_CONFIG, "body"));
    Schema schema = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Chat\",\"namespace\":\"test\","
        + "\"fields\":[{\"name\":\"user\",\"type\":\"string\"},{\"name\":\"body\",\"type\":\"string\"}]}");
    GenericRecord chat = new GenericData.Record(schema);
    chat.put("user", "u1");
    chat.put("body", "What a wonderful day, I am so happy");
    ConfluentAvroSerializer<GenericRecord> serializer = new ConfluentAvroSerializer<>(registry,
        StreamNlpConfig.SubjectNameStrategy.TOPIC, true, false);
    byte[] good = serializer.serialize(IN, chat);
    byte[] badMagic = good.clone();
    badMagic[0] = 7;
    byte[] unknownId = good.clone();
    unknownId[4] = 99;
    byte[] truncated = java.util.Arrays.copyOf(good, 8);

    input.pipeInput(utf8("a"), good);
    input.pipeInput(utf8("b"), badMagic);
    input.pipeInput(utf8("c"), unknownId);
    input.pipeInput(utf8("d"), truncated);
    driver.advanceWallClockTime(Duration.ofSeconds(1));

    assertThat(results()).singleElement().satisfies(r -> assertThat(r.getLabel()).isEqualTo("positive"));
    assertThat(deadLetters.readRecordsToList()).extracting(r -> header(r, DeadLetterHeaders.REASON))
        .containsExactly("MALFORMED_AVRO", "MALFORMED_AVRO", "MALFORMED_AVRO");
  }

  @Test
  void writesOnlyTheRequestedOutputFields() {
    start(Map.of(StreamNlpConfig.OUTPUT_FIELDS_CONFIG, "label"));
    input.pipeInput(utf8("a"), utf8("great"));
    driver.advanceWallClockTime(Duration.ofSeconds(1));
    TextEncoding r = results().get(0);
    assertThat(r.getLabel()).isNotNull();
    assertThat(r.getScores()).isNull();
    assertThat(r.getEmbedding()).isNull();
  }

  private double metric(String name) {
    return driver.metrics().entrySet().stream()
        .filter(e -> e.getKey().name().equals(name) && e.getKey().group().equals(PipelineMetrics.GROUP))
        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
        .sum();
  }

  @Test
  void reportsBatchesMessagesAndDeadLettersAsStreamsMetrics() {
    start(Map.of());
    for (int i = 0; i < 5; i++) {
      input.pipeInput(utf8("k"), utf8("message " + i));
    }
    input.pipeInput(utf8("k"), new byte[0]);
    input.pipeInput(utf8("k"), (byte[]) null);
    driver.advanceWallClockTime(Duration.ofSeconds(1));
    assertThat(results()).hasSize(5);
    assertThat(metric("encoded-message-total")).isEqualTo(5.0);
    assertThat(metric("encode-batch-total")).isEqualTo(2.0);
    assertThat(metric("batch-size-max")).isEqualTo(4.0);
    assertThat(metric("encode-batch-latency-max")).isGreaterThan(0.0);
    assertThat(metric("input-dead-letter-total")).isEqualTo(2.0);
  }

  @Test
  void marksTruncatedMessages() {
    start(Map.of(StreamNlpConfig.MAX_TOKENS_CONFIG, "8"));
    input.pipeInput(utf8("a"), utf8("one two three four five six seven eight nine ten"));
    input.pipeInput(utf8("b"), utf8("short"));
    driver.advanceWallClockTime(Duration.ofSeconds(1));
    List<TextEncoding> r = results();
    assertThat(r.get(0).getTruncated()).isTrue();
    assertThat(r.get(0).getTokenCount()).isEqualTo(8);
    assertThat(r.get(1).getTruncated()).isFalse();
  }

  @Test
  void explanationsListTheTokensThatDrewTheMostAttention() {
    start(Map.of(StreamNlpConfig.OUTPUT_FIELDS_CONFIG, "label,explanation", StreamNlpConfig.EXPLANATION_TOP_K_CONFIG,
        "3"));
    String text = "The acting is superb but the plot is thin";
    input.pipeInput(utf8("u1"), utf8(text));
    input.pipeInput(utf8("u2"), utf8("ok"));
    driver.advanceWallClockTime(Duration.ofSeconds(1));
    List<TextEncoding> r = results();
    List<io.streamnlp.avro.TokenWeight> explanation = r.get(0).getExplanation();
    assertThat(explanation).hasSize(3);
    List<String> tokens = List.of(pipeline.model().tokenizer().tokens(text));
    float sum = 0;
    for (int i = 0; i < explanation.size(); i++) {
      io.streamnlp.avro.TokenWeight w = explanation.get(i);
      assertThat(tokens.get(w.getPosition())).isEqualTo(w.getToken());
      assertThat(w.getToken()).isNotIn("[CLS]", "[SEP]");
      assertThat(w.getFromContext()).isFalse();
      if (i > 0) {
        assertThat(w.getWeight()).isLessThanOrEqualTo(explanation.get(i - 1).getWeight());
      }
      sum += w.getWeight();
    }
    assertThat(sum).isBetween(0f, 1f);
    // "ok" is [CLS] ok [SEP]: one real token to list.
    assertThat(r.get(1).getExplanation()).extracting(io.streamnlp.avro.TokenWeight::getToken).containsExactly("ok");
    assertThat(r.get(0).getScores()).isNull();
  }
}
