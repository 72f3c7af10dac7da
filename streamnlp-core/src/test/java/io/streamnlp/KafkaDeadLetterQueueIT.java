package io.streamnlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.local.LocalKafkaCluster;
import io.streamnlp.local.LocalSchemaRegistry;
import io.streamnlp.local.TopicRecords;
import io.streamnlp.stream.DeadLetterHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka Streams' own dead-letter queue (KIP-1034) and streamnlp's share one topic and one shape, on a real
 * broker: a record Kafka's deserialization handler dead-letters and one streamnlp dead-letters both carry the
 * original key and value and Kafka's {@code __streams.errors.*} headers.
 */
class KafkaDeadLetterQueueIT {
  private static final String DEAD_LETTERS = "all-dead-letters";
  private static LocalKafkaCluster kafka;
  private static LocalSchemaRegistry registry;

  @TempDir
  Path stateDir;

  @BeforeAll
  static void startCluster() throws Exception {
    kafka = LocalKafkaCluster.start();
    registry = LocalSchemaRegistry.start(kafka.bootstrapServers(), "_schemas", 0);
    kafka.createTopics(1, "chat", "chat-tags", "orders", "orders-doubled", DEAD_LETTERS);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (registry != null) {
      registry.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void kafkasDeadLettersAndStreamnlpsLandInOneTopicInOneShape() throws Exception {
    Properties streamsProps = new Properties();
    streamsProps.put(StreamsConfig.APPLICATION_ID_CONFIG, "kip-1034");
    streamsProps.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    streamsProps.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    streamsProps.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "1");
    streamsProps.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    streamsProps.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueExceptionHandler.class.getName());
    streamsProps.put(StreamNlpConfig.KAFKA_DLQ_TOPIC_CONFIG, DEAD_LETTERS);

    // No dlq.topic: the pipeline takes Kafka Streams' dead-letter topic.
    try (StreamNlp nlp = StreamNlp.create(Map.of(StreamNlpConfig.SCHEMA_REGISTRY_URL_CONFIG, registry.url(),
        StreamNlpConfig.KAFKA_DLQ_TOPIC_CONFIG, DEAD_LETTERS, StreamNlpConfig.BATCH_SIZE_CONFIG, "1"))) {
      assertThat(nlp.config().dlqTopic()).isEqualTo(DEAD_LETTERS);
      StreamsBuilder builder = new StreamsBuilder();
      nlp.write(nlp.encode("chat", builder.stream("chat", Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))),
          "chat-tags", "chat-tags");
      // A part of the service that has nothing to do with streamnlp, whose bad records Kafka dead-letters.
      builder.stream("orders", Consumed.with(Serdes.ByteArray(), Serdes.Long()))
          .mapValues(v -> v * 2)
          .to("orders-doubled", Produced.with(Serdes.ByteArray(), Serdes.Long()));

      try (KafkaStreams streams = nlp.kafkaStreams(builder.build(), streamsProps)) {
        streams.start();
        byte[] notUtf8 = {'h', 'i', (byte) 0xC3};
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
          producer.send(new ProducerRecord<>("orders", utf8("o-1"), utf8("abc"))).get();
          producer.send(new ProducerRecord<>("orders", utf8("o-2"), ByteBuffer.allocate(8).putLong(21).array())).get();
          producer.send(new ProducerRecord<>("chat", utf8("c-1"), notUtf8)).get();
          producer.send(new ProducerRecord<>("chat", utf8("c-2"), utf8("Thanks, that fixed it!"))).get();
        }
        List<ConsumerRecord<byte[], byte[]>> letters = consume(DEAD_LETTERS, 2);
        assertThat(consume("chat-tags", 1)).hasSize(1);
        assertThat(consume("orders-doubled", 1)).extracting(r -> ByteBuffer.wrap(r.value()).getLong())
            .containsExactly(42L);

        assertThat(letters).hasSize(2);
        ConsumerRecord<byte[], byte[]> kafkas = letters.stream()
            .filter(r -> "orders".equals(header(r, DeadLetterHeaders.KAFKA_TOPIC))).findFirst().orElseThrow();
        ConsumerRecord<byte[], byte[]> ours = letters.stream()
            .filter(r -> "chat".equals(header(r, DeadLetterHeaders.KAFKA_TOPIC))).findFirst().orElseThrow();
        // One shape: the original key and value, and Kafka's error headers, each with a value.
        for (ConsumerRecord<byte[], byte[]> letter : List.of(kafkas, ours)) {
          assertThat(kafkaHeaders(letter)).as("Kafka's headers of the letter from %s", header(letter,
              DeadLetterHeaders.KAFKA_TOPIC)).containsOnlyKeys(DeadLetterHeaders.KAFKA_EXCEPTION,
              DeadLetterHeaders.KAFKA_MESSAGE, DeadLetterHeaders.KAFKA_STACKTRACE, DeadLetterHeaders.KAFKA_TOPIC,
              DeadLetterHeaders.KAFKA_PARTITION, DeadLetterHeaders.KAFKA_OFFSET);
          assertThat(header(letter, DeadLetterHeaders.KAFKA_PARTITION)).isEqualTo("0");
          assertThat(header(letter, DeadLetterHeaders.KAFKA_OFFSET)).isEqualTo("0");
        }
        assertThat(kafkas.key()).isEqualTo(utf8("o-1"));
        assertThat(kafkas.value()).isEqualTo(utf8("abc"));
        assertThat(header(kafkas, DeadLetterHeaders.KAFKA_EXCEPTION)).contains("SerializationException");
        assertThat(header(kafkas, DeadLetterHeaders.REASON)).as("not streamnlp's").isNull();

        assertThat(ours.key()).isEqualTo(utf8("c-1"));
        assertThat(ours.value()).isEqualTo(notUtf8);
        assertThat(header(ours, DeadLetterHeaders.KAFKA_EXCEPTION))
            .isEqualTo(java.nio.charset.MalformedInputException.class.getName());
        assertThat(header(ours, DeadLetterHeaders.KAFKA_MESSAGE)).startsWith("value is not valid UTF-8");
        assertThat(header(ours, DeadLetterHeaders.KAFKA_STACKTRACE)).contains("MalformedInputException", "\tat ");
        // ... and streamnlp's own headers beside Kafka's.
        assertThat(header(ours, DeadLetterHeaders.REASON)).isEqualTo("INVALID_UTF8");
        assertThat(header(ours, DeadLetterHeaders.TOPIC)).isEqualTo("chat");
        assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
      }
    }
  }

  private static Map<String, String> kafkaHeaders(ConsumerRecord<byte[], byte[]> r) {
    return StreamSupport.stream(r.headers().spliterator(), false)
        .filter(h -> h.key().startsWith(DeadLetterHeaders.KAFKA_PREFIX))
        .collect(Collectors.toMap(Header::key, h -> new String(h.value(), StandardCharsets.UTF_8)));
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
    Header h = r.headers().lastHeader(key);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static KafkaProducer<byte[], byte[]> producer() {
    return TopicRecords.producer(kafka.bootstrapServers());
  }

  private static List<ConsumerRecord<byte[], byte[]>> consume(String topic, int expected) {
    return TopicRecords.readCommitted(kafka.bootstrapServers(), topic, expected, Duration.ofSeconds(90));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
