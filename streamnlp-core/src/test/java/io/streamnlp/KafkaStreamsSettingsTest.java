package io.streamnlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.serde.InMemorySchemaRegistryClient;
import io.streamnlp.stream.SinkRejectionHandler;
import io.streamnlp.stream.internals.SinkLimits;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.junit.jupiter.api.Test;

/** What a library user's KafkaStreams instance is given, and the mistakes refused before it starts. */
class KafkaStreamsSettingsTest {

  @Test
  void streamsPropertiesNameTheHandlerAndCarryLimitsMadeFromTheProducersSettings() {
    try (StreamNlp nlp = StreamNlp.create(Map.of(StreamNlpConfig.DLQ_TOPIC_CONFIG, "dlq",
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "5000"), new InMemorySchemaRegistryClient())) {
      Properties props = nlp.streamsProperties();
      assertThat(props).containsEntry(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
          SinkRejectionHandler.class.getName());
      SinkLimits limits = (SinkLimits) props.get(SinkLimits.CONFIG);
      assertThat(limits.maxRecordBytes("any-topic")).isEqualTo(5000);
      assertThat(nlp.streamsProperties().get(SinkLimits.CONFIG)).as("a new instance's limits each time")
          .isNotSameAs(limits);
    }
  }

  @Test
  void kafkasDeadLetterTopicGivenOnlyToKafkaStreamsIsRefusedBecauseTheDeadLettersWouldSplit() {
    try (StreamNlp nlp = StreamNlp.create(Map.of(StreamNlpConfig.OUTPUT_TOPIC_CONFIG, "out"),
        new InMemorySchemaRegistryClient())) {
      StreamsBuilder builder = new StreamsBuilder();
      nlp.encode(builder.stream("in", Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())));
      Properties props = new Properties();
      props.put(StreamsConfig.APPLICATION_ID_CONFIG, "split");
      props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
      props.put(StreamNlpConfig.KAFKA_DLQ_TOPIC_CONFIG, "kafka-dead-letters");
      assertThatThrownBy(() -> nlp.kafkaStreams(builder.build(), props)).isInstanceOf(ConfigException.class)
          .hasMessageContaining("errors.dead.letter.queue.topic.name")
          .hasMessageContaining("'out-dlq'")
          .hasMessageContaining("Pass errors.dead.letter.queue.topic.name to StreamNlp.create too");
    }
  }
}
