package io.streamnlp.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnlp.StreamNlp;
import io.streamnlp.config.StreamNlpConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** http.port: Prometheus metrics and health probes of a pipeline on a real broker. */
class OpsEndpointIT extends LocalClusterIT {
  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir
  Path stateDir;

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void readinessFollowsTheStreamsStateAndMetricsShowStreamnlpKafkaAndJvmSeries() throws Exception {
    String name = "ops";
    kafka.createTopics(1, name + "-in", name + "-out", name + "-out-dlq");
    int port = freePort();
    Properties p = pipeline(name, stateDir);
    p.put(StreamNlpConfig.HTTP_PORT_CONFIG, Integer.toString(port));
    try (StreamNlp nlp = StreamNlp.create(p);
         StreamsRunner runner = new StreamsRunner(nlp, new Properties())) {
      assertThat(runner.httpPort()).isEqualTo(port);
      HttpResponse<String> before = get(port, "/health/ready");
      assertThat(before.statusCode()).as("not ready before it runs").isEqualTo(503);
      assertThat(before.body()).contains("CREATED");
      assertThat(get(port, "/health/live").statusCode()).isEqualTo(200);

      runner.start();
      assertThat(runner.awaitRunning(Duration.ofSeconds(60))).isTrue();
      assertThat(get(port, "/health/ready").statusCode()).isEqualTo(200);

      Properties pp = new Properties();
      pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      try (KafkaProducer<byte[], byte[]> producer =
               new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
        producer.send(new ProducerRecord<>(name + "-in", "a".getBytes(StandardCharsets.UTF_8),
            "I absolutely love it, best day ever!".getBytes(StandardCharsets.UTF_8))).get();
        producer.send(new ProducerRecord<>(name + "-in", "b".getBytes(StandardCharsets.UTF_8),
            "I am so angry, this is a disaster.".getBytes(StandardCharsets.UTF_8))).get();
        producer.send(new ProducerRecord<>(name + "-in", "c".getBytes(StandardCharsets.UTF_8), new byte[0])).get();
      }
      String metrics = "";
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      // The counters exist from the start (at 0): wait until every message has been counted.
      while (System.nanoTime() < deadline
          && !(metrics.contains("streamnlp_encoded_messages_total{label=\"negative\",pipeline=\"streamnlp\"} 1.0")
          && metrics.contains("streamnlp_encoded_messages_total{label=\"positive\",pipeline=\"streamnlp\"} 1.0")
          && metrics.contains("streamnlp_dead_letters_total{pipeline=\"streamnlp\",reason=\"EMPTY_VALUE\"} 1.0"))) {
        Thread.sleep(200);
        HttpResponse<String> r = get(port, "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        metrics = r.body();
      }
      assertThat(metrics)
          .contains("streamnlp_encoded_messages_total{label=\"positive\",pipeline=\"streamnlp\"} 1.0")
          .contains("streamnlp_encoded_messages_total{label=\"negative\",pipeline=\"streamnlp\"} 1.0")
          .contains("streamnlp_dead_letters_total{pipeline=\"streamnlp\",reason=\"EMPTY_VALUE\"} 1.0")
          .contains("streamnlp_batch_size_bucket{pipeline=\"streamnlp\",le=\"1.0\"}")
          .contains("streamnlp_model_call_seconds_bucket")
          .contains("streamnlp_model_load_seconds{model=\"minilm-l6-sentiment3\"")
          .contains("streamnlp_state_resets_total{pipeline=\"streamnlp\"} 0.0")
          .contains("kafka_stream_thread_process_total")
          .contains("kafka_consumer_fetch_manager_records_lag_max")
          .contains("jvm_memory_used_bytes");
      assertThat(get(port, "/health/live").statusCode()).isEqualTo(200);
      System.out.println("OpsEndpointIT /metrics sample:\n" + metrics.lines()
          .filter(l -> l.startsWith("streamnlp_") && !l.contains("_bucket")).reduce("", (a, b) -> a + b + "\n"));
    }
  }
}
