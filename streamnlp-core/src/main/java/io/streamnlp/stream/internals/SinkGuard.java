package io.streamnlp.stream.internals;

import io.streamnlp.stream.DeadLetterHeaders;
import io.streamnlp.text.RejectionReason;
import java.util.function.Function;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
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

  private final String name;
  private final String topic;
  private final Serializer<V> serializer;
  private SinkLimits limits;
  private final Function<V, SourcePosition> sourceOf;
  private FixedKeyProcessorContext<byte[], Routed<byte[]>> context;
  private Sensor rejected;

  /**
   * @param name the sink's name, unique in the topology (its metrics carry it)
   * @param sourceOf where the input behind a value was read, or null to take it from the record context */
  SinkGuard(String name, String topic, Serializer<V> serializer, Function<V, SourcePosition> sourceOf) {
    this.name = name;
    this.topic = topic;
    this.serializer = serializer;
    this.sourceOf = sourceOf;
  }

  @Override
  public void init(FixedKeyProcessorContext<byte[], Routed<byte[]>> context) {
    this.context = context;
    this.limits = SinkLimits.of(context.appConfigs());
    this.rejected = PipelineMetrics.outputRejected(context.metrics(),
        PipelineMetrics.entity(name, context.taskId()));
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
    // Named by the exception the producer or the broker would have raised for it.
    Class<? extends Exception> wouldRaise = record.key() == null && limits.requiresKey(topic)
        ? InvalidRecordException.class : RecordTooLargeException.class;
    DeadLetter letter = DeadLetter.refused(null, RejectionReason.OUTPUT_REJECTED, "the result was not written: "
        + refusal, wouldRaise);
    var headers = letter.headers(new RecordHeaders(), source, context.currentSystemTimeMs());
    headers.add(DeadLetterHeaders.OUTPUT_TOPIC, topic.getBytes(java.nio.charset.StandardCharsets.UTF_8));
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
