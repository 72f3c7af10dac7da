package io.streamnlp.internals;

import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.errors.MissingSourceTopicException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when a stream thread fails. Bad records never get here (they go to the dead-letter topic); what
 * does is an outage that outlasted its retries, a broker-side error, a record a topic refused (the production
 * exception handler fails the thread on purpose, see {@code SinkRejectionHandler}) or a bug. A new thread resumes
 * the tasks from their last commit (exactly once); a thread failing again and again means something is
 * persistently wrong, so the instance stops loudly rather than spin.
 */
public final class ThreadReplacingHandler implements StreamsUncaughtExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ThreadReplacingHandler.class);

  private final ThreadReplacements budget;
  private final Runnable beforeReplacing;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  /** @param beforeReplacing runs before a new thread takes over: reads the topics' limits again */
  ThreadReplacingHandler(ThreadReplacements budget, Runnable beforeReplacing) {
    this.budget = budget;
    this.beforeReplacing = beforeReplacing;
  }

  @Override
  public StreamThreadExceptionResponse handle(Throwable e) {
    MissingSourceTopicException missing = missingSourceTopic(e);
    if (missing != null) {
      // No new thread can read a topic that is not there: stop at once, in one line, rather than loop.
      LOG.error("An input topic no longer exists ({}); shutting the instance down. Create it again, or correct the "
          + "topics the topology reads.", missing.getMessage());
      failure.compareAndSet(null, missing);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    if (budget.allowAnother(System.currentTimeMillis())) {
      LOG.error("Stream thread failed; replacing it ({} of {} allowed in {})", budget.used(), budget.max(),
          budget.window(), e);
      // A topic whose limits changed while running (the usual cause of a refused record) is read again before
      // the new thread processes the same input, so its guard dead-letters what the topic refuses.
      beforeReplacing.run();
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
    LOG.error("Stream thread failed again ({} replacements in {} already); shutting the instance down",
        budget.max(), budget.window(), e);
    failure.compareAndSet(null, e);
    return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
  }

  private static MissingSourceTopicException missingSourceTopic(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof MissingSourceTopicException m) {
        return m;
      }
    }
    return null;
  }

  /** What stopped the instance for good, or null while it runs. */
  public Throwable failure() {
    return failure.get();
  }
}
