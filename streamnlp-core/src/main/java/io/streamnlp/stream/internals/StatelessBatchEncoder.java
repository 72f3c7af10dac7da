package io.streamnlp.stream.internals;

import io.streamnlp.model.internals.EncoderResult;
import io.streamnlp.model.internals.EncodingException;
import io.streamnlp.model.internals.TextEncoder;
import io.streamnlp.text.internals.TokenizedText;
import java.util.ArrayList;
import java.util.List;

/** Each message on its own, whatever its key: the attention encoder without a context window. */
public final class StatelessBatchEncoder implements MessageBatchEncoder {
  private final TextEncoder encoder;

  public StatelessBatchEncoder(TextEncoder encoder) {
    this.encoder = encoder;
  }

  @Override
  public TextEncoder model() {
    return encoder;
  }

  @Override
  public List<Encoded> encode(List<PendingMessage> batch) throws EncodingException {
    List<TokenizedText> inputs = new ArrayList<>(batch.size());
    for (PendingMessage m : batch) {
      inputs.add(TokenizedText.ofIds(m.tokenIds(), m.truncated()));
    }
    List<Encoded> out = new ArrayList<>(batch.size());
    for (EncoderResult r : encoder.encode(inputs)) {
      out.add(new Encoded(r, null));
    }
    return out;
  }

  @Override
  public void close() {
    encoder.close();
  }
}
