package io.streamnlp;

import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.ops.OpsServer;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a pipeline's topology in a {@link KafkaStreams} instance and reports how it ends. */
public final class StreamsRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamsRunner.class);

  private final KafkaStreams streams;
  private final OpsServer ops;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  public StreamsRunner(StreamNlp nlp, Properties extra) {
    Properties props = nlp.streamsProperties();
    props.putAll(extra);
    StreamNlpConfig config = nlp.config();
    String[] sinks = {config.outputTopic(), config.dlqTopic(), config.aggregatesTopic()};
    TopicLimits.learn(nlp.sinkLimits(), props, sinks);
    this.streams = new KafkaStreams(nlp.topology(), props);
    ThreadReplacements replacements = new ThreadReplacements(
        config.getInt(StreamNlpConfig.THREAD_REPLACEMENTS_MAX_CONFIG),
        Duration.ofMillis(config.getLong(StreamNlpConfig.THREAD_REPLACEMENTS_WINDOW_MS_CONFIG)));
    streams.setUncaughtExceptionHandler(e -> {
      // Bad records never get here (they go to the dead-letter topic); what does is an outage that outlasted
      // its retries, a broker-side error or a bug. A new thread resumes the tasks from their last commit
      // (exactly once); a thread failing again and again means something is persistently wrong, so the
      // instance stops loudly rather than spin.
      if (replacements.allowAnother(System.currentTimeMillis())) {
        LOG.error("Stream thread failed; replacing it ({} of {} allowed in {})", replacements.used(),
            replacements.max(), replacements.window(), e);
        // A topic whose limits changed while running (the usual cause of a refused record) is read again
        // before the new thread processes the same input, so its guard dead-letters what the topic refuses.
        TopicLimits.learn(nlp.sinkLimits(), props, sinks);
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
      }
      LOG.error("Stream thread failed again ({} replacements in {} already); shutting the instance down",
          replacements.max(), replacements.window(), e);
      failure.compareAndSet(null, e);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    int httpPort = config.getInt(StreamNlpConfig.HTTP_PORT_CONFIG);
    try {
      this.ops = httpPort == 0 ? null : OpsServer.start(httpPort, streams, nlp.meters(), failure::get);
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
    return failure.get();
  }

  public boolean awaitStop(long timeout, TimeUnit unit) throws InterruptedException {
    return stopped.await(timeout, unit);
  }

  public KafkaStreams streams() {
    return streams;
  }

  /** What stopped a stream thread, or null while none has failed. */
  public Throwable failure() {
    return failure.get();
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
