package io.streamnlp.text.internals;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.streamnlp.text.RejectedInputException;
import io.streamnlp.text.RejectionReason;
import java.io.IOException;

/** input.format=json: the text is one string field of a JSON document, addressed by a JSON Pointer. */
public final class JsonFieldExtractor implements TextExtractor {
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .build();

  private final JsonPointer pointer;
  private final String path;

  public JsonFieldExtractor(String path) {
    this.path = path;
    this.pointer = toPointer(path);
  }

  /** Accepts a JSON Pointer ("/a/b") or a dotted path ("a.b"). */
  static JsonPointer toPointer(String path) {
    String p = path.trim();
    if (p.startsWith("/")) {
      return JsonPointer.compile(p);
    }
    StringBuilder sb = new StringBuilder();
    for (String part : p.split("\\.")) {
      sb.append('/').append(part.replace("~", "~0").replace("/", "~1"));
    }
    return JsonPointer.compile(sb.toString());
  }

  @Override
  public String extract(String topic, byte[] value) throws RejectedInputException {
    String json = Utf8.decodeStrict(value);
    JsonNode root;
    try (JsonParser parser = MAPPER.createParser(json)) {
      root = MAPPER.readTree(parser);
      if (parser.nextToken() != null) {
        throw new RejectedInputException(RejectionReason.MALFORMED_JSON, "trailing content after the JSON value");
      }
    } catch (JsonProcessingException e) {
      throw new RejectedInputException(RejectionReason.MALFORMED_JSON, "value is not valid JSON: "
          + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new RejectedInputException(RejectionReason.MALFORMED_JSON, "value is not valid JSON: "
          + e.getMessage(), e);
    }
    if (root == null) {
      throw new RejectedInputException(RejectionReason.MALFORMED_JSON, "value holds no JSON document");
    }
    JsonNode field = root.at(pointer);
    if (field.isMissingNode() || field.isNull()) {
      throw new RejectedInputException(RejectionReason.MISSING_FIELD, "JSON has no field at '" + path + "'");
    }
    if (!field.isTextual()) {
      throw new RejectedInputException(RejectionReason.MISSING_FIELD,
          "JSON field '" + path + "' is " + field.getNodeType().name().toLowerCase() + ", not a string");
    }
    return field.textValue();
  }
}
