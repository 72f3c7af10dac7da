package io.streamnlp.stream.internals;

import io.streamnlp.model.internals.EncoderResult;
import io.streamnlp.model.internals.EncodingException;
import io.streamnlp.model.internals.TextEncoder;
import java.util.List;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * Encodes the messages of one micro-batch for {@link MicroBatchEncodeProcessor}. One instance per stream
 * task. A stateful implementation must apply a batch's state changes only when the whole call succeeds, so
 * that the processor can retry a failed batch message by message without applying any message twice.
 */
public interface MessageBatchEncoder extends AutoCloseable {

  /**
   * What one message became; {@code stateSteps} is the key's message count for stateful encoders, else null;
   * {@code context} the context tokens it was read with (windowed attention), else null; {@code reread} whether
   * the cascade's attention model re-read it.
   */
  record Encoded(EncoderResult result, Long stateSteps, long[] context, boolean reread) {
    public Encoded(EncoderResult result, Long stateSteps) {
      this(result, stateSteps, null, false);
    }

    public Encoded(EncoderResult result, Long stateSteps, long[] context) {
      this(result, stateSteps, context, false);
    }
  }

  /** Called once from the processor's init, before any batch (to find state stores, schedule sweeps). */
  default void init(ProcessorContext<?, ?> context) {}

  /** The model encoder the batches run on. */
  TextEncoder model();

  /** The largest batch {@link #encode} accepts: the model encoder's. */
  default int maxBatchSize() {
    return model().maxBatchSize();
  }

  /** The longest message, in tokens, {@link #encode} accepts: the model encoder's. */
  default int maxTokens() {
    return model().maxTokens();
  }

  /** @return one result per message, in the same order */
  List<Encoded> encode(List<PendingMessage> batch) throws EncodingException;

  @Override
  default void close() {}
}
