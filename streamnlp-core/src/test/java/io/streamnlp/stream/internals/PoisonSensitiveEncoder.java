package io.streamnlp.stream.internals;

import io.streamnlp.model.ModelInfo;
import io.streamnlp.model.internals.EncoderResult;
import io.streamnlp.model.internals.EncodingException;
import io.streamnlp.model.internals.TextEncoder;
import io.streamnlp.text.internals.TokenizedText;
import java.util.List;

/** A real encoder, except that any batch holding a given token id fails as ONNX Runtime would. */
final class PoisonSensitiveEncoder implements TextEncoder {
  private final TextEncoder real;
  private final long poison;

  PoisonSensitiveEncoder(TextEncoder real, long poisonId) {
    this.real = real;
    this.poison = poisonId;
  }

  @Override
  public ModelInfo info() {
    return real.info();
  }

  @Override
  public int maxBatchSize() {
    return real.maxBatchSize();
  }

  @Override
  public int maxTokens() {
    return real.maxTokens();
  }

  @Override
  public List<EncoderResult> encode(List<TokenizedText> batch) throws EncodingException {
    for (TokenizedText t : batch) {
      for (long id : t.ids()) {
        if (id == poison) {
          throw new EncodingException("simulated kernel failure", new IllegalStateException("bad input"));
        }
      }
    }
    return real.encode(batch);
  }

  @Override
  public void close() {
    real.close();
  }
}
