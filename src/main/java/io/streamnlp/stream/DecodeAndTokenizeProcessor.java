package io.streamnlp.stream;

import io.streamnlp.text.HuggingFaceTextTokenizer;
import io.streamnlp.text.RejectedInputException;
import io.streamnlp.text.RejectionReason;
import io.streamnlp.text.TextExtractor;
import io.streamnlp.text.TokenizedText;
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
  private final TextExtractor extractor;
  private final HuggingFaceTextTokenizer tokenizer;
  private final boolean rejectNullKeys;
  private FixedKeyProcessorContext<byte[], Routed<PendingMessage>> context;
  private Sensor deadLetters;

  public DecodeAndTokenizeProcessor(TextExtractor extractor, HuggingFaceTextTokenizer tokenizer) {
    this(extractor, tokenizer, false);
  }

  /** @param rejectNullKeys dead-letter records without a key (the rnn encoder keeps state per key) */
  public DecodeAndTokenizeProcessor(TextExtractor extractor, HuggingFaceTextTokenizer tokenizer,
                                    boolean rejectNullKeys) {
    this.extractor = extractor;
    this.tokenizer = tokenizer;
    this.rejectNullKeys = rejectNullKeys;
  }

  @Override
  public void init(FixedKeyProcessorContext<byte[], Routed<PendingMessage>> context) {
    this.context = context;
    this.deadLetters = PipelineMetrics.inputDeadLetters(context.metrics(), context.taskId().toString());
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
      PendingMessage pending = new PendingMessage(record.key(), record.value(), source, record.headers(),
          tokens.ids(), tokens.truncated(), context.currentSystemTimeMs());
      context.forward(record.withValue(Routed.accepted(pending)));
    } catch (RejectedInputException e) {
      DeadLetter letter = new DeadLetter(record.value(), e.reason(), e.getMessage(),
          e.getCause() == null ? null : e.getCause().getClass().getName());
      context.forward(record.<Routed<PendingMessage>>withValue(Routed.rejected(letter))
          .withHeaders(DeadLetterHeaders.of(record.headers(), letter, source, context.currentSystemTimeMs())));
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
