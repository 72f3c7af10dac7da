package io.streamnlp.serde;

import io.streamnlp.serde.internals.AvroClassTrust;
import io.streamnlp.serde.internals.ConfluentWireFormat;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent wire-format Avro. With a reader schema the datum is resolved into it (a specific record
 * class when one is generated for it); without one it is read as a {@code GenericRecord} in the writer's
 * schema. Thread-safe, like the serializer, because Kafka Streams shares serde instances between threads.
 *
 * @param <T> the type read: a generated record class, or {@code GenericRecord}
 */
public final class ConfluentAvroDeserializer<T> implements Deserializer<T> {
  private final SchemaRegistryClient registry;
  private final Schema readerSchema;
  private final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();

  /**
   * A deserializer.
   *
   * @param registry where writer schemas are fetched by id
   * @param readerSchema the schema to resolve into, or null to read in each writer's schema
   */
  public ConfluentAvroDeserializer(SchemaRegistryClient registry, Schema readerSchema) {
    this.registry = registry;
    this.readerSchema = readerSchema;
    AvroClassTrust.trustGeneratedClasses();
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    int id;
    try {
      id = ConfluentWireFormat.schemaId(data);
    } catch (IllegalArgumentException e) {
      throw new SerializationException("not Confluent wire-format Avro: " + e.getMessage(), e);
    }
    DatumReader<T> reader = readers.computeIfAbsent(id, this::readerFor);
    try {
      BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, ConfluentWireFormat.HEADER_SIZE,
          data.length - ConfluentWireFormat.HEADER_SIZE, null);
      T value = reader.read(null, decoder);
      if (!decoder.isEnd()) {
        throw new SerializationException("trailing bytes after the Avro datum of schema " + id);
      }
      return value;
    } catch (IOException | RuntimeException e) {
      if (e instanceof SerializationException se) {
        throw se;
      }
      throw new SerializationException("cannot decode Avro datum of schema " + id + ": " + e.getMessage(), e);
    }
  }

  private DatumReader<T> readerFor(int id) {
    Schema writer = registry.schemaById(id);
    Schema reader = readerSchema == null ? writer : readerSchema;
    return new SpecificDatumReader<>(writer, reader, SpecificData.getForSchema(reader));
  }
}
