package io.streamnlp.stream;

import io.streamnlp.stream.internals.SinkLimits;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * streamnlp's {@link ProductionExceptionHandler}, installed by {@code StreamNlp.kafkaStreams(...)} (and named by
 * {@code StreamNlp.streamsProperties()}). A record the broker will never accept (too large, or refused as invalid,
 * e.g. keyless on a compacted topic) is never retried as it is: the refusal is remembered in the limits the
 * instance's streamnlp processors share, and the stream thread fails, to be replaced by the stream-thread policy
 * {@code StreamNlp.kafkaStreams} installs (which reads the topic's limits again first). The new thread processes
 * the same input again from the last commit, and the guard in front of the sink, having learnt the limit, turns
 * the record into a minimal dead letter (reason OUTPUT_REJECTED, headers only): no record is lost and none is
 * written twice. Transient errors keep Kafka's own retries; anything else fails.
 *
 * <p>Why not write the dead letter from here, as Kafka Streams allows: under exactly_once_v2 the refusal has
 * already put the producer's transaction in an error state, so nothing more can be written in it; and the
 * handler runs on the producer's network thread, where sending to a topic the producer has no metadata for
 * yet blocks that very thread for {@code max.block.ms} (seen here: 60 s).
 */
public final class SinkRejectionHandler implements ProductionExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(SinkRejectionHandler.class);
  private SinkLimits limits = new SinkLimits(SinkLimits.DEFAULT_MAX_REQUEST_BYTES);

  /** Made by Kafka Streams from the class name in its configuration. */
  public SinkRejectionHandler() {}

  /** Finds the limits the instance's streamnlp processors share, in the instance's configuration. */
  @Override
  public void configure(Map<String, ?> configs) {
    if (configs.get(SinkLimits.CONFIG) instanceof SinkLimits shared) {
      limits = shared;
    }
  }

  /** Remembers what a topic refused and fails the thread (see above); retries what is transient. */
  @Override
  public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
                              Exception exception) {
    if (exception instanceof RetriableException) {
      return Response.retry();
    }
    if (exception instanceof RecordTooLargeException || exception instanceof RecordBatchTooLargeException
        || exception instanceof InvalidRecordException) {
      int size = SinkLimits.recordBytes(record.key(), record.value(), record.headers());
      limits.learnRejected(record.topic(), size, record.key() == null && exception instanceof InvalidRecordException);
      LOG.error("Topic {} refused a record of {} bytes ({}) made from input {}-{}@{}; the input is processed again "
          + "and the record dead-lettered as OUTPUT_REJECTED", record.topic(), size, exception,
          context.topic(), context.partition(), context.offset());
    }
    return Response.fail();
  }
}
