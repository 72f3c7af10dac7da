package io.streamnlp.app;

import io.streamnlp.internals.StartupCheckException;
import io.streamnlp.model.ModelLoadException;
import io.streamnlp.stream.MissingTopicException;
import org.apache.kafka.common.config.ConfigException;

/** Turns a start-up failure into one line a user can act on, without a stack trace for known causes. */
final class StartupErrors {
  private StartupErrors() {}

  static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConfigException) {
        return "invalid configuration: " + t.getMessage();
      }
      if (t instanceof ModelLoadException) {
        return "cannot load the model: " + t.getMessage();
      }
      if (t instanceof MissingTopicException || t instanceof StartupCheckException) {
        return t.getMessage();
      }
    }
    // A bad argument (unknown label, wrong file format) already says what to fix.
    return e instanceof IllegalArgumentException && e.getMessage() != null ? e.getMessage() : e.toString();
  }
}
