package io.streamnlp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaParseException;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * streamnlp's <b>local development registry</b>: a single-node server of the subset of the Confluent Schema
 * Registry REST API that Avro serializers use, for {@code demo} and tests on machines where no real
 * registry can run. Like Confluent's, it keeps its schemas in a compacted Kafka topic ({@code _schemas},
 * same key and value JSON), so it survives restarts of itself. Avro only; BACKWARD compatibility is checked
 * on registration. Use Confluent Schema Registry or Apicurio Registry in production.
 *
 * <p>Endpoints: {@code GET /subjects}, {@code GET /subjects/{s}/versions}, {@code GET
 * /subjects/{s}/versions/{v|latest}[/schema]}, {@code POST /subjects/{s}/versions}, {@code POST
 * /subjects/{s}}, {@code GET /schemas/ids/{id}}, {@code GET /config}.
 */
public final class LocalSchemaRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalSchemaRegistry.class);
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final KafkaProducer<String, String> producer;
  private final String topic;
  private final Map<Integer, String> schemasById = new HashMap<>();
  private final Map<String, Integer> idsBySchema = new HashMap<>();
  private final Map<String, List<Integer>> versionsBySubject = new LinkedHashMap<>();
  private int nextId = 1;

  private LocalSchemaRegistry(HttpServer server, KafkaProducer<String, String> producer, String topic) {
    this.server = server;
    this.producer = producer;
    this.topic = topic;
  }

  /**
   * Starts the registry on 127.0.0.1.
   *
   * @param port 0 for any free port
   */
  public static LocalSchemaRegistry start(String bootstrapServers, String topic, int port) throws IOException {
    Topics.createIfAbsent(bootstrapServers, List.of(new NewTopic(topic, 1, (short) 1)
        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))));
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    LocalSchemaRegistry registry = new LocalSchemaRegistry(server, producer, topic);
    registry.restore(bootstrapServers);
    server.createContext("/", registry::handle);
    server.setExecutor(Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "local-schema-registry");
      t.setDaemon(true);
      return t;
    }));
    server.start();
    LOG.info("Local development schema registry at {} (schemas in topic {})", registry.url(), topic);
    return registry;
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Replays the schemas topic from the beginning, as Confluent's registry does at start-up. */
  private void restore(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (KafkaConsumer<String, String> consumer =
             new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      while (consumer.position(tp) < end) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() != null) {
            apply(JSON.readTree(r.value()));
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("corrupt record in registry topic " + topic, e);
    }
  }

  private synchronized void apply(JsonNode value) {
    String subject = value.path("subject").asText();
    int id = value.path("id").asInt();
    String schema = value.path("schema").asText();
    schemasById.put(id, schema);
    idsBySchema.putIfAbsent(schema, id);
    List<Integer> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
    if (!versions.contains(id)) {
      versions.add(id);
    }
    nextId = Math.max(nextId, id + 1);
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      String path = ex.getRequestURI().getRawPath();
      String[] parts = path.replaceAll("^/+|/+$", "").split("/");
      for (int i = 0; i < parts.length; i++) {
        parts[i] = URLDecoder.decode(parts[i], StandardCharsets.UTF_8);
      }
      String method = ex.getRequestMethod();
      Response r = route(method, parts, ex);
      send(ex, r.status, r.body);
    } catch (InvalidSchemaException e) {
      send(ex, 422, error(42201, e.getMessage()));
    } catch (RuntimeException e) {
      LOG.warn("Registry request failed", e);
      send(ex, 500, error(50001, "Error in the backend data store: " + e.getMessage()));
    } finally {
      ex.close();
    }
  }

  private record Response(int status, String body) {}

  /** A request whose schema cannot be used: answered 422 with Confluent's error code 42201. */
  private static final class InvalidSchemaException extends RuntimeException {
    InvalidSchemaException(String message) {
      super(message);
    }
  }

  private Response route(String method, String[] p, HttpExchange ex) throws IOException {
    if (p.length == 1 && p[0].isEmpty()) {
      return ok("{}");
    }
    if (p[0].equals("config") && p.length == 1 && method.equals("GET")) {
      return ok("{\"compatibilityLevel\":\"BACKWARD\"}");
    }
    if (p[0].equals("schemas") && p.length == 3 && p[1].equals("ids") && method.equals("GET")) {
      return schemaById(p[2]);
    }
    if (p[0].equals("subjects")) {
      if (p.length == 1 && method.equals("GET")) {
        return ok(JSON.writeValueAsString(subjects()));
      }
      String subject = p[1];
      if (p.length == 2 && method.equals("POST")) {
        return lookup(subject, ex);
      }
      if (p.length == 3 && p[2].equals("versions")) {
        if (method.equals("POST")) {
          return register(subject, ex);
        }
        if (method.equals("GET")) {
          List<Integer> versions = versions(subject);
          if (versions == null) {
            return subjectNotFound(subject);
          }
          ArrayNode arr = JSON.createArrayNode();
          for (int i = 1; i <= versions.size(); i++) {
            arr.add(i);
          }
          return ok(arr.toString());
        }
      }
      if ((p.length == 4 || (p.length == 5 && p[4].equals("schema"))) && p[2].equals("versions")
          && method.equals("GET")) {
        return version(subject, p[3], p.length == 5);
      }
    }
    return new Response(404, error(404, "HTTP 404 Not Found"));
  }

  private synchronized List<String> subjects() {
    return new ArrayList<>(versionsBySubject.keySet());
  }

  private synchronized List<Integer> versions(String subject) {
    List<Integer> v = versionsBySubject.get(subject);
    return v == null ? null : new ArrayList<>(v);
  }

  private synchronized Response schemaById(String idText) {
    int id;
    try {
      id = Integer.parseInt(idText);
    } catch (NumberFormatException e) {
      return new Response(404, error(40403, "Schema not found"));
    }
    String schema = schemasById.get(id);
    if (schema == null) {
      return new Response(404, error(40403, "Schema " + id + " not found"));
    }
    ObjectNode body = JSON.createObjectNode();
    body.put("schema", schema);
    return ok(body.toString());
  }

  private synchronized Response version(String subject, String versionText, boolean rawSchema) {
    List<Integer> versions = versionsBySubject.get(subject);
    if (versions == null) {
      return subjectNotFound(subject);
    }
    int version;
    try {
      version = versionText.equals("latest") ? versions.size() : Integer.parseInt(versionText);
    } catch (NumberFormatException e) {
      return new Response(422, error(42202, "The specified version '" + versionText + "' is not a valid "
          + "version id. Allowed values are between [1, 2^31-1] and the string \"latest\""));
    }
    if (version < 1 || version > versions.size()) {
      return new Response(404, error(40402, "Version " + versionText + " not found."));
    }
    int id = versions.get(version - 1);
    if (rawSchema) {
      return ok(schemasById.get(id));
    }
    return ok(describe(subject, version, id).toString());
  }

  private ObjectNode describe(String subject, int version, int id) {
    return schemaVersion(subject, version, id, schemasById.get(id));
  }

  /** The JSON of one subject version, as the API answers it and as the schemas topic stores it. */
  private static ObjectNode schemaVersion(String subject, int version, int id, String schema) {
    ObjectNode body = JSON.createObjectNode();
    body.put("subject", subject);
    body.put("version", version);
    body.put("id", id);
    body.put("schema", schema);
    return body;
  }

  private Response lookup(String subject, HttpExchange ex) throws IOException {
    Schema schema = parseBody(ex);
    synchronized (this) {
      List<Integer> versions = versionsBySubject.get(subject);
      if (versions == null) {
        return subjectNotFound(subject);
      }
      Integer id = idsBySchema.get(schema.toString());
      int index = id == null ? -1 : versions.indexOf(id);
      if (index < 0) {
        return new Response(404, error(40403, "Schema not found"));
      }
      return ok(describe(subject, index + 1, id).toString());
    }
  }

  private Response register(String subject, HttpExchange ex) throws IOException {
    Schema schema = parseBody(ex);
    String canonical = schema.toString();
    synchronized (this) {
      List<Integer> versions = versionsBySubject.getOrDefault(subject, List.of());
      Integer existing = idsBySchema.get(canonical);
      if (existing != null && versions.contains(existing)) {
        return ok("{\"id\":" + existing + "}");
      }
      if (!versions.isEmpty()) {
        Schema latest = new Schema.Parser().parse(schemasById.get(versions.get(versions.size() - 1)));
        SchemaCompatibility.SchemaPairCompatibility compat =
            SchemaCompatibility.checkReaderWriterCompatibility(schema, latest);
        if (compat.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
          return new Response(409, error(409, "Schema being registered is incompatible with an earlier "
              + "schema for subject \"" + subject + "\" (BACKWARD): " + compat.getDescription()));
        }
      }
      int id = existing != null ? existing : nextId;
      int version = versions.size() + 1;
      ObjectNode key = JSON.createObjectNode();
      key.put("keytype", "SCHEMA");
      key.put("subject", subject);
      key.put("version", version);
      key.put("magic", 1);
      ObjectNode value = schemaVersion(subject, version, id, canonical);
      value.put("deleted", false);
      try {
        producer.send(new ProducerRecord<>(topic, key.toString(), value.toString())).get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        return new Response(500, error(50001, "Cannot store the schema in topic " + topic + ": " + e));
      }
      apply(value);
      return ok("{\"id\":" + id + "}");
    }
  }

  private static Schema parseBody(HttpExchange ex) {
    JsonNode body;
    try {
      body = JSON.readTree(ex.getRequestBody());
    } catch (IOException e) {
      throw new InvalidSchemaException("Request body is not JSON: " + e.getMessage());
    }
    String type = body.path("schemaType").asText("AVRO");
    if (!type.equals("AVRO")) {
      throw new InvalidSchemaException("Only AVRO schemas are supported by the local registry, not " + type);
    }
    if (!body.path("schema").isTextual()) {
      throw new InvalidSchemaException("Request body has no 'schema' string");
    }
    try {
      return new Schema.Parser().parse(body.path("schema").asText());
    } catch (SchemaParseException e) {
      throw new InvalidSchemaException("Invalid schema: " + e.getMessage());
    }
  }

  private static Response ok(String body) {
    return new Response(200, body);
  }

  private static Response subjectNotFound(String subject) {
    return new Response(404, error(40401, "Subject '" + subject + "' not found."));
  }

  private static String error(int code, String message) {
    ObjectNode body = JSON.createObjectNode();
    body.put("error_code", code);
    body.put("message", message);
    return body.toString();
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    producer.close(Duration.ofSeconds(5));
  }
}
