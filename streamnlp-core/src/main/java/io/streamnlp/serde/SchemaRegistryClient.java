package io.streamnlp.serde;

import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry API that serializers need. Implementations cache: a schema id
 * never changes meaning, so lookups by id are answered from memory after the first call.
 */
public interface SchemaRegistryClient extends AutoCloseable {

  /**
   * Registers {@code schema} under {@code subject} (a no-op when it is already there).
   *
   * @param subject the subject, e.g. {@code <topic>-value}
   * @param schema the schema to register
   * @return the schema's global id
   * @throws SchemaRegistryException when the registry refuses it (incompatible, unauthorized) or cannot be reached
   */
  int register(String subject, Schema schema);

  /**
   * Looks up {@code schema} under {@code subject} without registering it.
   *
   * @param subject the subject
   * @param schema the schema to look up
   * @return the schema's global id
   * @throws SchemaRegistryException when it is not registered there, or the registry cannot be reached
   */
  int idOf(String subject, Schema schema);

  /**
   * The schema with a global id, as a reader of wire-format data needs it.
   *
   * @param id the id from a record's wire-format header
   * @return the writer's schema
   * @throws SchemaRegistryException when there is no such schema, or the registry cannot be reached
   */
  Schema schemaById(int id);

  /** Releases the client's connections; a no-op by default. */
  @Override
  default void close() {}
}
