package io.streamnlp.model.internals;

import io.streamnlp.config.StreamNlpConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.apache.kafka.common.config.ConfigException;

/**
 * What {@code encoder=cascade} needs of its two models, checked at start so that a misfit is one line naming
 * the key to change: an attention model to re-read, the rnn model's labels in the same order (the two
 * readings' scores are compared and averaged label by label) and the same tokenizer (a message is tokenized
 * once, before the micro-batch buffer, and both models read those ids).
 */
public final class CascadeChecks {
  private CascadeChecks() {}

  /** @return what does not fit, or null */
  public static ConfigException unfit(StreamNlpConfig config, ModelDirectory rnn, ModelDirectory attention) {
    String key = StreamNlpConfig.CASCADE_MODEL_DIR_CONFIG;
    String location = config.getString(key);
    ModelManifest r = rnn.manifest();
    ModelManifest a = attention.manifest();
    if (!"attention".equals(a.kind())) {
      return new ConfigException(key, location, "encoder=cascade re-reads with an attention model, but '"
          + a.name() + "' in " + attention.location() + " is of kind '" + a.kind() + "'. Point " + key + " at an "
          + "attention model (the default: " + StreamNlpConfig.ATTENTION_MODEL_DIR_DEFAULT + ").");
    }
    if (!r.labels().equals(a.labels())) {
      return new ConfigException(key, location, "encoder=cascade needs both models to have the same labels in the "
          + "same order; '" + r.name() + "' has " + r.labels() + " and '" + a.name() + "' has " + a.labels()
          + ". Use models trained for the same labels.");
    }
    if (!sameTokenizer(rnn, attention)) {
      return new ConfigException(key, location, "encoder=cascade tokenizes each message once for both models, "
          + "but '" + r.name() + "' and '" + a.name() + "' have different tokenizer files. Use models that share "
          + "a tokenizer (the shipped ones do).");
    }
    int window = config.getInt(StreamNlpConfig.ATTENTION_WINDOW_TOKENS_CONFIG);
    if (window > 0) {
      return new ConfigException(StreamNlpConfig.ATTENTION_WINDOW_TOKENS_CONFIG, window, "encoder=cascade carries "
          + "each key's context in the rnn model's state and re-reads a message alone; a context window is not "
          + "used. Set it to 0.");
    }
    return null;
  }

  private static boolean sameTokenizer(ModelDirectory a, ModelDirectory b) {
    try (InputStream x = a.openTokenizer(); InputStream y = b.openTokenizer()) {
      return Arrays.equals(x.readAllBytes(), y.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read a tokenizer file: " + e.getMessage(), e);
    }
  }
}
