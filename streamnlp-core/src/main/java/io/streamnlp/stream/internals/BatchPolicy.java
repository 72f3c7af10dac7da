package io.streamnlp.stream.internals;

import java.time.Duration;

/**
 * When {@link MicroBatchEncodeProcessor} runs a batch: as soon as {@code size} messages are buffered, and
 * otherwise after {@code maxWait}. With {@code flushWhenIdle} (the low-latency mode) a partial batch also runs
 * as soon as the stream thread has no more input to hand over: a batch waits for more messages only while more
 * are already arriving, so an idle input adds no wait and a busy one still fills whole batches.
 */
public record BatchPolicy(int size, Duration maxWait, boolean flushWhenIdle) {
  public BatchPolicy {
    if (size < 1) {
      throw new IllegalArgumentException("batch size must be at least 1");
    }
    if (maxWait.toMillis() < 1) {
      throw new IllegalArgumentException("batch wait must be at least 1 ms");
    }
  }

  /** Whole batches or the fixed wait, whichever comes first. */
  public static BatchPolicy of(int size, Duration maxWait) {
    return new BatchPolicy(size, maxWait, false);
  }
}
