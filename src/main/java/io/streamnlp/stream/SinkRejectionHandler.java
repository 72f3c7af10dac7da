package io.streamnlp.stream;

import io.streamnlp.text.RejectionReason;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * streamnlp's {@link ProductionExceptionHandler} (set by {@code StreamNlp#streamsProperties()}). A record the
 * broker will never accept (too large, or refused as invalid, e.g. keyless on a compacted topic) is never
 * retried: the refusal is remembered in the shared {@link SinkLimits}, so the guards in front of every sink
 * dead-letter such records from then on, and a minimal dead letter (reason OUTPUT_REJECTED, headers only) is
 * written in its place. Transient errors keep Kafka's own retries; anything else fails the stream thread,
 * which {@code StreamsRunner} replaces a bounded number of times.
 *
 * <p>Under exactly_once_v2 a refused record leaves the producer's transaction in an error state, so the thread
 * fails once whatever this handler answers; its input is then processed again by the replacement thread, and
 * the guard, having learnt the limit, dead-letters it. Under at_least_once the dead letter is written at once.
 */
public final class SinkRejectionHandler implements ProductionExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(SinkRejectionHandler.class);
  /** Configuration key of the shared {@link SinkLimits} instance. */
  public static final String LIMITS_CONFIG = "streamnlp.internal.sink.limits";
  /** Configuration key of the dead-letter topic's name. */
  public static final String DEAD_LETTER_TOPIC_CONFIG = "streamnlp.internal.dead.letter.topic";

  private SinkLimits limits = new SinkLimits(SinkLimits.DEFAULT_MAX_REQUEST_BYTES);
  private String deadLetterTopic;

  @Override
  public void configure(Map<String, ?> configs) {
    if (configs.get(LIMITS_CONFIG) instanceof SinkLimits shared) {
      limits = shared;
    }
    Object topic = configs.get(DEAD_LETTER_TOPIC_CONFIG);
    deadLetterTopic = topic == null ? null : topic.toString();
  }

  @Override
  public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
                              Exception exception) {
    if (exception instanceof RetriableException) {
      return Response.retry();
    }
    if (!(exception instanceof RecordTooLargeException || exception instanceof RecordBatchTooLargeException
        || exception instanceof InvalidRecordException)) {
      return Response.fail();
    }
    int size = SinkLimits.recordBytes(record.key(), record.value(), record.headers());
    boolean keyless = record.key() == null && exception instanceof InvalidRecordException;
    limits.learnRejected(record.topic(), size, keyless);
    LOG.error("Topic {} refused a record of {} bytes ({}) from input {}-{}@{}; it is dead-lettered", record.topic(),
        size, exception.toString(), context.topic(), context.partition(), context.offset());
    if (deadLetterTopic == null || deadLetterTopic.equals(record.topic())) {
      return Response.resume();
    }
    DeadLetter letter = new DeadLetter(null, RejectionReason.OUTPUT_REJECTED, "topic " + record.topic()
        + " refused the record: " + exception.getMessage(), exception.getClass().getName());
    var headers = DeadLetterHeaders.of(new RecordHeaders(), letter, new SourcePosition(
        context.topic() == null ? "" : context.topic(), context.partition(), context.offset(), context.timestamp()),
        System.currentTimeMillis());
    headers.add(SinkGuard.OUTPUT_TOPIC, record.topic().getBytes(StandardCharsets.UTF_8));
    DeadLetterPolicy.Letter minimal = new DeadLetterPolicy(deadLetterTopic, 0, 0)
        .minimal(record.key(), record.value(), headers);
    return Response.resume(List.of(new ProducerRecord<>(deadLetterTopic, null, record.timestamp(), minimal.key(),
        minimal.value(), minimal.headers())));
  }
}
