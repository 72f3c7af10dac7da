package io.streamnlp.serde;

import io.streamnlp.config.StreamNlpConfig.SubjectNameStrategy;
import io.streamnlp.serde.internals.AvroClassTrust;
import io.streamnlp.serde.internals.ConfluentWireFormat;
import io.streamnlp.serde.internals.SubjectNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serializes Avro records in the Confluent wire format, registering (or looking up) the writer schema
 * under the subject the configured naming strategy gives. Thread-safe, because Kafka Streams shares one
 * serde instance between the sink nodes of all its tasks and threads.
 *
 * @param <T> the Avro record type
 */
public final class ConfluentAvroSerializer<T extends GenericContainer> implements Serializer<T> {
  private final SchemaRegistryClient registry;
  private final SubjectNameStrategy strategy;
  private final boolean autoRegister;
  private final boolean isKey;
  private final Map<Schema, SpecificDatumWriter<T>> writers = new ConcurrentHashMap<>();

  /**
   * A serializer.
   *
   * @param registry where schemas are registered or looked up
   * @param strategy the subject naming strategy
   * @param autoRegister register a schema that is not there yet (else it must be)
   * @param isKey whether it serializes keys (subject {@code <topic>-key}) rather than values
   */
  public ConfluentAvroSerializer(SchemaRegistryClient registry, SubjectNameStrategy strategy,
                                 boolean autoRegister, boolean isKey) {
    this.registry = registry;
    this.strategy = strategy;
    this.autoRegister = autoRegister;
    this.isKey = isKey;
    AvroClassTrust.trustGeneratedClasses();
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    Schema schema = data.getSchema();
    String subject = SubjectNames.subject(strategy, topic, isKey, schema);
    int id = autoRegister ? registry.register(subject, schema) : registry.idOf(subject, schema);
    SpecificDatumWriter<T> writer = writers.computeIfAbsent(schema, SpecificDatumWriter::new);
    try {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
      ByteBuffer header = ByteBuffer.allocate(ConfluentWireFormat.HEADER_SIZE);
      ConfluentWireFormat.writeHeader(header, id);
      buffer.write(header.array());
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(buffer, null);
      writer.write(data, encoder);
      encoder.flush();
      return buffer.toByteArray();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("cannot serialize " + schema.getFullName() + " for topic " + topic, e);
    }
  }
}
