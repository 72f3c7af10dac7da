package io.streamnlp.text.internals;

import io.streamnlp.serde.ConfluentAvroDeserializer;
import io.streamnlp.serde.SchemaRegistryClient;
import io.streamnlp.serde.SchemaRegistryException;
import io.streamnlp.text.RejectedInputException;
import io.streamnlp.text.RejectionReason;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * input.format=avro: the value is Confluent wire-format Avro and the text is one string field of it
 * (dotted path for nested records). A registry that cannot be reached is not the record's fault, so that
 * error propagates and stops the task instead of sending every record to the dead-letter topic.
 */
public final class AvroFieldExtractor implements TextExtractor {
  private final ConfluentAvroDeserializer<Object> deserializer;
  private final String[] path;
  private final String field;

  public AvroFieldExtractor(SchemaRegistryClient registry, String field) {
    this.deserializer = new ConfluentAvroDeserializer<>(registry, null);
    this.field = field;
    this.path = field.split("\\.");
  }

  @Override
  public String extract(String topic, byte[] value) throws RejectedInputException {
    Object datum;
    try {
      datum = deserializer.deserialize(topic, value);
    } catch (SchemaRegistryException e) {
      if (e.isNotFound()) {
        throw new RejectedInputException(RejectionReason.MALFORMED_AVRO,
            "the schema id in the value is unknown to the registry: " + e.getMessage(), e);
      }
      throw e;
    } catch (SerializationException e) {
      throw new RejectedInputException(RejectionReason.MALFORMED_AVRO, e.getMessage(), e);
    }
    Object current = datum;
    for (String name : path) {
      if (!(current instanceof GenericRecord record) || record.getSchema().getField(name) == null) {
        throw new RejectedInputException(RejectionReason.MISSING_FIELD,
            "Avro record has no field '" + field + "'");
      }
      current = record.get(name);
    }
    if (!(current instanceof CharSequence text)) {
      throw new RejectedInputException(RejectionReason.MISSING_FIELD, "Avro field '" + field + "' is "
          + (current == null ? "null" : current.getClass().getSimpleName()) + ", not a string");
    }
    return text.toString();
  }
}
