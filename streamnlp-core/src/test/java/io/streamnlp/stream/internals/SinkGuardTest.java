package io.streamnlp.stream.internals;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.serde.InMemorySchemaRegistryClient;
import io.streamnlp.stream.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Dead letters stay within their bounds, and results a topic would refuse become dead letters. */
class SinkGuardTest {
  private static final String IN = "texts";
  private static final String OUT = "encoded";
  private static final String DLQ = "encoded-dlq";

  private PipelineDriver pipeline;

  private PipelineDriver start(Map<String, String> overrides) {
    Map<String, String> props = PipelineDriver.properties("sink-guard-test", IN, OUT);
    props.put(StreamNlpConfig.DLQ_TOPIC_CONFIG, DLQ);
    props.put(StreamNlpConfig.BATCH_SIZE_CONFIG, "1");
    props.put(StreamNlpConfig.INPUT_MAX_BYTES_CONFIG, "1000");
    props.putAll(overrides);
    pipeline = PipelineDriver.start(props, new InMemorySchemaRegistryClient(), IN);
    return pipeline;
  }

  @AfterEach
  void close() {
    if (pipeline != null) {
      pipeline.close();
    }
  }

  private static String header(TestRecord<byte[], byte[]> r, String key) {
    Header h = r.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Test
  void aLargeRejectedValueIsCutWithItsSizeAndHashAndTheHeadersAreBounded() {
    start(Map.of(StreamNlpConfig.DLQ_MAX_VALUE_BYTES_CONFIG, "100", StreamNlpConfig.DLQ_MAX_HEADERS_BYTES_CONFIG,
        "64"));
    byte[] huge = new byte[5000];
    Arrays.fill(huge, (byte) 'x');
    huge[0] = 'a';
    RecordHeaders headers = new RecordHeaders();
    headers.add("small", "kept".getBytes(StandardCharsets.UTF_8));
    headers.add("big", new byte[2000]);
    headers.add("after", "too".getBytes(StandardCharsets.UTF_8));
    pipeline.input.pipeInput(new TestRecord<>("k".getBytes(StandardCharsets.UTF_8), huge, headers));

    List<TestRecord<byte[], byte[]>> dead = pipeline.output(DLQ).readRecordsToList();
    assertThat(dead).hasSize(1);
    TestRecord<byte[], byte[]> letter = dead.get(0);
    assertThat(letter.value()).hasSize(100).isEqualTo(Arrays.copyOf(huge, 100));
    assertThat(header(letter, DeadLetterHeaders.REASON)).isEqualTo("TOO_LARGE");
    assertThat(header(letter, DeadLetterHeaders.VALUE_TRUNCATED)).isEqualTo("true");
    assertThat(header(letter, DeadLetterHeaders.VALUE_SIZE)).isEqualTo("5000");
    assertThat(header(letter, DeadLetterHeaders.VALUE_SHA256)).isEqualTo(DeadLetterPolicy.sha256(huge))
        .hasSize(64);
    assertThat(header(letter, DeadLetterHeaders.OFFSET)).isEqualTo("0");
    assertThat(header(letter, "small")).isEqualTo("kept");
    assertThat(letter.headers().lastHeader("big")).as("over the header budget").isNull();
    assertThat(header(letter, "after")).as("fits after the big one was left out").isEqualTo("too");
    assertThat(header(letter, DeadLetterHeaders.HEADERS_DROPPED)).isEqualTo("1");
    assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo("k");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"string", "json", "avro"})
  void anOversizedValueIsCutTheSameWayInEveryInputFormat(String format) {
    start(Map.of(StreamNlpConfig.INPUT_FORMAT_CONFIG, format, StreamNlpConfig.DLQ_MAX_VALUE_BYTES_CONFIG, "100"));
    byte[] huge = ("{\"text\": \"" + "a".repeat(5000) + "\"}").getBytes(StandardCharsets.UTF_8);
    pipeline.input.pipeInput("k".getBytes(StandardCharsets.UTF_8), huge);
    TestRecord<byte[], byte[]> letter = pipeline.output(DLQ).readRecord();
    assertThat(header(letter, DeadLetterHeaders.REASON)).isEqualTo("TOO_LARGE");
    assertThat(letter.value()).isEqualTo(Arrays.copyOf(huge, 100));
    assertThat(header(letter, DeadLetterHeaders.VALUE_SHA256)).isEqualTo(DeadLetterPolicy.sha256(huge));
  }

