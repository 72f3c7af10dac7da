package io.streamnlp.bench;

import io.streamnlp.StreamNlp;
import io.streamnlp.app.StreamsRunner;
import io.streamnlp.avro.TextEncoding;
import io.streamnlp.bench.BenchResults.EndToEndPoint;
import io.streamnlp.config.StreamNlpConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;

/**
 * End to end through a real broker: the pipeline runs in Kafka Streams with exactly-once processing, a producer
 * writes plain-text messages to its input topic and a read_committed consumer reads the Avro results, as a
 * downstream application would. Per workload (short, long, mixed-length messages):
 * <ol>
 *   <li>a warm-up of a few batches, whose rate sizes the next step to about {@code throughputSeconds};</li>
 *   <li>throughput: a backlog sent as fast as the producer can, timed from the first send to the last result;</li>
 *   <li>latency: messages sent at {@code latencyLoad} times that throughput for about {@code latencySeconds},
 *       each timed from its record's creation to its result being readable.</li>
 * </ol>
 * Topics have one partition, so one stream task sees every message and {@code batch.size} is what a batch
 * can reach.
 */
public final class EndToEndBench {

  /** Where to run: a broker and a schema registry, and pipeline properties the user set. */
  public record Target(String bootstrapServers, String schemaRegistryUrl, Map<String, String> overrides) {}

  /** Messages of one kind, cycled through; {@code name} is "short", "long" or "mixed". */
  /**
   * Messages sent round-robin; {@code keyPerMessage}: each message its own key (users who send one message, as a
   * support chat's many customers), else the {@link Settings#keys} keys in turn, each with a long history.
   */
  public record Workload(String name, List<String> texts, double meanTokens, boolean keyPerMessage) {
    /** Messages over the settings' keys in turn. */
    public Workload(String name, List<String> texts, double meanTokens) {
      this(name, texts, meanTokens, false);
    }
  }

  public record Settings(double throughputSeconds, double latencySeconds, double latencyLoad, int keys,
                         int minMessages, int maxMessages, Duration idleTimeout) {}

  /** The raw ONNX Runtime rate this configuration is compared with. */
  @FunctionalInterface
  public interface Ceiling {
    double messagesPerSecond(String encoder, Workload workload, int batch);
  }

  private final Target target;
  private final Settings settings;
  private final Progress progress;
  /** Messages sent so far: keys and texts are taken round-robin across steps. */
  private int sent;

  public EndToEndBench(Target target, Settings settings, Progress progress) {
    this.target = target;
    this.settings = settings;
    this.progress = progress;
  }

  /** One pipeline ({@code encoder}, {@code batch}) measured on each workload in turn. */
  public List<EndToEndPoint> run(String encoder, int batch, List<Workload> workloads, Ceiling ceiling)
      throws Exception {
    return run(encoder, batch, workloads, ceiling, Map.of());
  }

