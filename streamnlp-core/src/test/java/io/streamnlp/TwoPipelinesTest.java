package io.streamnlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnlp.avro.TextEncoding;
import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.serde.InMemorySchemaRegistryClient;
import io.streamnlp.stream.DeadLetterHeaders;
import io.streamnlp.stream.internals.RnnState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * A service's own topology with two streamnlp pipelines, as the library lets one build it: the transformer tags
 * support chat, the GRU keeps per-user state on another topic; each pipeline's processors and stores are named
 * after it, so neither clashes with the other.
 */
class TwoPipelinesTest {
  private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

  private static Map<String, String> pipeline(String encoder) {
    Map<String, String> p = new HashMap<>();
    p.put(StreamNlpConfig.ENCODER_CONFIG, encoder);
    p.put(StreamNlpConfig.DLQ_TOPIC_CONFIG, "dead-letters");
    p.put(StreamNlpConfig.BATCH_SIZE_CONFIG, "1");
    return p;
  }

  private static Properties streamsProps() {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "two-pipelines");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    return p;
  }

  private static KStream<byte[], byte[]> bytes(StreamsBuilder builder, String topic) {
    return builder.stream(topic, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()));
  }

  @Test
  void anAttentionAndAnRnnPipelineShareOneTopologyUnderTheirOwnNames() {
    try (StreamNlp chat = StreamNlp.create(pipeline("attention"), registry);
         StreamNlp mood = StreamNlp.create(pipeline("rnn"), registry)) {
      StreamsBuilder builder = new StreamsBuilder();
      chat.write(chat.encode("support", bytes(builder, "support-chat")), "support-tags", "support-out");
      mood.write(mood.encode("user-mood", bytes(builder, "user-events")), "user-mood", "user-mood-out");
      Topology topology = builder.build();
      String description = topology.describe().toString();
      assertThat(description).contains("support-decode", "support-encode", "support-batch-buffer",
          "user-mood-decode", "user-mood-encode", "user-mood-batch-buffer", "user-mood-rnn-state")
          .doesNotContain("streamnlp-");

      Properties props = chat.streamsProperties();
      props.putAll(streamsProps());
      try (TopologyTestDriver driver = new TopologyTestDriver(topology, props)) {
        TestInputTopic<byte[], byte[]> support = input(driver, "support-chat");
        TestInputTopic<byte[], byte[]> events = input(driver, "user-events");
        support.pipeInput(utf8("t-1"), utf8("This app keeps crashing every time I open it. So frustrating."));
        events.pipeInput(utf8("ana"), utf8("I love the new update"));
        events.pipeInput(utf8("ana"), utf8("and the dark mode is great"));
        support.pipeInput(utf8("t-2"), new byte[0]);
        driver.advanceWallClockTime(Duration.ofSeconds(1));

        List<TextEncoding> tags = results(chat, output(driver, "support-tags"));
        List<TextEncoding> moods = results(mood, output(driver, "user-mood"));
        assertThat(tags).extracting(r -> r.getModel().getName()).containsExactly("minilm-l6-sentiment3");
        assertThat(tags.get(0).getLabel()).isEqualTo("negative");
        assertThat(moods).extracting(r -> r.getModel().getName()).containsExactly("gru-sentiment3", "gru-sentiment3");
        // The GRU carries ana's state from one message to the next, in its own store.
        assertThat(moods).extracting(TextEncoding::getStateSteps).containsExactly(1L, 2L);
        KeyValueStore<Bytes, RnnState> states = driver.getKeyValueStore("user-mood-rnn-state");
        assertThat(states.get(Bytes.wrap(utf8("ana")))).extracting(RnnState::steps).isEqualTo(2L);

        TestRecord<byte[], byte[]> letter = output(driver, "dead-letters").readRecord();
        assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8))
            .isEqualTo("EMPTY_VALUE");
        assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.TOPIC).value(), StandardCharsets.UTF_8))
            .isEqualTo("support-chat");
      }
    }
  }

  @Test
  void theSameNameTwiceInOneTopologyIsRefusedByKafkaStreamsAndAnIllegalNameAtOnce() {
    try (StreamNlp chat = StreamNlp.create(pipeline("attention"), registry)) {
      StreamsBuilder builder = new StreamsBuilder();
      chat.encode("support", bytes(builder, "a"));
      assertThatThrownBy(() -> {
        chat.encode("support", bytes(builder, "b"));
        builder.build();
      }).hasMessageContaining("support-");
      assertThatThrownBy(() -> chat.encode("no spaces", bytes(new StreamsBuilder(), "c")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'no spaces'");
    }
  }

  @Test
  void theStandaloneTopologyKeepsItsNamesSoItsStateSurvivesTheUpgrade() {
    Map<String, String> p = pipeline("rnn");
    p.put(StreamNlpConfig.INPUT_TOPICS_CONFIG, "in");
    p.put(StreamNlpConfig.OUTPUT_TOPIC_CONFIG, "out");
    try (StreamNlp nlp = StreamNlp.create(p, registry)) {
      assertThat(nlp.topology().describe().toString())
          .contains("streamnlp-decode", "streamnlp-batch-buffer", "streamnlp-rnn-state", "streamnlp-output-sink");
    }
  }

  private static TestInputTopic<byte[], byte[]> input(TopologyTestDriver driver, String topic) {
    return driver.createInputTopic(topic, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static TestOutputTopic<byte[], byte[]> output(TopologyTestDriver driver, String topic) {
    return driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static List<TextEncoding> results(StreamNlp nlp, TestOutputTopic<byte[], byte[]> topic) {
    List<TextEncoding> out = new ArrayList<>();
    for (byte[] v : topic.readValuesToList()) {
      out.add(nlp.resultSerde().deserializer().deserialize("any", v));
    }
    return out;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