  @Test
  void aSmallRejectedValueIsKeptWhole() {
    start(Map.of());
    pipeline.input.pipeInput("k".getBytes(StandardCharsets.UTF_8), new byte[] {'x', (byte) 0xFF});
    TestRecord<byte[], byte[]> letter = pipeline.output(DLQ).readRecord();
    assertThat(letter.value()).containsExactly('x', (byte) 0xFF);
    assertThat(letter.headers().lastHeader(DeadLetterHeaders.VALUE_TRUNCATED)).isNull();
  }

  @Test
  void aResultTheOutputTopicWouldRefuseBecomesAHeadersOnlyDeadLetter() {
    // A producer limit that a result with an embedding (384 floats) exceeds but a dead letter does not.
    start(Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "1200",
        StreamNlpConfig.OUTPUT_FIELDS_CONFIG, "label,embedding"));
    TestOutputTopic<byte[], byte[]> out = pipeline.output(OUT);
    pipeline.send("k", "I love this phone", 1);
    pipeline.driver.advanceWallClockTime(Duration.ofSeconds(1));

    assertThat(out.isEmpty()).as("nothing too large reaches the output topic").isTrue();
    TestRecord<byte[], byte[]> letter = pipeline.output(DLQ).readRecord();
    assertThat(header(letter, DeadLetterHeaders.REASON)).isEqualTo("OUTPUT_REJECTED");
    assertThat(header(letter, DeadLetterHeaders.MESSAGE)).contains("more than topic " + OUT + " accepts");
    assertThat(header(letter, DeadLetterHeaders.OUTPUT_TOPIC)).isEqualTo(OUT);
    assertThat(header(letter, DeadLetterHeaders.TOPIC)).isEqualTo(IN);
    assertThat(header(letter, DeadLetterHeaders.OFFSET)).isEqualTo("0");
    assertThat(letter.value()).as("headers only").isNull();
    assertThat(pipeline.driver.metrics().entrySet()).anySatisfy(e -> {
      assertThat(e.getKey().name()).isEqualTo("output-rejected-total");
      assertThat((Double) e.getValue().metricValue()).isEqualTo(1.0);
    });
  }

  @Test
  void aLibraryUsersOwnSinkGetsTheSameGuard() {
    Map<String, String> props = PipelineDriver.properties("own-topology", IN, OUT);
    props.put(StreamNlpConfig.DLQ_TOPIC_CONFIG, DLQ);
    props.put(StreamNlpConfig.BATCH_SIZE_CONFIG, "1");
    props.put(StreamNlpConfig.OUTPUT_FIELDS_CONFIG, "label,embedding");
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "1200");
    try (io.streamnlp.StreamNlp nlp = io.streamnlp.StreamNlp.create(props, new InMemorySchemaRegistryClient())) {
      org.apache.kafka.streams.StreamsBuilder builder = new org.apache.kafka.streams.StreamsBuilder();
      var texts = builder.stream(IN, org.apache.kafka.streams.kstream.Consumed.with(
          org.apache.kafka.common.serialization.Serdes.ByteArray(),
          org.apache.kafka.common.serialization.Serdes.ByteArray()));
      nlp.write(nlp.encode(texts).filter((k, v) -> "positive".equals(v.getLabel())), "escalations", "mine");
      try (org.apache.kafka.streams.TopologyTestDriver driver =
               new org.apache.kafka.streams.TopologyTestDriver(builder.build(), nlp.streamsProperties())) {
        driver.createInputTopic(IN, new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())
            .pipeInput("k".getBytes(StandardCharsets.UTF_8), "I love this phone".getBytes(StandardCharsets.UTF_8));
        var dlq = driver.createOutputTopic(DLQ, new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        TestRecord<byte[], byte[]> letter = dlq.readRecord();
        assertThat(header(letter, DeadLetterHeaders.REASON)).isEqualTo("OUTPUT_REJECTED");
        assertThat(header(letter, DeadLetterHeaders.OUTPUT_TOPIC)).isEqualTo("escalations");
      }
    }
  }

  @Test
  void theSameLimitLetsSmallerResultsThrough() {
    start(Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "1200", StreamNlpConfig.OUTPUT_FIELDS_CONFIG, "label"));
    pipeline.send("k", "I love this phone", 1);
    pipeline.driver.advanceWallClockTime(Duration.ofSeconds(1));
    assertThat(pipeline.results(pipeline.output(OUT), OUT)).hasSize(1);
    assertThat(pipeline.output(DLQ).isEmpty()).isTrue();
  }

  @Test
  void aRecordWhoseHeadersWouldNotFitTheBufferChangelogIsRejectedBeforeItIsBuffered() {
    start(Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "2000"));
    RecordHeaders headers = new RecordHeaders();
    headers.add("trace", new byte[3000]);
    pipeline.input.pipeInput(new TestRecord<>("k".getBytes(StandardCharsets.UTF_8),
        "a short text".getBytes(StandardCharsets.UTF_8), headers));
    TestRecord<byte[], byte[]> letter = pipeline.output(DLQ).readRecord();
    assertThat(header(letter, DeadLetterHeaders.REASON)).isEqualTo("TOO_LARGE");
    assertThat(header(letter, DeadLetterHeaders.MESSAGE)).contains("micro-batch buffer");
    assertThat(letter.headers().lastHeader("trace")).as("reduced to its error headers to fit the dead-letter topic").isNull();
    pipeline.driver.advanceWallClockTime(Duration.ofSeconds(1));
    assertThat(pipeline.output(OUT).isEmpty()).isTrue();
  }

  @Test
  void aKeylessResultForACompactedTopicIsDeadLetteredAndALearntLimitApplies() {
    start(Map.of());
    pipeline.limits.learnTopic(OUT, 1_000_000, true);
    pipeline.input.pipeInput((byte[]) null, "no key here".getBytes(StandardCharsets.UTF_8));
    pipeline.driver.advanceWallClockTime(Duration.ofSeconds(1));
    assertThat(pipeline.output(OUT).isEmpty()).isTrue();
    assertThat(header(pipeline.output(DLQ).readRecord(), DeadLetterHeaders.MESSAGE)).contains("compacted");

    // A broker refusal seen by the production exception handler lowers the limit for what follows.
    pipeline.limits.learnRejected(OUT, 150, false);
    pipeline.send("k", "with a key but now too large", 2);
    pipeline.driver.advanceWallClockTime(Duration.ofSeconds(1));
    assertThat(pipeline.output(OUT).isEmpty()).isTrue();
    assertThat(header(pipeline.output(DLQ).readRecord(), DeadLetterHeaders.REASON)).isEqualTo("OUTPUT_REJECTED");
  }

  @Test
  void aDeadLetterTopicThatRefusesEvenTheBoundedLetterGetsTheMinimalOne() {
    start(Map.of(StreamNlpConfig.DLQ_MAX_VALUE_BYTES_CONFIG, "100000"));
    pipeline.limits.learnTopic(DLQ, 1000, false);
    pipeline.input.pipeInput("k".getBytes(StandardCharsets.UTF_8), new byte[5000]);
    TestRecord<byte[], byte[]> letter = pipeline.output(DLQ).readRecord();
    assertThat(letter.value()).isNull();
    assertThat(header(letter, DeadLetterHeaders.REASON)).isEqualTo("TOO_LARGE");
    assertThat(header(letter, DeadLetterHeaders.VALUE_SIZE)).isEqualTo("5000");
    assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo("k");
  }
}
