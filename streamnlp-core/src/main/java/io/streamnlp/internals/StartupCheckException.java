package io.streamnlp.internals;

import org.apache.kafka.streams.errors.StreamsException;

/** A check before start failed on something the user can fix (an unreachable cluster or registry); one line. */
public final class StartupCheckException extends StreamsException {
  private static final long serialVersionUID = 1L;

  public StartupCheckException(String message, Throwable cause) {
    super(message, cause);
  }
}
