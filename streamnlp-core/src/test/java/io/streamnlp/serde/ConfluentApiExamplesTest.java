package io.streamnlp.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Checks the registry client against request/response pairs from Confluent's API documentation, replayed by
 * a small HTTP server that also records what the client sent.
 */
class ConfluentApiExamplesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Schema STRING = Schema.create(Schema.Type.STRING);

  record Seen(String method, String path, String contentType, String authorization, JsonNode body) {}

  private HttpServer server;
  private final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger failuresToServe = new AtomicInteger();
  private JsonNode exchanges;

  @BeforeEach
  void startReplay() throws IOException {
    try (InputStream in = getClass().getResourceAsStream("/registry/confluent-api-examples.json")) {
      exchanges = JSON.readTree(in).path("exchanges");
    }
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", ex -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().getRawPath(),
          ex.getRequestHeaders().getFirst("Content-Type"), ex.getRequestHeaders().getFirst("Authorization"),
          body.isEmpty() ? null : JSON.readTree(body)));
      int status = 404;
      String response = "{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}";
      if (failuresToServe.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        status = 503;
        response = "<html>Service Unavailable</html>";
      } else {
        for (JsonNode x : exchanges) {
          if (x.path("method").asText().equals(ex.getRequestMethod())
              && x.path("path").asText().equals(ex.getRequestURI().getRawPath())) {
            status = x.path("status").asInt();
            response = x.path("response").toString();
          }
        }
      }
      byte[] bytes = response.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
      ex.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private HttpSchemaRegistryClient client(String userInfo, String... urls) {
    return client(0, userInfo, urls);
  }

  private HttpSchemaRegistryClient client(long outageMaxMs, String userInfo, String... urls) {
    return new HttpSchemaRegistryClient(new HttpSchemaRegistryClient.Settings(List.of(urls),
        Duration.ofSeconds(5), 2, 10, userInfo, null, outageMaxMs));
  }

  @Test
  void registersLooksUpAndFetchesAsTheDocumentedExamplesShow() {
    HttpSchemaRegistryClient c = client(null, url());
    assertThat(c.register("test", STRING)).isEqualTo(1);
    assertThat(seen.get(0).method()).isEqualTo("POST");
    assertThat(seen.get(0).path()).isEqualTo("/subjects/test/versions");
    assertThat(seen.get(0).contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
    assertThat(new Schema.Parser().parse(seen.get(0).body().path("schema").asText())).isEqualTo(STRING);

    assertThat(c.idOf("test", STRING)).as("cached after registering").isEqualTo(1);
    assertThat(c.schemaById(1)).isEqualTo(STRING);
    assertThat(seen).hasSize(1);

    HttpSchemaRegistryClient fresh = client(null, url());
    assertThat(fresh.idOf("test", STRING)).isEqualTo(1);
    assertThat(seen.get(1).path()).isEqualTo("/subjects/test");
    assertThat(fresh.schemaById(1)).isEqualTo(STRING);
    assertThat(fresh.schemaById(1)).isEqualTo(STRING);
    assertThat(seen).hasSize(2).as("the id lookup was answered from the lookup's cache");
  }

  @Test
  void fetchesASchemaById() {
    assertThat(client(null, url()).schemaById(1)).isEqualTo(STRING);
    assertThat(seen.get(0).method()).isEqualTo("GET");
    assertThat(seen.get(0).path()).isEqualTo("/schemas/ids/1");
  }

  @Test
  void mapsDocumentedErrorsWithoutRetrying() {
    HttpSchemaRegistryClient c = client(null, url());
    assertThatThrownBy(() -> c.schemaById(42)).isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
      assertThat(e.errorCode()).isEqualTo(40403);
      assertThat(e.isNotFound()).isTrue();
    });
    assertThatThrownBy(() -> c.register("incompatible", STRING))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.status()).isEqualTo(409))
        .hasMessageContaining("incompatible with an earlier schema");
    assertThatThrownBy(() -> c.register("invalid", STRING))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(42201));
    assertThat(seen).hasSize(3);
  }

  @Test
  void retriesServerErrorsWithBackOffThenSucceeds() {
    failuresToServe.set(2);
    assertThat(client(null, url()).register("test", STRING)).isEqualTo(1);
    assertThat(seen).hasSize(3);
  }

  @Test
  void givesUpAfterTheConfiguredRetries() {
    failuresToServe.set(10);
    assertThatThrownBy(() -> client(null, url()).register("test", STRING))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.status()).isEqualTo(503));
    assertThat(seen).hasSize(3);
  }

  @Test
  void waitsOutAnOutageLongerThanItsRetriesUntilTheRegistryAnswers() {
    failuresToServe.set(7);
    assertThat(client(30_000, null, url()).register("test", STRING)).isEqualTo(1);
    assertThat(seen).as("seven failures, then the answer").hasSize(8);
  }

  @Test
  void givesUpWhenTheOutageLastsLongerThanAllowed() {
    failuresToServe.set(1_000);
    HttpSchemaRegistryClient c = client(400, null, url());
    long start = System.nanoTime();
    assertThatThrownBy(() -> c.register("test", STRING))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.status()).isEqualTo(503));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(400), Duration.ofSeconds(10));
    int requests = seen.size();
    assertThat(requests).isGreaterThan(3);
    // The outage is still on: the next call fails after its own retries, without a new wait.
    assertThatThrownBy(() -> c.register("test", STRING)).isInstanceOf(SchemaRegistryException.class);
    assertThat(seen).hasSize(requests + 3);
  }

  @Test
  void failsOverToTheNextUrlAndSendsBasicAuth() {
    HttpSchemaRegistryClient c = client("alice:s3cret", "http://127.0.0.1:1", url());
    assertThat(c.register("test", STRING)).isEqualTo(1);
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0).authorization()).isEqualTo("Basic "
        + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void encodesSubjectNamesInThePath() {
    HttpSchemaRegistryClient c = client(null, url());
    assertThatThrownBy(() -> c.register("my topic/value", STRING)).isInstanceOf(SchemaRegistryException.class);
    assertThat(seen.get(0).path()).isEqualTo("/subjects/my%20topic%2Fvalue/versions");
  }
}