  /** As {@link #run(String, int, List, Ceiling)}, with pipeline properties set on top of the user's. */
  public List<EndToEndPoint> run(String encoder, int batch, List<Workload> workloads, Ceiling ceiling,
                                 Map<String, String> extra) throws Exception {
    String id = "streamnlp-bench-" + encoder + "-b" + batch + "-" + Long.toString(System.currentTimeMillis(), 36);
    String input = id + "-in";
    String output = id + "-out";
    String dlq = id + "-dlq";
    Path stateDir = Files.createTempDirectory("streamnlp-bench-state");
    List<EndToEndPoint> points = new ArrayList<>();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(input, Optional.of(1), Optional.empty()),
          new NewTopic(output, Optional.of(1), Optional.empty()),
          new NewTopic(dlq, Optional.of(1), Optional.empty()))).all().get();
      try (StreamNlp nlp = StreamNlp.create(pipeline(id, encoder, batch, input, output, dlq, stateDir, extra));
           StreamsRunner runner = new StreamsRunner(nlp, new Properties());
           KafkaProducer<byte[], byte[]> producer = producer();
           KafkaConsumer<byte[], byte[]> consumer = consumer()) {
        runner.start();
        if (!runner.awaitRunning(Duration.ofSeconds(120))) {
          throw new IllegalStateException("The benchmark pipeline did not start (" + runner.streams().state() + ")",
              runner.failure());
        }
        consumer.assign(List.of(new TopicPartition(output, 0), new TopicPartition(dlq, 0)));
        Results results = new Results(consumer, nlp.resultSerde().deserializer(), output, runner);
        for (Workload w : workloads) {
          points.add(measure(encoder, batch, w, producer, input, results, ceiling));
        }
      } finally {
        Set<String> mine = admin.listTopics().names().get().stream().filter(t -> t.startsWith(id))
            .collect(Collectors.toSet());
        admin.deleteTopics(mine).all().get();
      }
    } finally {
      Utils.delete(stateDir.toFile());
    }
    return points;
  }

  private EndToEndPoint measure(String encoder, int batch, Workload w, KafkaProducer<byte[], byte[]> producer,
                                String input, Results results, Ceiling ceiling) throws Exception {
    int warm = Math.max(2 * batch, 50);
    long t0 = System.nanoTime();
    send(producer, input, w, warm, 0);
    results.await(warm, encoder + " warm-up");
    double roughRate = warm / ((results.lastNanos - t0) / 1e9);

    // The warm-up rate includes the first transactions and underestimates; a backlog that drained in much less
    // than the target time is taken again, sized by its own rate, and the earlier one counts as warm-up.
    int n = size(roughRate);
    double rate;
    StepResults thr;
    for (int attempt = 1; ; attempt++) {
      progress.detail("%s messages (%.0f tokens), batch %d: throughput on a backlog of %,d", w.name(),
          w.meanTokens(), batch, n);
      t0 = System.nanoTime();
      Thread sender = sender(producer, input, w, n, 0);
      thr = results.await(n, encoder + " throughput");
      sender.join();
      double seconds = (results.lastNanos - t0) / 1e9;
      rate = n / seconds;
      if (attempt == 3 || seconds >= 0.6 * settings.throughputSeconds() || n >= settings.maxMessages()) {
        break;
      }
      n = size(rate);
    }

    double latencyRate = Math.max(1, rate * settings.latencyLoad());
    int m = (int) Math.max(50, latencyRate * settings.latencySeconds());
    progress.detail("%s messages, batch %d: %.0f messages/s; latency at %.0f messages/s (%d messages)", w.name(),
        batch, rate, latencyRate, m);
    Thread sender = sender(producer, input, w, m, latencyRate);
    StepResults lat = results.await(m, encoder + " latency");
    sender.join();
    double[] latencies = toMs(lat.latencies);
    // Where the time goes: waiting in the micro-batch buffer and the model call; the rest is the trip from the
    // producer into the stream thread and from the encoded result to the commit that makes it readable.
    double[] queued = toMs(lat.queued);
    double[] modelCall = toMs(lat.modelCall);
    progress.detail("%s messages, batch %d: p50/p99 ms total %.0f/%.0f, in the buffer %.0f/%.0f, model call "
        + "%.0f/%.0f", w.name(), batch, Timing.percentile(latencies, 50), Timing.percentile(latencies, 99),
        Timing.percentile(queued, 50), Timing.percentile(queued, 99), Timing.percentile(modelCall, 50),
        Timing.percentile(modelCall, 99));
    return new EndToEndPoint(encoder, w.name(), w.meanTokens(), batch, n, rate, thr.meanBatch(), latencyRate, m,
        Timing.percentile(latencies, 50), Timing.percentile(latencies, 95), Timing.percentile(latencies, 99),
        thr.deadLettered + lat.deadLettered, ceiling.messagesPerSecond(encoder, w, batch),
        thr.encoded == 0 ? 0 : (double) thr.reread / thr.encoded);
  }

  private static double[] toMs(List<Long> values) {
    return values.stream().mapToDouble(Long::doubleValue).toArray();
  }

  private int size(double rate) {
    return (int) Math.max(settings.minMessages(), Math.min(settings.maxMessages(), rate * settings.throughputSeconds()));
  }

  private Thread sender(KafkaProducer<byte[], byte[]> producer, String topic, Workload w, int count, double rate) {
    Thread t = new Thread(() -> {
      try {
        send(producer, topic, w, count, rate);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "bench-producer");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Sends {@code count} messages of {@code w}, keys as it says, at {@code rate} per second (0: at once). */
  private void send(KafkaProducer<byte[], byte[]> producer, String topic, Workload w, int count, double rate)
      throws InterruptedException {
    long interval = rate > 0 ? (long) (1e9 / rate) : 0;
    long next = System.nanoTime();
    for (int i = 0; i < count; i++) {
      int k = sent++;
      byte[] key = (w.keyPerMessage() ? "message-" + k : "key-" + k % settings.keys())
          .getBytes(StandardCharsets.UTF_8);
      byte[] value = w.texts().get(k % w.texts().size()).getBytes(StandardCharsets.UTF_8);
      producer.send(new ProducerRecord<>(topic, null, System.currentTimeMillis(), key, value));
      if (interval > 0) {
        next += interval;
        long sleep = next - System.nanoTime();
        if (sleep > 0) {
          Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
        }
      }
    }
    producer.flush();
  }

  /** What one step read: each result's latency, the batch it was encoded in, and dead letters. */
  private static final class StepResults {
    final List<Long> latencies = new ArrayList<>();
    /** Per result: ms in the micro-batch buffer, and ms of its model call (from the result's own fields). */
    final List<Long> queued = new ArrayList<>();
    final List<Long> modelCall = new ArrayList<>();
    long batchSum;
    int encoded;
    /** Results the cascade's attention model re-read. */
    int reread;
    int deadLettered;

    double meanBatch() {
      return encoded == 0 ? 0 : (double) batchSum / encoded;
    }
  }

  /** Reads results (and dead letters) as they become readable. */
  private final class Results {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Deserializer<TextEncoding> deserializer;
    private final String output;
    private final StreamsRunner runner;
    long lastNanos;

    Results(KafkaConsumer<byte[], byte[]> consumer, Deserializer<TextEncoding> deserializer, String output,
            StreamsRunner runner) {
      this.consumer = consumer;
      this.deserializer = deserializer;
      this.output = output;
      this.runner = runner;
    }

    StepResults await(int count, String what) {
      StepResults b = new StepResults();
      long lastProgress = System.nanoTime();
      long lastShown = lastProgress;
      while (b.encoded + b.deadLettered < count) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
          long now = System.currentTimeMillis();
          lastNanos = System.nanoTime();
          lastProgress = lastNanos;
          b.latencies.add(now - r.timestamp());
          if (r.topic().equals(output)) {
            b.encoded++;
            TextEncoding result = deserializer.deserialize(output, r.value());
            b.batchSum += result.getBatchSize();
            b.queued.add(result.getQueuedMillis());
            b.modelCall.add(result.getEncodeLatencyMicros() / 1000);
            b.reread += result.getRereadBy() == null ? 0 : 1;
          } else {
            b.deadLettered++;
          }
        }
        long now = System.nanoTime();
        if (runner.failure() != null || !runner.streams().state().isRunningOrRebalancing()) {
          throw new IllegalStateException("The pipeline stopped during " + what + " (" + runner.streams().state()
              + ")", runner.failure());
        }
        if (now - lastProgress > settings.idleTimeout().toNanos()) {
          throw new IllegalStateException("No result for " + settings.idleTimeout().toSeconds() + " s during "
              + what + ": " + (b.encoded + b.deadLettered) + " of " + count + " arrived");
        }
        if (now - lastShown > 10_000_000_000L) {
          progress.detail("... %,d of %,d results", b.encoded + b.deadLettered, count);
          lastShown = now;
        }
      }
      return b;
    }
  }

  private Properties pipeline(String id, String encoder, int batch, String input, String output, String dlq,
                              Path stateDir, Map<String, String> extra) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, id);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamNlpConfig.SCHEMA_REGISTRY_URL_CONFIG, target.schemaRegistryUrl());
    p.put(StreamNlpConfig.ENCODER_CONFIG, encoder);
    p.putAll(target.overrides());
    p.putAll(extra);
    // What is measured decides these, whatever the overrides say.
    p.put(StreamNlpConfig.INPUT_TOPICS_CONFIG, input);
    p.put(StreamNlpConfig.OUTPUT_TOPIC_CONFIG, output);
    p.put(StreamNlpConfig.DLQ_TOPIC_CONFIG, dlq);
    p.put(StreamNlpConfig.BATCH_SIZE_CONFIG, String.valueOf(batch));
    return p;
  }

  private KafkaProducer<byte[], byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers());
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private KafkaConsumer<byte[], byte[]> consumer() {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
