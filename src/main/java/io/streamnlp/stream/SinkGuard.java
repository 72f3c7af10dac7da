package io.streamnlp.stream;

import io.streamnlp.text.RejectionReason;
import java.util.function.Function;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * The last step before a result topic: serializes each record and checks it against what the topic accepts
 * ({@link SinkLimits}). A record the broker would never take becomes a dead letter with reason
 * {@link RejectionReason#OUTPUT_REJECTED} (headers only) instead of a failed transaction, so no result can
 * stop the application or make it fail again on every restart.
 */
final class SinkGuard<V> implements FixedKeyProcessor<byte[], V, Routed<byte[]>> {
  static final String OUTPUT_TOPIC = DeadLetterHeaders.PREFIX + "output.topic";

  private final String topic;
  private final Serializer<V> serializer;
  private final SinkLimits limits;
  private final Function<V, SourcePosition> sourceOf;
  private FixedKeyProcessorContext<byte[], Routed<byte[]>> context;
  private Sensor rejected;

  /** @param sourceOf where the input behind a value was read, or null to take it from the record context */
  SinkGuard(String topic, Serializer<V> serializer, SinkLimits limits, Function<V, SourcePosition> sourceOf) {
    this.topic = topic;
    this.serializer = serializer;
    this.limits = limits;
    this.sourceOf = sourceOf;
  }

  @Override
  public void init(FixedKeyProcessorContext<byte[], Routed<byte[]>> context) {
    this.context = context;
    this.rejected = PipelineMetrics.outputRejected(context.metrics(), context.taskId().toString());
  }

  @Override
  public void process(FixedKeyRecord<byte[], V> record) {
    byte[] value = serializer.serialize(topic, record.headers(), record.value());
    String refusal = limits.refusal(topic, record.key(), value, record.headers());
    if (refusal == null) {
      context.forward(record.withValue(Routed.accepted(value)));
      return;
    }
    SourcePosition source = sourceOf != null && record.value() != null ? sourceOf.apply(record.value())
        : SourcePosition.of(context.recordMetadata(), record.timestamp());
    DeadLetter letter = new DeadLetter(null, RejectionReason.OUTPUT_REJECTED, "the result was not written: "
        + refusal, null);
    var headers = DeadLetterHeaders.of(new RecordHeaders(), letter, source, context.currentSystemTimeMs());
    headers.add(OUTPUT_TOPIC, topic.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    context.forward(record.<Routed<byte[]>>withValue(Routed.rejected(letter)).withHeaders(headers));
    rejected.record();
  }

  @Override
  public void close() {
    if (rejected != null) {
      context.metrics().removeSensor(rejected);
    }
  }
}
