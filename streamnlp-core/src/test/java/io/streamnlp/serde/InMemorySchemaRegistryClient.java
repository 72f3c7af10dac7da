package io.streamnlp.serde;

import java.util.HashMap;
import java.util.Map;

/** A registry in memory, for unit tests only; integration tests use a registry over HTTP. */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {
  private final Map<Integer, org.apache.avro.Schema> byId = new HashMap<>();
  private final Map<String, Map<org.apache.avro.Schema, Integer>> bySubject = new HashMap<>();
  private int next = 1;

  @Override
  public synchronized int register(String subject, org.apache.avro.Schema schema) {
    for (Map.Entry<Integer, org.apache.avro.Schema> e : byId.entrySet()) {
      if (e.getValue().equals(schema)) {
        bySubject.computeIfAbsent(subject, s -> new HashMap<>()).put(schema, e.getKey());
        return e.getKey();
      }
    }
    int id = next++;
    byId.put(id, schema);
    bySubject.computeIfAbsent(subject, s -> new HashMap<>()).put(schema, id);
    return id;
  }

  @Override
  public synchronized int idOf(String subject, org.apache.avro.Schema schema) {
    Integer id = bySubject.getOrDefault(subject, Map.of()).get(schema);
    if (id == null) {
      throw new SchemaRegistryException("Schema not found", 404, 40403, null);
    }
    return id;
  }

  @Override
  public synchronized org.apache.avro.Schema schemaById(int id) {
    org.apache.avro.Schema s = byId.get(id);
    if (s == null) {
      throw new SchemaRegistryException("Schema " + id + " not found", 404, 40403, null);
    }
    return s;
  }

  public synchronized Map<String, Map<org.apache.avro.Schema, Integer>> subjects() {
    return Map.copyOf(bySubject);
  }
}
