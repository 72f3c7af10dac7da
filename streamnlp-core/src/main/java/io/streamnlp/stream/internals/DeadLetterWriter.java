package io.streamnlp.stream.internals;

import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a rejected record into the dead letter that is written: bounded by the {@link DeadLetterPolicy}, and
 * reduced to its headers when even that would not fit the dead-letter topic ({@link SinkLimits}). A letter
 * that cannot be written at all (a topic refusing a few hundred bytes of headers) is logged and counted
 * ({@code dead-letter-dropped-rate/total}) rather than failing the transaction it is part of.
 */
final class DeadLetterWriter<T> implements Processor<byte[], Routed<T>, byte[], byte[]> {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterWriter.class);

  private final String pipeline;
  private final DeadLetterPolicy policy;
  private SinkLimits limits;
  private final PipelineMeters meters;
  private ProcessorContext<byte[], byte[]> context;
  private Sensor dropped;

  DeadLetterWriter(String pipeline, DeadLetterPolicy policy, PipelineMeters meters) {
    this.pipeline = pipeline;
    this.policy = policy;
    this.meters = meters;
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
    this.limits = SinkLimits.of(context.appConfigs());
    this.dropped = PipelineMetrics.deadLettersDropped(context.metrics(),
        PipelineMetrics.entity(pipeline, context.taskId()));
  }

  @Override
  public void process(Record<byte[], Routed<T>> record) {
    DeadLetter letter = record.value().deadLetter();
    meters.deadLetter(letter.reason());
    DeadLetterPolicy.Letter bounded = policy.bound(record.key(), letter.originalValue(), record.headers());
    if (limits.refusal(policy.topic(), bounded.key(), bounded.value(), bounded.headers()) != null) {
      bounded = policy.minimal(record.key(), letter.originalValue(), record.headers());
      String refusal = limits.refusal(policy.topic(), bounded.key(), bounded.value(), bounded.headers());
      if (refusal != null) {
        LOG.error("Task {}: a dead letter ({}: {}) cannot be written to {} even without its value: {}",
            context.taskId(), letter.reason(), letter.message(), policy.topic(), refusal);
        dropped.record();
        return;
      }
    }
    context.forward(new Record<>(bounded.key(), bounded.value(), record.timestamp(), bounded.headers()));
  }

  @Override
  public void close() {
    if (dropped != null) {
      context.metrics().removeSensor(dropped);
    }
  }
}
