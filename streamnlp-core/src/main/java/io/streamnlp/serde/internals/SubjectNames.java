package io.streamnlp.serde.internals;

import io.streamnlp.config.StreamNlpConfig.SubjectNameStrategy;
import org.apache.avro.Schema;

/** Subject names as Confluent's TopicNameStrategy, RecordNameStrategy and TopicRecordNameStrategy make them. */
public final class SubjectNames {
  private SubjectNames() {}

  public static String subject(SubjectNameStrategy strategy, String topic, boolean isKey, Schema schema) {
    switch (strategy) {
      case TOPIC:
        return topic + (isKey ? "-key" : "-value");
      case RECORD:
        return schema.getFullName();
      case TOPIC_RECORD:
        return topic + "-" + schema.getFullName();
      default:
        throw new IllegalArgumentException("unknown strategy " + strategy);
    }
  }
}
