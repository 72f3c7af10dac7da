package io.streamnlp.stream.internals;

import org.apache.kafka.streams.processor.api.RecordMetadata;

/** Where an input record was read. Topic is "" and partition/offset -1 when Kafka Streams does not know. */
public record SourcePosition(String topic, int partition, long offset, long timestamp) {

  public static SourcePosition of(java.util.Optional<RecordMetadata> metadata, long timestamp) {
    return metadata.map(m -> new SourcePosition(m.topic() == null ? "" : m.topic(), m.partition(), m.offset(),
        timestamp)).orElse(new SourcePosition("", -1, -1L, timestamp));
  }
}
