package io.streamnlp;

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
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  public StreamsRunner(StreamNlp nlp, Properties extra) {
    Properties props = nlp.streamsProperties();
    props.putAll(extra);
    this.streams = new KafkaStreams(nlp.topology(), props);
    streams.setUncaughtExceptionHandler(e -> {
      // Bad records never get here (they go to the dead-letter topic); what does is an outage or a bug,
      // which should stop the instance loudly rather than skip records.
      LOG.error("Stream thread failed; shutting the instance down", e);
      failure.compareAndSet(null, e);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
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

  @Override
  public void close() {
    streams.close(Duration.ofSeconds(30));
    stopped.countDown();
  }
}
