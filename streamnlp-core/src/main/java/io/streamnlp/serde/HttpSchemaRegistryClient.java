package io.streamnlp.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of the Confluent Schema Registry REST API over {@code java.net.http}. Written here because
 * Confluent's own client is not published on Maven Central; it uses only the documented endpoints
 * ({@code POST /subjects/{s}/versions}, {@code POST /subjects/{s}}, {@code GET /schemas/ids/{id}}), so it
 * works with Confluent Schema Registry, Apicurio's ccompat API and streamnlp's local registry.
 *
 * <p>Failed requests are retried on I/O errors, 408, 429 and 5xx with exponential back-off, moving on to
 * the next base URL each time. Past its {@code retries}, a request keeps retrying (at most
 * {@value #MAX_BACKOFF_MS} ms apart) while the outage, counted from its first failed request in this client,
 * is shorter than {@code outageMaxMs}: a registry restart or a failover is waited out rather than failing
 * the caller. Results are cached: ids are immutable in the registry.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {
  private static final Logger LOG = LoggerFactory.getLogger(HttpSchemaRegistryClient.class);
  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();
  static final long MAX_BACKOFF_MS = 5_000;

  private final List<URI> baseUrls;
  private final HttpClient http;
  private final Duration timeout;
  private final int retries;
  private final long backoffMs;
  private final String authorization;
  private final long outageMaxMs;
  /** When the current outage began (System.nanoTime()), or 0 while the registry answers. */
  private final java.util.concurrent.atomic.AtomicLong outageSince = new java.util.concurrent.atomic.AtomicLong();
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
  private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();

  private record SubjectSchema(String subject, Schema schema) {}

  /**
   * Settings of a client.
   *
   * @param urls base URLs of the registry, tried in order
   * @param timeout timeout of one request (and of connecting)
   * @param retries retries of a failed request, with exponential back-off
   * @param backoffMs the first back-off, doubled after each retry
   * @param basicAuthUserInfo {@code user:password} for HTTP basic authentication, or null
   * @param bearerToken a static bearer token, or null
   * @param outageMaxMs how long an outage is waited out past {@code retries}; 0 for not at all
   */
  public record Settings(List<String> urls, Duration timeout, int retries, long backoffMs,
                         String basicAuthUserInfo, String bearerToken, long outageMaxMs) {
    /**
     * Checks that there is a URL.
     *
     * @param urls base URLs of the registry, tried in order
     * @param timeout timeout of one request (and of connecting)
     * @param retries retries of a failed request, with exponential back-off
     * @param backoffMs the first back-off, doubled after each retry
     * @param basicAuthUserInfo {@code user:password} for HTTP basic authentication, or null
     * @param bearerToken a static bearer token, or null
     * @param outageMaxMs how long an outage is waited out past {@code retries}; 0 for not at all
     */
    public Settings {
      if (urls == null || urls.isEmpty()) {
        throw new IllegalArgumentException("at least one schema registry URL is needed");
      }
    }

    /**
     * One registry with the defaults: 10 s timeout, 3 retries from 100 ms, no authentication, no outage wait.
     *
     * @param url the registry's base URL
     * @return the settings
     */
    public static Settings of(String url) {
      return new Settings(List.of(url), Duration.ofSeconds(10), 3, 100, null, null, 0);
    }
  }

  /**
   * A client; it opens no connection before its first request.
   *
   * @param settings URLs, timeouts, retries and credentials
   * @throws IllegalArgumentException when a URL is not an http(s) base URL
   */
  public HttpSchemaRegistryClient(Settings settings) {
    this.baseUrls = settings.urls().stream().map(HttpSchemaRegistryClient::parseBase).toList();
    this.timeout = settings.timeout();
    this.retries = settings.retries();
    this.backoffMs = settings.backoffMs();
    this.outageMaxMs = settings.outageMaxMs();
    this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
    if (settings.bearerToken() != null) {
      this.authorization = "Bearer " + settings.bearerToken();
    } else if (settings.basicAuthUserInfo() != null) {
      this.authorization = "Basic " + Base64.getEncoder()
          .encodeToString(settings.basicAuthUserInfo().getBytes(StandardCharsets.UTF_8));
    } else {
      this.authorization = null;
    }
  }

  private static URI parseBase(String url) {
    String u = url.trim();
    while (u.endsWith("/")) {
      u = u.substring(0, u.length() - 1);
    }
    URI uri = URI.create(u);
    if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
      throw new IllegalArgumentException("schema registry URL '" + url + "' must start with http:// or https://");
    }
    return uri;
  }

  @Override
  public int register(String subject, Schema schema) {
    return cachedId(subject, schema, "/subjects/" + encode(subject) + "/versions");
  }

  @Override
  public int idOf(String subject, Schema schema) {
    return cachedId(subject, schema, "/subjects/" + encode(subject));
  }

  /** POSTs the schema to {@code path} (register or look up) once per subject and schema; both answer an id. */
  private int cachedId(String subject, Schema schema, String path) {
    return idsBySubjectSchema.computeIfAbsent(new SubjectSchema(subject, schema), k -> {
      JsonNode answer = send("POST", path, schemaBody(schema));
      int id = answer.path("id").asInt(-1);
      if (id < 0) {
        throw new SchemaRegistryException("registry answer for subject '" + subject + "' has no id: " + answer,
            200, -1, null);
      }
      schemasById.putIfAbsent(id, schema);
      return id;
    });
  }

  @Override
  public Schema schemaById(int id) {
    return schemasById.computeIfAbsent(id, k -> {
      JsonNode answer = send("GET", "/schemas/ids/" + id, null);
      String type = answer.path("schemaType").asText("AVRO");
      if (!"AVRO".equals(type)) {
        throw new SchemaRegistryException("schema " + id + " is of type " + type + ", not AVRO", 200, -1, null);
      }
      return new Schema.Parser().parse(answer.path("schema").asText());
    });
  }

  private static String schemaBody(Schema schema) {
    ObjectNode body = JSON.createObjectNode();
    body.put("schema", schema.toString());
    return body.toString();
  }

  private static String encode(String subject) {
    return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private JsonNode send(String method, String path, String body) {
    SchemaRegistryException last = null;
    long backoff = backoffMs;
    for (int attempt = 0; ; attempt++) {
      URI base = baseUrls.get(attempt % baseUrls.size());
      URI uri = URI.create(base + path);
      HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(timeout)
          .header("Accept", CONTENT_TYPE + ", application/json");
      if (authorization != null) {
        req.header("Authorization", authorization);
      }
      if (body != null) {
        req.header("Content-Type", CONTENT_TYPE).method(method, HttpRequest.BodyPublishers.ofString(body));
      } else {
        req.method(method, HttpRequest.BodyPublishers.noBody());
      }
      try {
        HttpResponse<String> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        int status = resp.statusCode();
        if (status / 100 == 2) {
          endOutage();
          return JSON.readTree(resp.body());
        }
        SchemaRegistryException error = errorOf(method, uri, status, resp.body());
        if (!retriable(status)) {
          endOutage();
          throw error;
        }
        last = error;
      } catch (IOException e) {
        last = new SchemaRegistryException(method + " " + uri + " failed: " + e, -1, -1, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SchemaRegistryException(method + " " + uri + " interrupted", -1, -1, e);
      }
      long outageMs = outageMs();
      if (attempt >= retries && outageMs >= outageMaxMs) {
        if (outageMaxMs > 0) {
          LOG.error("Schema registry unreachable for {} ms (schema.registry.outage.max.ms={}): {}", outageMs,
              outageMaxMs, last.getMessage());
        }
        throw Objects.requireNonNull(last);
      }
      LOG.warn("Schema registry request failed, retrying in {} ms{}: {}", backoff,
          attempt >= retries ? " (registry unreachable for " + outageMs + " ms)" : "", last.getMessage());
      sleep(backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  /** How long the registry has been failing, counted from the first failed request of this outage. */
  private long outageMs() {
    long now = System.nanoTime();
    long since = outageSince.updateAndGet(s -> s == 0 ? now : s);
    return (now - since) / 1_000_000;
  }

  private void endOutage() {
    if (outageSince.getAndSet(0) != 0) {
      LOG.info("Schema registry answers again");
    }
  }

  private static boolean retriable(int status) {
    return status == 408 || status == 429 || status >= 500;
  }

  private static SchemaRegistryException errorOf(String method, URI uri, int status, String body) {
    int code = -1;
    String message = body;
    try {
      JsonNode err = JSON.readTree(body);
      code = err.path("error_code").asInt(-1);
      message = err.path("message").asText(body);
    } catch (IOException | RuntimeException ignored) {
      // Not a JSON error body (a proxy's HTML page, say): keep the raw text.
    }
    return new SchemaRegistryException(method + " " + uri + " answered " + status
        + (code > 0 ? " (error " + code + ")" : "") + ": " + message, status, code, null);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException("interrupted while backing off", -1, -1, e);
    }
  }
}
