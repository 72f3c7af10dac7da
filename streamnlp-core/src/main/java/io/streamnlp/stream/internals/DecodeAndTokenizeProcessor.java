package io.streamnlp.stream.internals;

import io.streamnlp.text.RejectedInputException;
import io.streamnlp.text.RejectionReason;
import io.streamnlp.text.internals.HuggingFaceTextTokenizer;
import io.streamnlp.text.internals.TextExtractor;
import io.streamnlp.text.internals.TokenizedText;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * First step of the pipeline: validates an input value, extracts its text and tokenizes it. A record that
 * fails any of these becomes a dead letter with the reason in its headers; nothing is thrown for bad input.
 */
public final class DecodeAndTokenizeProcessor
    implements FixedKeyProcessor<byte[], byte[], Routed<PendingMessage>> {
  /** The fixed fields of a buffered message (version, lengths, position, times, flags). */
  private static final int BUFFER_ENTRY_OVERHEAD = 64;
  private final TextExtractor extractor;
  private final HuggingFaceTextTokenizer tokenizer;
  private final boolean rejectNullKeys;
  private final PipelineNames names;
  private SinkLimits limits;
  private FixedKeyProcessorContext<byte[], Routed<PendingMessage>> context;
  private String bufferChangelog;
  private Sensor deadLetters;

  /**
   * @param names the pipeline's names: a record too large for its micro-batch buffer's changelog (with its key
   *              and headers) is dead-lettered here rather than failing the transaction that would store it
   * @param rejectNullKeys dead-letter records without a key (the rnn encoder keeps state per key)
   */
  public DecodeAndTokenizeProcessor(PipelineNames names, TextExtractor extractor, HuggingFaceTextTokenizer tokenizer,
                                    boolean rejectNullKeys) {
    this.extractor = extractor;
    this.tokenizer = tokenizer;
    this.rejectNullKeys = rejectNullKeys;
    this.names = names;
  }

  @Override
  public void init(FixedKeyProcessorContext<byte[], Routed<PendingMessage>> context) {
    this.context = context;
    this.deadLetters = PipelineMetrics.inputDeadLetters(context.metrics(),
        PipelineMetrics.entity(names.pipeline(), context.taskId()));
    this.limits = SinkLimits.of(context.appConfigs());
    this.bufferChangelog = context.applicationId() + "-" + names.bufferStore() + "-changelog";
  }

  @Override
  public void process(FixedKeyRecord<byte[], byte[]> record) {
    SourcePosition source = SourcePosition.of(context.recordMetadata(), record.timestamp());
    try {
      if (rejectNullKeys && record.key() == null) {
        throw new RejectedInputException(RejectionReason.NULL_KEY, "record has no key, and encoder=rnn keeps "
            + "context per key (set rnn.null.key=stateless to encode such records on their own)");
      }
      String text = extractor.extract(source.topic(), record.value());
      TokenizedText tokens = tokenizer.tokenize(text);
      int buffered = SinkLimits.recordBytes(record.key(), record.value(), record.headers())
          + BUFFER_ENTRY_OVERHEAD + 4 * tokens.ids().length + source.topic().length() * 3;
      if (buffered > limits.maxRecordBytes(bufferChangelog)) {
        throw new RejectedInputException(RejectionReason.TOO_LARGE, "the record with its key and headers takes "
            + buffered + " bytes in the micro-batch buffer, more than its changelog accepts ("
            + limits.maxRecordBytes(bufferChangelog) + ")");
      }
      PendingMessage pending = new PendingMessage(record.key(), record.value(), source, record.headers(),
          tokens.ids(), tokens.truncated(), context.currentSystemTimeMs());
      context.forward(record.withValue(Routed.accepted(pending)));
    } catch (RejectedInputException e) {
      DeadLetter letter = DeadLetter.failed(record.value(), e.reason(), e.getMessage(), e);
      context.forward(record.<Routed<PendingMessage>>withValue(Routed.rejected(letter))
          .withHeaders(letter.headers(record.headers(), source, context.currentSystemTimeMs())));
      deadLetters.record();
    }
  }

  @Override
  public void close() {
    if (deadLetters != null) {
      context.metrics().removeSensor(deadLetters);
    }
  }
}
