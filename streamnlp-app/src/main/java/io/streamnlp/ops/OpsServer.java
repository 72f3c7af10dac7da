package io.streamnlp.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations endpoint a platform team scrapes and probes ({@code http.port}):
 * <ul>
 *   <li>{@code GET /metrics}: Prometheus text format, through Micrometer: streamnlp's own {@code streamnlp_*}
 *       meters, the Kafka Streams client, consumer and producer metrics (Micrometer's Kafka Streams binder)
 *       and JVM metrics;</li>
 *   <li>{@code GET /health/live}: 200 while no stream thread has died for good, 503 after;</li>
 *   <li>{@code GET /health/ready}: 200 only while Kafka Streams is RUNNING (not while rebalancing or
 *       restoring), 503 otherwise.</li>
 * </ul>
 * Served by the JDK's own HTTP server: three read-only routes do not need a web framework.
 */
public final class OpsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);

  private final HttpServer server;
  private final PrometheusMeterRegistry prometheus;
  private final KafkaStreamsMetrics streamsMetrics;
  private final CompositeMeterRegistry meters;

  private OpsServer(HttpServer server, PrometheusMeterRegistry prometheus, KafkaStreamsMetrics streamsMetrics,
                    CompositeMeterRegistry meters) {
    this.server = server;
    this.prometheus = prometheus;
    this.streamsMetrics = streamsMetrics;
    this.meters = meters;
  }

  /**
   * Starts the endpoint on all interfaces (probes and scrapers come from outside the container).
   *
   * @param meters  the pipeline's registry of streamnlp meters; a Prometheus registry is added to it
   * @param failure the error that stopped the instance for good, or null while none did
   */
  public static OpsServer start(int port, KafkaStreams streams, CompositeMeterRegistry meters,
                                Supplier<Throwable> failure) throws IOException {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    meters.add(prometheus);
    KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(prometheus);
    new JvmMemoryMetrics().bindTo(prometheus);
    new JvmGcMetrics().bindTo(prometheus);
    new JvmThreadMetrics().bindTo(prometheus);
    new ClassLoaderMetrics().bindTo(prometheus);
    new ProcessorMetrics().bindTo(prometheus);
    new UptimeMetrics().bindTo(prometheus);
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext("/metrics", exchange -> respond(exchange, 200,
        "text/plain; version=0.0.4; charset=utf-8", prometheus.scrape()));
    server.createContext("/health/live", exchange -> {
      Throwable failed = failure.get();
      boolean live = failed == null && streams.state() != KafkaStreams.State.ERROR;
      respond(exchange, live ? 200 : 503, "text/plain; charset=utf-8", live ? "live\n"
          : "not live: " + (failed == null ? "Kafka Streams is in state " + streams.state() : failed) + "\n");
    });
    server.createContext("/health/ready", exchange -> {
      KafkaStreams.State state = streams.state();
      respond(exchange, state == KafkaStreams.State.RUNNING ? 200 : 503, "text/plain; charset=utf-8",
          state + "\n");
    });
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "streamnlp-ops-http");
      t.setDaemon(true);
      return t;
    }));
    server.start();
    LOG.info("Operations endpoint on port {}: /metrics, /health/live, /health/ready", server.getAddress().getPort());
    return new OpsServer(server, prometheus, streamsMetrics, meters);
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", contentType);
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    streamsMetrics.close();
    meters.remove(prometheus);
    prometheus.close();
  }
}
