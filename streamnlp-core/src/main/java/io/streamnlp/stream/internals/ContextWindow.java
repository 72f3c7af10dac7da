package io.streamnlp.stream.internals;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A key's recent tokens for the attention encoder's context, oldest first, each with the timestamp of the
 * message it came from (special tokens are not kept).
 */
public record ContextWindow(long[] tokens, long[] times) {
  public static final ContextWindow EMPTY = new ContextWindow(new long[0], new long[0]);
  /**
   * What the store gives for a window it cannot read (damaged, or written by an incompatible version): the key
   * starts over with an empty window. Compared by identity; empty, so sweeps delete it.
   */
  public static final ContextWindow UNREADABLE = new ContextWindow(new long[0], new long[0]);

  /** The tokens of messages stamped at or after {@code since}. */
  public ContextWindow since(long since) {
    int from = 0;
    while (from < times.length && times[from] < since) {
      from++;
    }
    return from == 0 ? this : new ContextWindow(Arrays.copyOfRange(tokens, from, tokens.length),
        Arrays.copyOfRange(times, from, times.length));
  }

  /** This window followed by a message's tokens, keeping the newest {@code maxTokens}. */
  public ContextWindow append(long[] message, long time, int maxTokens) {
    int total = tokens.length + message.length;
    int drop = Math.max(0, total - maxTokens);
    long[] t = new long[total - drop];
    long[] s = new long[total - drop];
    for (int i = drop; i < total; i++) {
      boolean old = i < tokens.length;
      t[i - drop] = old ? tokens[i] : message[i - tokens.length];
      s[i - drop] = old ? times[i] : time;
    }
    return new ContextWindow(t, s);
  }

  /**
   * This window followed by a message's own tokens: its token ids without the [CLS] and [SEP] the tokenizer
   * adds (special tokens are not kept), keeping the newest {@code maxTokens}.
   */
  public ContextWindow appendMessage(long[] messageIds, long time, int maxTokens) {
    return append(messageIds.length > 2 ? Arrays.copyOfRange(messageIds, 1, messageIds.length - 1) : new long[0],
        time, maxTokens);
  }

  /**
   * The newest tokens that fit as context before a message of {@code messageLength} tokens in a model input of
   * {@code maxTokens} ([CLS] context [SEP] message): the message is never cut for its context.
   */
  public long[] tokensFitting(int messageLength, int maxTokens) {
    int budget = Math.max(0, maxTokens - messageLength - 1);
    return tokens.length <= budget ? tokens : Arrays.copyOfRange(tokens, tokens.length - budget, tokens.length);
  }

  /** Compact binary form for the context store and its changelog: count, then (int token, long time)*. */
  public static final class ContextWindowSerde extends VersionedBinarySerde<ContextWindow> {
    public ContextWindowSerde() {
      super("context window");
    }

    @Override
    ContextWindow unreadable() {
      return UNREADABLE;
    }

    @Override
    int bodySize(ContextWindow w) {
      return 4 + w.tokens().length * 12;
    }

    @Override
    void writeBody(ContextWindow w, ByteBuffer out) {
      out.putInt(w.tokens().length);
      for (int i = 0; i < w.tokens().length; i++) {
        out.putInt(Math.toIntExact(w.tokens()[i])).putLong(w.times()[i]);
      }
    }

    @Override
    ContextWindow readBody(ByteBuffer in) {
      int n = in.getInt();
      long[] tokens = new long[n];
      long[] times = new long[n];
      for (int i = 0; i < n; i++) {
        tokens[i] = in.getInt();
        times[i] = in.getLong();
      }
      return new ContextWindow(tokens, times);
    }
  }
}
