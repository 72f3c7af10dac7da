package io.streamnlp.stream.internals;

import io.streamnlp.model.internals.CascadeRule;
import io.streamnlp.model.internals.EncoderResult;
import io.streamnlp.model.internals.EncodingException;
import io.streamnlp.model.internals.TextEncoder;
import io.streamnlp.text.internals.TokenizedText;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * {@code encoder=cascade}: the rnn model reads every message of a micro-batch, from and into its key's state as
 * {@link RecurrentBatchEncoder} does; the messages whose top rnn score is below the threshold
 * ({@link CascadeRule}) are then re-read, alone, by the attention model in one more call, and their scores become
 * its (or both models' mean). Every result keeps the rnn's embedding and state steps, so the embedding has one
 * model and one width whichever model decided; a re-read result carries the attention model's weights when
 * explanations are on.
 *
 * <p>The keys' new states are written only after both calls succeeded: a batch whose attention call fails is
 * retried message by message by the processor, and no key's state advances twice.
 */
public final class CascadeBatchEncoder implements MessageBatchEncoder {
  private final RecurrentBatchEncoder rnn;
  private final TextEncoder attention;
  private final CascadeRule rule;
  private final PipelineMeters.CascadeMeters meters;

  public CascadeBatchEncoder(RecurrentBatchEncoder rnn, TextEncoder attention, CascadeRule rule,
                             PipelineMeters.CascadeMeters meters) {
    this.rnn = rnn;
    this.attention = attention;
    this.rule = rule;
    this.meters = meters;
  }

  @Override
  public void init(ProcessorContext<?, ?> context) {
    rnn.init(context);
  }

  /** The rnn model, which reads every message. */
  @Override
  public TextEncoder model() {
    return rnn.model();
  }

  @Override
  public int maxBatchSize() {
    return Math.min(rnn.maxBatchSize(), attention.maxBatchSize());
  }

  @Override
  public int maxTokens() {
    return Math.min(rnn.maxTokens(), attention.maxTokens());
  }

  @Override
  public List<Encoded> encode(List<PendingMessage> batch) throws EncodingException {
    long t0 = System.nanoTime();
    RecurrentBatchEncoder.Staged staged = rnn.stage(batch);
    long t1 = System.nanoTime();
    meters.firstCall(batch.size(), t1 - t0);
    List<Integer> hard = new ArrayList<>();
    List<TokenizedText> tokens = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      if (rule.rereads(staged.encoded().get(i).result().scores())) {
        hard.add(i);
        PendingMessage m = batch.get(i);
        tokens.add(TokenizedText.ofIds(m.tokenIds(), m.truncated()));
      }
    }
    List<Encoded> out = new ArrayList<>(staged.encoded());
    if (!hard.isEmpty()) {
      List<EncoderResult> second = attention.encode(tokens);
      meters.secondCall(hard.size(), System.nanoTime() - t1);
      for (int j = 0; j < hard.size(); j++) {
        Encoded first = out.get(hard.get(j));
        out.set(hard.get(j), new Encoded(rule.reread(first.result(), second.get(j)), first.stateSteps(), null,
            true));
      }
    }
    rnn.apply(staged);
    return out;
  }

  @Override
  public void close() {
    try {
      rnn.close();
    } finally {
      attention.close();
    }
  }
}
