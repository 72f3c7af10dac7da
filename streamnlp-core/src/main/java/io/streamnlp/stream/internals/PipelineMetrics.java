package io.streamnlp.stream.internals;

import java.util.Map;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Avg;
import org.apache.kafka.common.metrics.stats.Max;
import org.apache.kafka.streams.StreamsMetrics;

/**
 * Task-level metrics of the pipeline, registered through Kafka Streams' own metrics so they appear with
 * its other metrics (JMX {@code kafka.streams:type=stream-streamnlp-metrics}, and any metrics reporter the
 * application configures), tagged with the thread id and {@code streamnlp-id=<pipeline>.<task id>}: the
 * pipeline's name keeps two pipelines that share a task (one input encoded by two models) apart.
 */
final class PipelineMetrics {
  static final String SCOPE = "streamnlp";
  static final String GROUP = "stream-" + SCOPE + "-metrics";

  private final StreamsMetrics metrics;
  private final Sensor[] sensors;

  private PipelineMetrics(StreamsMetrics metrics, Sensor... sensors) {
    this.metrics = metrics;
    this.sensors = sensors;
  }

  /** The metrics entity of one pipeline's processors in one task: {@code <pipeline>.<task id>}. */
  static String entity(String pipeline, org.apache.kafka.streams.processor.TaskId task) {
    return pipeline + "." + task;
  }

  /** Counts records the decode step sends to the dead-letter topic ({@code input-dead-letter-rate/total}). */
  static Sensor inputDeadLetters(StreamsMetrics metrics, String entity) {
    return metrics.addRateTotalSensor(SCOPE, entity, "input-dead-letter", Sensor.RecordingLevel.INFO);
  }

  /** Results the broker would refuse, dead-lettered instead ({@code output-rejected-rate/total}). */
  static Sensor outputRejected(StreamsMetrics metrics, String entity) {
    return metrics.addRateTotalSensor(SCOPE, entity, "output-rejected", Sensor.RecordingLevel.INFO);
  }

  /** Dead letters that could not be written at all ({@code dead-letter-dropped-rate/total}). */
  static Sensor deadLettersDropped(StreamsMetrics metrics, String entity) {
    return metrics.addRateTotalSensor(SCOPE, entity, "dead-letter-dropped", Sensor.RecordingLevel.INFO);
  }

  /**
   * Keys whose stored RNN state or context window could not be read and that started over
   * ({@code state-reset-rate/total}).
   */
  static Sensor stateResets(StreamsMetrics metrics, String entity) {
    return metrics.addRateTotalSensor(SCOPE, entity, "state-reset", Sensor.RecordingLevel.INFO);
  }

  /** Sensors of the encode step. */
  static final class Encode {
    final PipelineMetrics owner;
    final Sensor batches;
    final Sensor messages;
    final Sensor batchSize;
    final Sensor deadLetters;

    Encode(StreamsMetrics metrics, String entity) {
      // encode-batch-latency-avg/max (ms), encode-batch-rate/total
      this.batches = metrics.addLatencyRateTotalSensor(SCOPE, entity, "encode-batch", Sensor.RecordingLevel.INFO);
      // encoded-message-rate/total
      this.messages = metrics.addRateTotalSensor(SCOPE, entity, "encoded-message", Sensor.RecordingLevel.INFO);
      // model-dead-letter-rate/total: messages the encode step dead-letters, because the model failed on them
      // (MODEL_ERROR) or because their buffered form could not be read back (STATE_UNREADABLE)
      this.deadLetters = metrics.addRateTotalSensor(SCOPE, entity, "model-dead-letter", Sensor.RecordingLevel.INFO);
      this.batchSize = metrics.addSensor(SCOPE + "." + entity + ".batch-size", Sensor.RecordingLevel.INFO);
      Map<String, String> tags = Map.of("thread-id", Thread.currentThread().getName(), SCOPE + "-id", entity);
      batchSize.add(new MetricName("batch-size-avg", GROUP, "Average messages per model call", tags), new Avg());
      batchSize.add(new MetricName("batch-size-max", GROUP, "Largest batch in a model call", tags), new Max());
      this.owner = new PipelineMetrics(metrics, batches, messages, deadLetters, batchSize);
    }

    void batch(int size, long micros) {
      batches.record(micros / 1000.0);
      batchSize.record(size);
      // The rate/total stats count record() calls, so each message is one call.
      for (int i = 0; i < size; i++) {
        messages.record();
      }
    }

    void close() {
      owner.close();
    }
  }

  void close() {
    for (Sensor s : sensors) {
      metrics.removeSensor(s);
    }
  }
}
