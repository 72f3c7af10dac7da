package io.streamnlp.stream.internals;

import java.util.regex.Pattern;

/**
 * The names of one pipeline's processors and state stores, all derived from the name its caller chose, so that
 * several pipelines (an attention encoder and an rnn encoder, say) live side by side in one topology. The stores'
 * changelog topics are {@code <application.id>-<store>-changelog}, so a name also fixes where the pipeline's
 * state lives: keep it when the application is redeployed.
 */
public record PipelineNames(String pipeline) {
  /** The name of {@code StreamNlp.encode(KStream)}: the standalone application's processors and stores. */
  public static final String DEFAULT = "streamnlp";
  // What Kafka accepts in a topic name, less room for the application id and the "-changelog" suffix.
  private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,100}");

  public PipelineNames {
    if (pipeline == null || !LEGAL.matcher(pipeline).matches()) {
      throw new IllegalArgumentException("pipeline name '" + pipeline + "' must be 1 to 100 of the characters "
          + "a-z, A-Z, 0-9, '.', '_' and '-': it names the pipeline's processors, stores and changelog topics");
    }
  }

  /** Prefix of every processor name of the pipeline. */
  public String processor(String step) {
    return pipeline + "-" + step;
  }

  /** The micro-batch buffer (in memory, changelogged). */
  public String bufferStore() {
    return pipeline + "-batch-buffer";
  }

  /** Per-key hidden states of the rnn encoder (RocksDB, changelogged). */
  public String rnnStateStore() {
    return pipeline + "-rnn-state";
  }

  /** Per-key context windows of the attention encoder (RocksDB, changelogged). */
  public String contextStore() {
    return pipeline + "-attention-context";
  }

  /** Per-key sentiment windows of {@code summarize}. */
  public String windowsStore() {
    return pipeline + "-sentiment-windows";
  }
}
