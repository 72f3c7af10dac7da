package io.streamnlp.app;

import io.streamnlp.StreamNlp;
import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.internals.GuardedStreams;
import io.streamnlp.ops.OpsServer;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the standalone topology in a {@link KafkaStreams} instance built the way a library user builds theirs
 * ({@code StreamNlp.kafkaStreams}: topic limits, the production exception handler, bounded stream-thread
 * replacement), adds the operations endpoint, and reports how the instance ends.
 */
public final class StreamsRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamsRunner.class);

  private final GuardedStreams guarded;
  private final KafkaStreams streams;
  private final OpsServer ops;
  private final CountDownLatch stopped = new CountDownLatch(1);

  public StreamsRunner(StreamNlp nlp, Properties extra) {
    StreamNlpConfig config = nlp.config();
    RegistryCheck.require(config);
    // The standalone app checks strictly: an unreachable cluster or a missing topic stops it at start, in one line.
    this.guarded = GuardedStreams.forPipeline(config, nlp.streamsProperties(), nlp.topology(), extra, true);
    this.streams = guarded.streams();
    int httpPort = config.getInt(StreamNlpConfig.HTTP_PORT_CONFIG);
    try {
      this.ops = httpPort == 0 ? null : OpsServer.start(httpPort, streams, nlp.meters(), guarded.handler()::failure);
    } catch (java.io.IOException e) {
      streams.close(Duration.ZERO);
      throw new org.apache.kafka.common.config.ConfigException(StreamNlpConfig.HTTP_PORT_CONFIG, httpPort,
          "cannot listen on it: " + e.getMessage() + ". Choose a free port, or 0 to turn the endpoint off.");
    }
    streams.setStateListener((now, before) -> {
      LOG.info("Kafka Streams state {} -> {}", before, now);
      if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
        stopped.countDown();
      }
    });
  }

  public void start() {
    streams.start();
  }

  /** Waits until the instance has joined its group and runs, or fails. */
  public boolean awaitRunning(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      KafkaStreams.State s = streams.state();
      if (s == KafkaStreams.State.RUNNING) {
        return true;
      }
      if (!s.isRunningOrRebalancing() && s != KafkaStreams.State.CREATED) {
        return false;
      }
      Thread.sleep(20);
    }
    return false;
  }

  /** Blocks until the instance stops; returns its failure, if any. */
  public Throwable awaitStop() throws InterruptedException {
    stopped.await();
    return guarded.handler().failure();
  }

  public boolean awaitStop(long timeout, TimeUnit unit) throws InterruptedException {
    return stopped.await(timeout, unit);
  }

  public KafkaStreams streams() {
    return streams;
  }

  /** What stopped a stream thread for good, or null while none has. */
  public Throwable failure() {
    return guarded.handler().failure();
  }

  /** The operations endpoint's port, or 0 when http.port is not set. */
  public int httpPort() {
    return ops == null ? 0 : ops.port();
  }

  @Override
  public void close() {
    streams.close(Duration.ofSeconds(30));
    if (ops != null) {
      ops.close();
    }
    stopped.countDown();
  }
}
