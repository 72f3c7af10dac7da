package io.streamnlp.internals;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/** Counts stream-thread replacements in a sliding time window, so a persistent failure cannot loop forever. */
public final class ThreadReplacements {
  private final int max;
  private final Duration window;
  private final Deque<Long> times = new ArrayDeque<>();

  public ThreadReplacements(int max, Duration window) {
    this.max = max;
    this.window = window;
  }

  /** Whether one more replacement at {@code nowMs} stays within the budget; if so it is counted. */
  public synchronized boolean allowAnother(long nowMs) {
    while (!times.isEmpty() && times.peekFirst() <= nowMs - window.toMillis()) {
      times.removeFirst();
    }
    if (times.size() >= max) {
      return false;
    }
    times.addLast(nowMs);
    return true;
  }

  public synchronized int used() {
    return times.size();
  }

  public int max() {
    return max;
  }

  public Duration window() {
    return window;
  }
}
