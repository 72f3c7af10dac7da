package io.streamnlp.serde;

import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry API that serializers need. Implementations cache: a schema id
 * never changes meaning, so lookups by id are answered from memory after the first call.
 */
public interface SchemaRegistryClient extends AutoCloseable {

  /** Registers {@code schema} under {@code subject} (a no-op when it is already there) and returns its id. */
  int register(String subject, Schema schema);

  /** Returns the id of {@code schema} when it is registered under {@code subject}. */
  int idOf(String subject, Schema schema);

  /** Returns the schema with the given global id. */
  Schema schemaById(int id);

  @Override
  default void close() {}
}
