package com.example.supportchat;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnlp.avro.TextEncoding;
import io.streamnlp.local.LocalKafkaCluster;
import io.streamnlp.local.LocalSchemaRegistry;
import io.streamnlp.local.TopicRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service on a real KRaft broker and registry, as its team would test it before deploying. */
class SupportChatServiceIT {
  private static LocalKafkaCluster kafka;
  private static LocalSchemaRegistry registry;

  @TempDir
  Path stateDir;

  @BeforeAll
  static void startCluster() throws Exception {
    kafka = LocalKafkaCluster.start();
    registry = LocalSchemaRegistry.start(kafka.bootstrapServers(), "_schemas", 0);
    kafka.createTopics(2, "support-chat", "user-events", "user-mood", "dead-letters");
    // Escalations are read by a ticketing system that takes small records only.
    kafka.createTopics(1, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "4000"), "escalations");
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

  private Properties config() {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "support-chat-service");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "1");
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put("schema.registry.url", registry.url());
    p.put("dlq.topic", "dead-letters");
    p.put("batch.size", "8");
    p.put("batch.max.wait.ms", "20");
    return p;
  }

  @Test
  void escalatesNegativeChatKeepsEachUsersMoodAndDeadLettersWhatATopicRefusesWhileRunning() throws Exception {
    try (SupportChatService service = new SupportChatService(config())) {
      service.start();
      try (KafkaProducer<byte[], byte[]> producer = producer()) {
        send(producer, "support-chat", "ticket-1", "This app keeps crashing every time I open it. So frustrating.");
        send(producer, "support-chat", "ticket-2", "Thanks so much for the quick help, you saved my day.");
        // Keys are part of every record and its result: this ticket id makes its escalation too large for the
        // escalations topic (4,000 bytes), which the instance learnt from the broker before it started.
        char[] longId = new char[2500];
        Arrays.fill(longId, 'x');
        send(producer, "support-chat", "ticket-" + new String(longId), "I am so angry, this is a disaster.");
        send(producer, "support-chat", "ticket-4", "Worst experience ever, totally broken.");
        send(producer, "support-chat", "ticket-5", new byte[] {'o', 'o', (byte) 0xFF});
        send(producer, "user-events", "ana", "I love the new update");
        send(producer, "user-events", "ana", "and the dark mode is great");
        send(producer, "user-events", "ben", "the app deleted my notes");
      }

      List<ConsumerRecord<byte[], byte[]>> escalations = consume("escalations", 2);
      assertThat(escalations).extracting(r -> utf8(r.key())).containsExactlyInAnyOrder("ticket-1", "ticket-4");
      for (ConsumerRecord<byte[], byte[]> r : escalations) {
        TextEncoding result = service.decode("escalations", r.value());
        assertThat(result.getLabel()).isEqualTo("negative");
        assertThat(result.getModel().getName()).isEqualTo("minilm-l6-sentiment3");
      }

      List<TextEncoding> moods = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : consume("user-mood", 3)) {
        moods.add(service.decode("user-mood", r.value()));
      }
      assertThat(moods).extracting(r -> r.getModel().getName()).containsOnly("gru-sentiment3");
      // Each user's state lives under the pipeline's own store; ana's second event continues from her first.
      assertThat(moods).filteredOn(r -> utf8(r.getKey().array()).equals("ana"))
          .extracting(TextEncoding::getStateSteps).containsExactly(1L, 2L);

      List<ConsumerRecord<byte[], byte[]>> letters = consume("dead-letters", 2);
      assertThat(letters).extracting(r -> header(r, "streamnlp.error.reason"))
          .containsExactlyInAnyOrder("OUTPUT_REJECTED", "INVALID_UTF8");
      ConsumerRecord<byte[], byte[]> refused = letters.stream()
          .filter(r -> "OUTPUT_REJECTED".equals(header(r, "streamnlp.error.reason"))).findFirst().orElseThrow();
      assertThat(header(refused, "streamnlp.error.output.topic")).isEqualTo("escalations");
      assertThat(header(refused, "streamnlp.error.message")).contains("4000");
      assertThat(header(refused, "__streams.errors.exception")).endsWith("RecordTooLargeException");

      // The ticketing team lowers the topic's limit while the service runs: the broker refuses the next
      // escalation, the stream thread is replaced, and the escalation becomes a dead letter. Nothing is lost.
      try (var admin = kafka.admin()) {
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, "escalations"),
            (Collection<AlterConfigOp>) List.of(new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                "100"), AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
      }
      try (KafkaProducer<byte[], byte[]> producer = producer()) {
        send(producer, "support-chat", "ticket-6", "This is terrible, I hate it.");
        send(producer, "user-events", "ben", "still broken after the update");
      }
      List<ConsumerRecord<byte[], byte[]>> later = consume("dead-letters", 3);
      assertThat(later).filteredOn(r -> "ticket-6".equals(utf8(r.key())))
          .singleElement().satisfies(r -> {
            assertThat(header(r, "streamnlp.error.reason")).isEqualTo("OUTPUT_REJECTED");
            assertThat(header(r, "streamnlp.error.output.topic")).isEqualTo("escalations");
          });
      assertThat(consume("escalations", 2)).as("nothing more was written there, nothing twice").hasSize(2);
      assertThat(consume("user-mood", 4)).hasSize(4);
      assertThat(service.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
    }
  }

  @Test
  void aMissingModelArtifactFailsAtStartWithTheArtifactToAdd() {
    Properties p = config();
    p.put("model.dir", "classpath:models/minilm-l6-sentiment3-int8");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SupportChatService(p))
        .hasMessageStartingWith("Model 'minilm-l6-sentiment3-int8' is not on the classpath: add the dependency "
            + "io.streamnlp:streamnlp-model-minilm-l6-sentiment3-int8:");
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String key, String text)
      throws Exception {
    send(producer, topic, key, text.getBytes(StandardCharsets.UTF_8));
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String key, byte[] value)
      throws Exception {
    producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)).get();
  }

  private static KafkaProducer<byte[], byte[]> producer() {
    return TopicRecords.producer(kafka.bootstrapServers());
  }

  /** Every committed record of {@code topic}, once at least {@code expected} arrived (or 90 s passed). */
  private static List<ConsumerRecord<byte[], byte[]>> consume(String topic, int expected) {
    return TopicRecords.readCommitted(kafka.bootstrapServers(), topic, expected, Duration.ofSeconds(90));
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
    Header h = r.headers().lastHeader(key);
    return h == null || h.value() == null ? null : utf8(h.value());
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
