package io.streamnlp.text.internals;

import io.streamnlp.text.RejectedInputException;
/** input.format=string: the whole value is the text, in UTF-8. */
public final class PlainTextExtractor implements TextExtractor {
  @Override
  public String extract(String topic, byte[] value) throws RejectedInputException {
    return Utf8.decodeStrict(value);
  }
}
