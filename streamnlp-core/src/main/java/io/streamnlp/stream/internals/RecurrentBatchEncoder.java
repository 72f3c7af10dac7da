package io.streamnlp.stream.internals;

import io.streamnlp.model.ModelInfo;
import io.streamnlp.model.internals.EncodingException;
import io.streamnlp.model.internals.RecurrentEncoder;
import io.streamnlp.model.internals.RecurrentResult;
import io.streamnlp.model.internals.TextEncoder;
import io.streamnlp.text.internals.TokenizedText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stateful RNN path: each message continues from its key's hidden state, kept in a changelogged
 * key-value store, and leaves the new state there.
 *
 * <p>A micro-batch mixes keys in one model call. Two messages of the same key cannot share a call (the
 * second needs the first's state), so a batch runs in waves: each wave takes, in arrival order, the first
 * not-yet-encoded message of every key. New states are kept aside and written to the store only after every
 * wave succeeded; the store's changelog is committed with the input offsets (exactly_once_v2), so each
 * message advances its key's state once, even across crashes and rebalances.
 *
 * <p>A stored state made by another model (name or version) is never continued: the key starts again from
 * the zero state, with a warning. States idle for longer than the TTL are deleted by a wall-clock sweep that
 * examines a bounded number of keys each time. A message carrying the reset header (value "true") starts
 * its key from the zero state. Null keys have no state: each such message is encoded on its own.
 */
public final class RecurrentBatchEncoder implements MessageBatchEncoder {
  private static final Logger LOG = LoggerFactory.getLogger(RecurrentBatchEncoder.class);

  /**
   * @param ttl idle time after which a key's state is deleted; zero keeps states forever
   * @param resetHeader header whose value "true" makes a message start from the zero state; null for none
   */
  public record Settings(PipelineNames names, Duration ttl, Duration sweepInterval, int sweepMaxKeys,
                         String resetHeader) {}

  private final RecurrentEncoder encoder;
  private final ModelInfo model;
  private final Settings settings;
  private ProcessorContext<?, ?> context;
  private KeyValueStore<Bytes, RnnState> states;
  private BoundedSweep<RnnState> sweeper;
  private Sensor resets;
  private PipelineMeters.StoreSize storeSize;
  private long foreignStates;

  private final PipelineMeters meters;

  public RecurrentBatchEncoder(RecurrentEncoder encoder, Settings settings, PipelineMeters meters) {
    this.encoder = encoder;
    this.model = encoder.info();
    this.settings = settings;
    this.meters = meters;
  }

  @Override
  public void init(ProcessorContext<?, ?> context) {
    this.context = context;
    this.states = context.getStateStore(settings.names().rnnStateStore());
    this.sweeper = new BoundedSweep<>(states, settings.sweepMaxKeys());
    this.resets = PipelineMetrics.stateResets(context.metrics(),
        PipelineMetrics.entity(settings.names().pipeline(), context.taskId()));
    this.storeSize = meters.storeSize(settings.names().rnnStateStore(), context.taskId().toString(), stateBytes());
    storeSize.update(states.approximateNumEntries());
    if (!settings.ttl().isZero()) {
      context.schedule(settings.sweepInterval(), PunctuationType.WALL_CLOCK_TIME, this::sweep);
    }
    LOG.info("Task {}: RNN state of model {} {} is {} floats ({} bytes stored) per key", context.taskId(),
        model.name(), model.version(), encoder.stateSize(), stateBytes());
  }

  /** Bytes one key's state takes in the store and its changelog. */
  public int stateBytes() {
    return new RnnStateSerde().write(new RnnState(model.name(), model.version(), 0, 0,
        new float[encoder.stateSize()])).length;
  }

  @Override
  public TextEncoder model() {
    return encoder;
  }

  @Override
  public List<Encoded> encode(List<PendingMessage> batch) throws EncodingException {
    Staged staged = stage(batch);
    apply(staged);
    return staged.encoded();
  }

  /**
   * A batch encoded but not yet applied: its results, in batch order, and each key's new state, which
   * {@link #apply} writes to the store. A caller that does more work on the batch after the rnn (the cascade)
   * applies only once all of it succeeded.
   */
  public record Staged(List<Encoded> encoded, Map<Bytes, RnnState> states) {}

  /** Encodes the batch in waves (see the class comment) without touching the store. */
  public Staged stage(List<PendingMessage> batch) throws EncodingException {
    long now = context.currentSystemTimeMs();
    Encoded[] out = new Encoded[batch.size()];
    Map<Bytes, RnnState> updated = new LinkedHashMap<>();
    Bytes[] keys = new Bytes[batch.size()];
    List<Integer> remaining = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      keys[i] = batch.get(i).key() == null ? null : Bytes.wrap(batch.get(i).key());
      remaining.add(i);
    }
    while (!remaining.isEmpty()) {
      List<Integer> wave = new ArrayList<>(remaining.size());
      List<Integer> later = new ArrayList<>();
      Set<Bytes> keysInWave = new HashSet<>();
      for (int i : remaining) {
        if (keys[i] != null && !keysInWave.add(keys[i])) {
          later.add(i);
        } else {
          wave.add(i);
        }
      }
      List<TokenizedText> tokens = new ArrayList<>(wave.size());
      List<float[]> initial = new ArrayList<>(wave.size());
      List<RnnState> previous = new ArrayList<>(wave.size());
      for (int i : wave) {
        PendingMessage m = batch.get(i);
        tokens.add(TokenizedText.ofIds(m.tokenIds(), m.truncated()));
        RnnState prior = keys[i] == null || resetRequested(m) ? null : current(keys[i], updated);
        previous.add(prior);
        initial.add(prior == null ? null : prior.state());
      }
      List<RecurrentResult> results = encoder.encode(tokens, initial);
      for (int w = 0; w < wave.size(); w++) {
        int i = wave.get(w);
        Bytes key = keys[i];
        if (key == null) {
          out[i] = new Encoded(results.get(w).result(), null);
          continue;
        }
        long steps = (previous.get(w) == null ? 0 : previous.get(w).steps()) + 1;
        updated.put(key, new RnnState(model.name(), model.version(), steps, now, results.get(w).finalState()));
        out[i] = new Encoded(results.get(w).result(), steps);
      }
      remaining = later;
    }
    return new Staged(List.of(out), updated);
  }

  /** Writes a staged batch's new states to the store (and so to its changelog). */
  public void apply(Staged staged) {
    staged.states().forEach(states::put);
    storeSize.update(states.approximateNumEntries());
  }

  private boolean resetRequested(PendingMessage m) {
    if (settings.resetHeader() == null || m.headers() == null) {
      return false;
    }
    Header h = m.headers().lastHeader(settings.resetHeader());
    return h != null && h.value() != null
        && "true".equalsIgnoreCase(new String(h.value(), java.nio.charset.StandardCharsets.UTF_8).trim());
  }

  /** The key's latest state: from this batch's earlier waves, else the store; null for the zero state. */
  private RnnState current(Bytes key, Map<Bytes, RnnState> updated) {
    RnnState s = updated.get(key);
    if (s == null) {
      s = states.get(key);
    }
    if (s == RnnState.UNREADABLE) {
      LOG.warn("Task {}: the stored RNN state of a key could not be read; the key starts over from the zero state",
          context.taskId());
      resets.record();
      meters.stateReset();
      return null;
    }
    if (s != null && !s.belongsTo(model.name(), model.version())) {
      if (foreignStates++ == 0) {
        LOG.warn("Task {}: stored RNN states of model {} {} are not continued by model {} {}; those keys start "
            + "again from the zero state", context.taskId(), s.modelName(), s.modelVersion(), model.name(),
            model.version());
      }
      return null;
    }
    return s;
  }

  /** Deletes states idle for longer than the TTL, examining at most sweepMaxKeys keys per call. */
  void sweep(long now) {
    long cutoff = now - settings.ttl().toMillis();
    int deleted = sweeper.sweep(state -> state.updatedMs() < cutoff);
    if (deleted > 0) {
      LOG.info("Task {}: deleted {} RNN states idle for more than {}", context.taskId(), deleted, settings.ttl());
    }
  }

  @Override
  public void close() {
    if (resets != null) {
      context.metrics().removeSensor(resets);
      storeSize.close();
    }
    encoder.close();
  }
}
