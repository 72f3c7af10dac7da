package io.streamnlp.stream.internals;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.streamnlp.text.RejectionReason;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * streamnlp's own Micrometer meters, shared by every task of a pipeline (Micrometer meters are thread-safe),
 * named {@code streamnlp.*} ({@code streamnlp_*} in the Prometheus format): batch sizes and model-call
 * latencies as histograms, encoded messages by label, dead letters by reason, state resets; every meter is
 * tagged {@code pipeline=<name>}, the name its {@code encode} call was given. They go to a composite registry, a
 * no-op until a registry such as Prometheus's is added to it.
 */
public final class PipelineMeters {
  private static final String PIPELINE = "pipeline";
  private final MeterRegistry registry;
  private final String pipeline;
  private final DistributionSummary batchSize;
  private final Timer modelCall;
  private final Counter stateResets;
  private final List<Counter> encodedByLabel;
  private final Map<RejectionReason, Counter> deadLetters = new ConcurrentHashMap<>();

  public PipelineMeters(MeterRegistry registry, String pipeline, List<String> labels) {
    this.registry = registry;
    this.pipeline = pipeline;
    this.batchSize = DistributionSummary.builder("streamnlp.batch.size")
        .description("Messages per model call").serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256)
        .tag(PIPELINE, pipeline).register(registry);
    this.modelCall = Timer.builder("streamnlp.model.call")
        .description("Duration of one model call (a micro-batch)")
        .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2))
        .tag(PIPELINE, pipeline).register(registry);
    this.stateResets = Counter.builder("streamnlp.state.resets")
        .description("Keys whose stored RNN state or context window could not be read and started over")
        .tag(PIPELINE, pipeline).register(registry);
    this.encodedByLabel = labels.stream().map(label -> Counter.builder("streamnlp.encoded.messages")
        .description("Messages encoded, by the label they were given").tag("label", label).tag(PIPELINE, pipeline)
        .register(registry))
        .toList();
  }

  /** Meters that count nothing anywhere, for code that runs without an operations endpoint. */
  public static PipelineMeters none(List<String> labels) {
    return new PipelineMeters(new CompositeMeterRegistry(), PipelineNames.DEFAULT, labels);
  }

  void batch(int size, long micros) {
    batchSize.record(size);
    modelCall.record(Duration.ofNanos(micros * 1_000));
  }

  void encoded(int labelIndex) {
    encodedByLabel.get(labelIndex).increment();
  }

  void deadLetter(RejectionReason reason) {
    deadLetters.computeIfAbsent(reason, r -> Counter.builder("streamnlp.dead.letters")
        .description("Records sent to the dead-letter topic, by reason").tag("reason", r.name())
        .tag(PIPELINE, pipeline).register(registry)).increment();
  }

  void stateReset() {
    stateResets.increment();
  }

  /**
   * The cascade's meters: {@code streamnlp.cascade.messages} (tag {@code reading}: {@code first} for every message
   * the rnn model read, {@code reread} for those the attention model re-read; their ratio is the share re-read)
   * and {@code streamnlp.cascade.model.call}, the duration of each model's calls (tag {@code model}).
   */
  public CascadeMeters cascade(String firstModel, String secondModel) {
    return new CascadeMeters(firstModel, secondModel);
  }

  /** Meters of one cascade, shared by its tasks. */
  public final class CascadeMeters {
    private final Counter first;
    private final Counter reread;
    private final Timer firstCall;
    private final Timer secondCall;

    private CascadeMeters(String firstModel, String secondModel) {
      first = readings("first");
      reread = readings("reread");
      firstCall = callTimer(firstModel);
      secondCall = callTimer(secondModel);
    }

    private Counter readings(String reading) {
      return Counter.builder("streamnlp.cascade.messages").description("Messages read by each reading of the "
          + "cascade: first (the rnn model, every message) and reread (the attention model)").tag("reading", reading)
          .tag(PIPELINE, pipeline).register(registry);
    }

    private Timer callTimer(String model) {
      return Timer.builder("streamnlp.cascade.model.call").description("Duration of one call of one of the "
              + "cascade's models (the rnn's on a whole micro-batch, the attention model's on its re-read messages)")
          .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
              Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(100),
              Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofSeconds(1))
          .tag("model", model).tag(PIPELINE, pipeline).register(registry);
    }

    void firstCall(int messages, long nanos) {
      first.increment(messages);
      firstCall.record(Duration.ofNanos(nanos));
    }

    void secondCall(int messages, long nanos) {
      reread.increment(messages);
      secondCall.record(Duration.ofNanos(nanos));
    }
  }

  /**
   * Gauges of one task's state store: {@code streamnlp.state.store.keys} and, when a key's size is known,
   * {@code streamnlp.state.store.bytes}. The stream thread refreshes them ({@link StoreSize#update}); a scrape
   * only reads numbers, never the store. Removed with {@link StoreSize#close}.
   */
  StoreSize storeSize(String store, String task, long bytesPerKey) {
    return new StoreSize(store, task, bytesPerKey);
  }

  /** The size of one task's store, as last seen by its stream thread. */
  final class StoreSize implements AutoCloseable {
    private final java.util.concurrent.atomic.AtomicLong keys = new java.util.concurrent.atomic.AtomicLong();
    private final List<io.micrometer.core.instrument.Meter> gauges = new java.util.ArrayList<>();

    private StoreSize(String store, String task, long bytesPerKey) {
      gauges.add(io.micrometer.core.instrument.Gauge.builder("streamnlp.state.store.keys", keys, Number::doubleValue)
          .description("Keys in a task's state store (RocksDB's estimate)").tag("store", store).tag("task", task)
          .tag(PIPELINE, pipeline).register(registry));
      if (bytesPerKey > 0) {
        gauges.add(io.micrometer.core.instrument.Gauge.builder("streamnlp.state.store.bytes", keys,
                k -> k.doubleValue() * bytesPerKey).baseUnit("bytes")
            .description("Bytes of state in a task's store and its changelog (keys x bytes per key)")
            .tag("store", store).tag("task", task).tag(PIPELINE, pipeline).register(registry));
      }
    }

    void update(long approximateKeys) {
      keys.set(approximateKeys);
    }

    @Override
    public void close() {
      gauges.forEach(registry::remove);
    }
  }
}
