package io.streamnlp.stream.internals;

import io.streamnlp.avro.TextEncoding;
import io.streamnlp.model.internals.EncodingException;
import io.streamnlp.text.RejectionReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects tokenized messages into micro-batches and encodes each batch, when the batch is full or when
 * {@code batch.max.wait.ms} has passed (a wall-clock punctuator), or, in the low-latency mode
 * ({@link BatchPolicy#flushWhenIdle()}), as soon as the input is drained.
 *
 * <p>How the low-latency mode sees that the input is drained: Kafka Streams runs wall-clock punctuators after
 * each round of processing, including the round that finds no more buffered records (and, with a short
 * {@code poll.ms}, after each empty poll), so a punctuator every millisecond that saw no message arrive since
 * its last run knows the stream thread has nothing more to hand over. A backlog is handed over in
 * microseconds per message, so batches still fill under load; {@code batch.max.wait.ms} still bounds a wait.
 *
 * <p>The buffer is a changelogged key-value store keyed by an arrival sequence number, not a Java list:
 * Kafka Streams flushes the store's changelog before it commits the input offsets (and under
 * exactly_once_v2 writes both in one transaction), so a message whose offset is committed is either
 * already encoded or still in the buffer after a crash, and is encoded when the task resumes. Messages
 * leave the buffer in arrival order, which keeps every key's records in order.
 */
public final class MicroBatchEncodeProcessor implements Processor<byte[], PendingMessage, byte[], Routed<TextEncoding>> {
  private static final Logger LOG = LoggerFactory.getLogger(MicroBatchEncodeProcessor.class);

  private final PipelineNames names;
  private final Supplier<MessageBatchEncoder> encoderFactory;
  private final TextEncodings results;
  private final int batchSize;
  private final Duration maxWait;
  private final boolean flushWhenIdle;
  private final PipelineMeters meters;
  private ProcessorContext<byte[], Routed<TextEncoding>> context;
  private KeyValueStore<Long, PendingMessage> buffer;
  private MessageBatchEncoder encoder;
  private Cancellable punctuator;
  private PipelineMetrics.Encode metrics;
  private long nextSequence;
  private int buffered;
  private int arrivedSinceCheck;
  private long oldestBufferedMs;

  public MicroBatchEncodeProcessor(PipelineNames names, Supplier<MessageBatchEncoder> encoderFactory,
                                   TextEncodings results, BatchPolicy policy, PipelineMeters meters) {
    this.names = names;
    this.meters = meters;
    this.encoderFactory = encoderFactory;
    this.results = results;
    this.batchSize = policy.size();
    this.maxWait = policy.maxWait();
    this.flushWhenIdle = policy.flushWhenIdle();
  }

  @Override
  public void init(ProcessorContext<byte[], Routed<TextEncoding>> context) {
    this.context = context;
    this.buffer = context.getStateStore(names.bufferStore());
    this.encoder = encoderFactory.get();
    this.encoder.init(context);
    this.metrics = new PipelineMetrics.Encode(context.metrics(),
        PipelineMetrics.entity(names.pipeline(), context.taskId()));
    // After a restart the buffer holds what was accepted but not yet encoded before the crash.
    try (KeyValueIterator<Long, PendingMessage> it = buffer.all()) {
      while (it.hasNext()) {
        nextSequence = Math.max(nextSequence, it.next().key + 1);
        buffered++;
      }
    }
    if (buffered > 0) {
      LOG.info("Task {} resumes with {} buffered messages to encode", context.taskId(), buffered);
    }
    oldestBufferedMs = context.currentSystemTimeMs();
    this.punctuator = flushWhenIdle
        ? context.schedule(Duration.ofMillis(1), PunctuationType.WALL_CLOCK_TIME, this::flushIfIdleOrDue)
        : context.schedule(maxWait, PunctuationType.WALL_CLOCK_TIME, now -> flush());
  }

  /** Low-latency mode: runs the partial batch when no message arrived since the last check, or it waited enough. */
  void flushIfIdleOrDue(long now) {
    boolean idle = arrivedSinceCheck == 0;
    arrivedSinceCheck = 0;
    if (buffered > 0 && (idle || now - oldestBufferedMs >= maxWait.toMillis())) {
      flush();
    }
  }

  @Override
  public void process(Record<byte[], PendingMessage> record) {
    if (buffered == 0) {
      oldestBufferedMs = context.currentSystemTimeMs();
    }
    buffer.put(nextSequence++, record.value());
    buffered++;
    arrivedSinceCheck++;
    if (buffered >= batchSize) {
      flush();
    }
  }

  /** Encodes everything buffered, in arrival order, in batches of at most batch.size. */
  void flush() {
    if (buffered == 0) {
      return;
    }
    List<KeyValue<Long, PendingMessage>> pending = new ArrayList<>(buffered);
    List<KeyValue<Long, PendingMessage>> unreadable = new ArrayList<>();
    try (KeyValueIterator<Long, PendingMessage> it = buffer.all()) {
      while (it.hasNext()) {
        KeyValue<Long, PendingMessage> kv = it.next();
        if (kv.value.isUnreadable()) {
          unreadable.add(kv);
        } else {
          pending.add(new KeyValue<>(kv.key, kv.value.fittedTo(encoder.maxTokens())));
        }
      }
    }
    // Dead-lettered after the iterator is closed, as they are deleted from the buffer.
    unreadable.forEach(kv -> deadLetter(kv, DeadLetter.refused(kv.value.originalValue(),
        RejectionReason.STATE_UNREADABLE, "the buffered message could not be read back: " + kv.value.unreadable(),
        SerializationException.class)));
    int chunk = Math.min(batchSize, encoder.maxBatchSize());
    for (int from = 0; from < pending.size(); from += chunk) {
      encodeAndForward(pending.subList(from, Math.min(pending.size(), from + chunk)));
    }
    buffered = 0;
  }

  private void encodeAndForward(List<KeyValue<Long, PendingMessage>> batch) {
    List<PendingMessage> messages = new ArrayList<>(batch.size());
    for (KeyValue<Long, PendingMessage> kv : batch) {
      messages.add(kv.value);
    }
    long start = System.nanoTime();
    List<MessageBatchEncoder.Encoded> encoded;
    try {
      encoded = encoder.encode(messages);
    } catch (EncodingException e) {
      LOG.warn("Batch of {} failed ({}); encoding its messages one by one", batch.size(), e.getMessage());
      encodeOneByOne(batch);
      return;
    }
    long micros = (System.nanoTime() - start) / 1_000;
    metrics.batch(batch.size(), micros);
    meters.batch(batch.size(), micros);
    long now = context.currentSystemTimeMs();
    for (int i = 0; i < batch.size(); i++) {
      meters.encoded(encoded.get(i).result().labelIndex());
      forward(batch.get(i), results.build(batch.get(i).value, encoded.get(i), batch.size(), micros, now));
    }
  }

  private void encodeOneByOne(List<KeyValue<Long, PendingMessage>> batch) {
    for (KeyValue<Long, PendingMessage> kv : batch) {
      long start = System.nanoTime();
      try {
        MessageBatchEncoder.Encoded r = encoder.encode(List.of(kv.value)).get(0);
        long micros = (System.nanoTime() - start) / 1_000;
        metrics.batch(1, micros);
        meters.batch(1, micros);
        meters.encoded(r.result().labelIndex());
        forward(kv, results.build(kv.value, r, 1, micros, context.currentSystemTimeMs()));
      } catch (EncodingException e) {
        deadLetter(kv, DeadLetter.failed(kv.value.originalValue(), RejectionReason.MODEL_ERROR, e.getMessage(),
            e.getCause() == null ? e : e.getCause()));
      }
    }
  }

  private void deadLetter(KeyValue<Long, PendingMessage> kv, DeadLetter letter) {
    PendingMessage m = kv.value;
    long timestamp = m.source().timestamp() >= 0 ? m.source().timestamp() : context.currentSystemTimeMs();
    context.forward(new Record<byte[], Routed<TextEncoding>>(m.key(), Routed.rejected(letter), timestamp,
        letter.headers(m.headers(), m.source(), context.currentSystemTimeMs())));
    buffer.delete(kv.key);
    metrics.deadLetters.record();
  }

  private void forward(KeyValue<Long, PendingMessage> kv, TextEncoding result) {
    PendingMessage m = kv.value;
    context.forward(new Record<>(m.key(), Routed.accepted(result), m.source().timestamp(), m.headers()));
    buffer.delete(kv.key);
  }

  @Override
  public void close() {
    // Nothing is flushed here: forwarding is not allowed during close, and what is still buffered is
    // safe in the changelogged store and will be encoded by whichever instance owns the task next.
    if (punctuator != null) {
      punctuator.cancel();
    }
    if (encoder != null) {
      encoder.close();
    }
    if (metrics != null) {
      metrics.close();
    }
  }
}
