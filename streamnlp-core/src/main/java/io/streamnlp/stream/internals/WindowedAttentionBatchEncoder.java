package io.streamnlp.stream.internals;

import io.streamnlp.model.internals.ContextualEncoder;
import io.streamnlp.model.internals.EncoderResult;
import io.streamnlp.model.internals.EncodingException;
import io.streamnlp.model.internals.TextEncoder;
import io.streamnlp.text.internals.TokenizedText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The attention encoder with a per-key context window: each message is read after its key's most recent
 * tokens (at most {@code windowTokens}, from messages no older than {@code windowTime} before it), kept in a
 * changelogged store. The context is attended to; the tag and embedding describe the message.
 *
 * <p>Unlike the RNN's state, a context is plain tokens, so one call holds a whole batch even when a key
 * sends several messages: each message's context is built in arrival order, including the batch's earlier
 * messages of its key. When context and message exceed the model's limit, the oldest context tokens are
 * dropped (the message is never cut for context), counted by {@code context-truncated-rate/total}. Windows
 * are written to the store only after the model call succeeded. Null keys have no context. With a time
 * bound, windows whose newest token is older than it (in stream time) are deleted by a stream-time sweep that
 * examines at most {@value #SWEEP_MAX_KEYS} keys each time.
 */
public final class WindowedAttentionBatchEncoder implements MessageBatchEncoder {
  private static final Logger LOG = LoggerFactory.getLogger(WindowedAttentionBatchEncoder.class);
  static final int SWEEP_MAX_KEYS = 10_000;

  /** @param windowTime zero for no time bound */
  public record Settings(PipelineNames names, int windowTokens, Duration windowTime, int maxTokens) {}

  private final ContextualEncoder encoder;
  private final Settings settings;
  private KeyValueStore<Bytes, ContextWindow> windows;
  private Sensor truncated;
  private Sensor resets;
  private PipelineMeters.StoreSize storeSize;
  private ProcessorContext<?, ?> context;

  private final PipelineMeters meters;

  public WindowedAttentionBatchEncoder(ContextualEncoder encoder, Settings settings, PipelineMeters meters) {
    this.encoder = encoder;
    this.settings = settings;
    this.meters = meters;
  }

  @Override
  public void init(ProcessorContext<?, ?> context) {
    this.context = context;
    this.windows = context.getStateStore(settings.names().contextStore());
    this.truncated = context.metrics().addRateTotalSensor(PipelineMetrics.SCOPE,
        PipelineMetrics.entity(settings.names().pipeline(), context.taskId()),
        "context-truncated", Sensor.RecordingLevel.INFO);
    this.resets = PipelineMetrics.stateResets(context.metrics(),
        PipelineMetrics.entity(settings.names().pipeline(), context.taskId()));
    // A window's size varies with its key's messages, so only the key count is reported.
    this.storeSize = meters.storeSize(settings.names().contextStore(), context.taskId().toString(), 0);
    storeSize.update(windows.approximateNumEntries());
    if (!settings.windowTime().isZero()) {
      // A window no message can use any more (all of it older than the time bound) is only storage.
      BoundedSweep<ContextWindow> sweeper = new BoundedSweep<>(windows, SWEEP_MAX_KEYS);
      long bound = settings.windowTime().toMillis();
      context.schedule(settings.windowTime(), PunctuationType.STREAM_TIME, streamTime ->
          sweeper.sweep(w -> w.times().length == 0 || w.times()[w.times().length - 1] < streamTime - bound));
    }
  }

  @Override
  public TextEncoder model() {
    return encoder;
  }

  @Override
  public List<Encoded> encode(List<PendingMessage> batch) throws EncodingException {
    Map<Bytes, ContextWindow> updated = new LinkedHashMap<>();
    List<TokenizedText> messages = new ArrayList<>(batch.size());
    List<long[]> contexts = new ArrayList<>(batch.size());
    for (PendingMessage m : batch) {
      messages.add(TokenizedText.ofIds(m.tokenIds(), m.truncated()));
      if (m.key() == null) {
        contexts.add(null);
        continue;
      }
      Bytes key = Bytes.wrap(m.key());
      ContextWindow window = updated.containsKey(key) ? updated.get(key) : windows.get(key);
      if (window == ContextWindow.UNREADABLE) {
        LOG.warn("Task {}: the stored context window of a key could not be read; the key starts over with an "
            + "empty window", context.taskId());
        resets.record();
        meters.stateReset();
        window = null;
      }
      if (window == null) {
        window = ContextWindow.EMPTY;
      }
      long time = m.source().timestamp();
      if (!settings.windowTime().isZero()) {
        window = window.since(time - settings.windowTime().toMillis());
      }
      long[] tokens = window.tokensFitting(m.tokenIds().length, settings.maxTokens());
      if (tokens.length < window.tokens().length) {
        truncated.record();
      }
      contexts.add(tokens);
      updated.put(key, window.appendMessage(m.tokenIds(), time, settings.windowTokens()));
    }
    List<EncoderResult> results = encoder.encode(messages, contexts);
    updated.forEach(windows::put);
    storeSize.update(windows.approximateNumEntries());
    List<Encoded> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      out.add(new Encoded(results.get(i), null, contexts.get(i)));
    }
    return out;
  }

  @Override
  public void close() {
    if (truncated != null) {
      context.metrics().removeSensor(truncated);
      context.metrics().removeSensor(resets);
      storeSize.close();
    }
    encoder.close();
  }
}
