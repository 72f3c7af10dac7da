package io.streamnlp.model.internals;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnlp.model.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Turns a Hugging Face ONNX export, as Optimum writes it ({@code model.onnx}, {@code tokenizer.json},
 * {@code config.json}), into a streamnlp model directory: it reads the graph's inputs and outputs and the
 * config, decides the manifest, and records why, so a user never writes {@code manifest.json} by hand.
 *
 * <p>A text-classification export ({@code logits}) gets the logits head with the labels of {@code id2label};
 * a feature-extraction export ({@code last_hidden_state}, or a pooled {@code sentence_embedding}) gets mean
 * pooling and, having no classifier, a zero-shot prototype head over example sentences the user can edit.
 */
public final class HuggingFaceImport {
  /** The largest position count streamnlp lets a BERT-style model use. */
  static final int MAX_TOKENS_CAP = 512;
  static final Map<String, List<String>> DEFAULT_PROTOTYPES = prototypes();

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** One choice the import made, and the evidence for it. */
  public record Decision(String setting, String value, String why) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%-14s %s  (%s)", setting, value, why);
    }
  }

  /** What would be written: the manifest, the files to copy into the model directory, and the decisions. */
  public record Plan(ObjectNode manifest, Path onnx, List<Path> onnxData, Path tokenizer, List<Decision> decisions) {}

  private HuggingFaceImport() {}

  /**
   * Reads the export in {@code from} and decides the manifest of a model called {@code name}.
   *
   * @throws ModelLoadException saying what is missing or unsupported, and what to do
   */
  public static Plan plan(Path from, String name, String version) {
    if (!Files.isDirectory(from)) {
      throw new ModelLoadException("--from " + from + " is not a directory. Point it at the folder of a Hugging "
          + "Face ONNX export (model.onnx, tokenizer.json, config.json), e.g. what 'optimum-cli export onnx' wrote.");
    }
    List<Decision> decisions = new ArrayList<>();
    Path onnx = findOnnx(from, decisions);
    Path tokenizer = from.resolve("tokenizer.json");
    if (!Files.isRegularFile(tokenizer)) {
      throw new ModelLoadException("No tokenizer.json in " + from + ". streamnlp tokenizes with the model's own "
          + "Hugging Face tokenizer: save it beside the model (tokenizer.save_pretrained(dir), or export with "
          + "optimum-cli, which writes it).");
    }
    JsonNode config = readConfig(from, decisions);

    Map<String, NodeInfo> inputs;
    Map<String, NodeInfo> outputs;
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
         OrtSession session = env.createSession(onnx.toString(), options)) {
      inputs = new LinkedHashMap<>(session.getInputInfo());
      outputs = new LinkedHashMap<>(session.getOutputInfo());
    } catch (OrtException e) {
      throw new ModelLoadException("ONNX Runtime cannot load " + onnx + ": " + e.getMessage() + ". Re-export the "
          + "model (optimum-cli export onnx --model <id> <dir>) and check the file is complete.", e);
    }

    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("name", name);
    manifest.put("version", version);
    manifest.put("kind", "attention");
    ObjectNode files = manifest.putObject("files");
    files.put("onnx", "model.onnx");
    files.put("tokenizer", "tokenizer.json");
    int maxTokens = maxTokens(config, decisions);
    manifest.put("maxTokens", maxTokens);
    manifest.set("inputs", mapInputs(inputs, decisions));

    ObjectNode outs = JSON.createObjectNode();
    String logits = outputs.containsKey("logits") ? "logits" : null;
    int embeddingDim = mapEmbedding(outputs, config, outs, manifest, decisions);
    if (logits != null) {
      outs.put("logits", logits);
    }
    if (logits == null && embeddingDim == 0) {
      throw new ModelLoadException("The export in " + from + " has neither 'logits' (text-classification) nor "
          + "'last_hidden_state' / 'sentence_embedding' (feature-extraction) among its outputs " + outputs.keySet()
          + ". Export it with --task text-classification or --task feature-extraction.");
    }
    manifest.set("outputs", outs);
    manifest.put("embeddingDim", embeddingDim);

    List<String> labels;
    ObjectNode head = JSON.createObjectNode();
    if (logits != null) {
      labels = labels(config, shape(outputs.get(logits)), decisions);
      head.put("type", "logits");
      decisions.add(new Decision("head", "logits", "the graph outputs 'logits': the export has its classifier; "
          + "scores are their softmax"));
    } else {
      labels = new ArrayList<>(DEFAULT_PROTOTYPES.keySet());
      head.put("type", "prototype");
      head.put("temperature", 0.05);
      ObjectNode protos = head.putObject("prototypes");
      DEFAULT_PROTOTYPES.forEach((label, sentences) -> sentences.forEach(protos.withArray(label)::add));
      decisions.add(new Decision("head", "prototype " + labels, "no 'logits' output, so no classifier: tags are "
          + "zero-shot, the label whose example sentences' mean embedding is closest; edit head.prototypes in "
          + "manifest.json to tag what you need"));
    }
    ArrayNode labelArray = manifest.putArray("labels");
    labels.forEach(labelArray::add);
    polarity(labels).ifPresent(p -> {
      ObjectNode polarity = manifest.putObject("polarity");
      polarity.put("positive", p[0]);
      polarity.put("negative", p[1]);
      decisions.add(new Decision("polarity", p[0] + " - " + p[1], "labels name a positive and a negative pole: "
          + "results carry polarity = p(" + p[0] + ") - p(" + p[1] + ")"));
    });
    manifest.set("head", head);
    ObjectNode source = manifest.putObject("source");
    source.put("importedFrom", from.toAbsolutePath().normalize().toString());
    if (config != null) {
      copyText(config, source, "model_type", "modelType");
      copyText(config, source, "_name_or_path", "nameOrPath");
      if (config.has("architectures")) {
        source.set("architectures", config.get("architectures"));
      }
    }
    manifest.put("description", "Imported by 'streamnlp import-model' from a Hugging Face ONNX export ("
        + (logits != null ? "text-classification" : "feature-extraction") + ").");
    List<Path> onnxData = externalData(onnx);
    return new Plan(manifest, onnx, onnxData, tokenizer, decisions);
  }

  /**
   * Writes the model directory {@code out}: copies the ONNX file (and its external data) and the tokenizer,
   * and writes {@code manifest.json}.
   */
  public static void write(Plan plan, Path out) throws IOException {
    Files.createDirectories(out);
    Files.copy(plan.onnx(), out.resolve("model.onnx"), StandardCopyOption.REPLACE_EXISTING);
    for (Path data : plan.onnxData()) {
      // External weights are found by the file name recorded in the graph, relative to the model file.
      Files.copy(data, out.resolve(data.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
    }
    Files.copy(plan.tokenizer(), out.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
    JSON.writeValue(out.resolve("manifest.json").toFile(), plan.manifest());
  }

  private static Path findOnnx(Path from, List<Decision> decisions) {
    for (Path candidate : List.of(from.resolve("model.onnx"), from.resolve("onnx").resolve("model.onnx"))) {
      if (Files.isRegularFile(candidate)) {
        decisions.add(new Decision("onnx", from.relativize(candidate).toString(), "the file Optimum writes"));
        return candidate;
      }
    }
    List<Path> found;
    try (Stream<Path> files = Files.list(from)) {
      found = files.filter(p -> p.getFileName().toString().endsWith(".onnx")).sorted().toList();
    } catch (IOException e) {
      throw new ModelLoadException("Cannot list " + from + ": " + e.getMessage(), e);
    }
    if (found.size() != 1) {
      throw new ModelLoadException((found.isEmpty() ? "No .onnx file" : "Several .onnx files " + found) + " in "
          + from + ". Keep the one model to import as model.onnx.");
    }
    decisions.add(new Decision("onnx", found.get(0).getFileName().toString(), "the only .onnx file"));
    return found.get(0);
  }

  private static JsonNode readConfig(Path from, List<Decision> decisions) {
    Path path = from.resolve("config.json");
    if (!Files.isRegularFile(path)) {
      decisions.add(new Decision("config", "none", "no config.json: labels and the token limit fall back to "
          + "LABEL_<n> and " + MAX_TOKENS_CAP));
      return null;
    }
    try {
      return JSON.readTree(path.toFile());
    } catch (IOException e) {
      throw new ModelLoadException("Cannot read " + path + ": " + e.getMessage() + ". Fix or remove the file.", e);
    }
  }

  private static int maxTokens(JsonNode config, List<Decision> decisions) {
    JsonNode positions = config == null ? null : config.get("max_position_embeddings");
    if (positions == null || !positions.canConvertToInt()) {
      decisions.add(new Decision("maxTokens", String.valueOf(MAX_TOKENS_CAP), "config.json gives no "
          + "max_position_embeddings; " + MAX_TOKENS_CAP + " is BERT's limit"));
      return MAX_TOKENS_CAP;
    }
    int n = positions.asInt();
    String type = config.path("model_type").asText("");
    // RoBERTa-family models reserve the first two positions (padding offset): 514 positions = 512 tokens.
    int offset = type.contains("roberta") || type.equals("camembert") ? 2 : 0;
    int tokens = Math.min(n - offset, MAX_TOKENS_CAP);
    decisions.add(new Decision("maxTokens", String.valueOf(tokens), "max_position_embeddings " + n
        + (offset > 0 ? " minus " + type + "'s padding offset " + offset : "")
        + (tokens < n - offset ? ", capped at " + MAX_TOKENS_CAP : "")));
    return tokens;
  }

  private static ObjectNode mapInputs(Map<String, NodeInfo> inputs, List<Decision> decisions) {
    ObjectNode mapped = JSON.createObjectNode();
    List<String> unknown = new ArrayList<>();
    for (String in : inputs.keySet()) {
      switch (in) {
        case "input_ids" -> mapped.put("inputIds", in);
        case "attention_mask" -> mapped.put("attentionMask", in);
        case "token_type_ids" -> {
          mapped.put("tokenTypeIds", in);
          decisions.add(new Decision("tokenTypeIds", in, "the graph takes token type ids; messages are one "
              + "segment, so all zeros"));
        }
        default -> unknown.add(in);
      }
    }
    if (!unknown.isEmpty() || !mapped.has("inputIds") || !mapped.has("attentionMask")) {
      throw new ModelLoadException("The graph's inputs " + inputs.keySet() + " are not an encoder's: streamnlp feeds "
          + "input_ids, attention_mask and optionally token_type_ids"
          + (unknown.isEmpty() ? "" : "; it cannot feed " + unknown) + ". Export an encoder model (BERT, RoBERTa, "
          + "MiniLM, ...) for text-classification or feature-extraction; decoders with past_key_values are not "
          + "supported.");
    }
    return mapped;
  }

  /** Maps the embedding output into {@code outs}; returns its width, 0 when the export has none. */
  private static int mapEmbedding(Map<String, NodeInfo> outputs, JsonNode config, ObjectNode outs,
                                  ObjectNode manifest, List<Decision> decisions) {
    String output;
    if (outputs.containsKey("sentence_embedding")) {
      output = "sentence_embedding";
      outs.put("embedding", output);
      decisions.add(new Decision("embedding", output, "the export pools its own sentence embedding"));
    } else if (outputs.containsKey("last_hidden_state")) {
      output = "last_hidden_state";
      outs.put("hiddenStates", output);
      manifest.put("pooling", "mean");
      decisions.add(new Decision("embedding", "mean of " + output, "mean pooling over the message's tokens, as "
          + "sentence-transformers models are trained to be used"));
    } else {
      decisions.add(new Decision("embedding", "none", "no last_hidden_state or sentence_embedding output: results "
          + "carry tags and scores but no embedding"));
      return 0;
    }
    long[] shape = shape(outputs.get(output));
    long dim = shape.length == 0 ? -1 : shape[shape.length - 1];
    if (dim <= 0 && config != null && config.path("hidden_size").canConvertToInt()) {
      dim = config.get("hidden_size").asInt();
    }
    if (dim <= 0) {
      throw new ModelLoadException("Cannot tell the width of output '" + output + "': the graph leaves it dynamic "
          + "and config.json gives no hidden_size. Add hidden_size to config.json.");
    }
    return (int) dim;
  }

  private static List<String> labels(JsonNode config, long[] logitsShape, List<Decision> decisions) {
    long classes = logitsShape.length == 0 ? -1 : logitsShape[logitsShape.length - 1];
    JsonNode id2label = config == null ? null : config.get("id2label");
    if (id2label != null && id2label.isObject() && id2label.size() > 0) {
      TreeMap<Integer, String> byId = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = id2label.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        try {
          byId.put(Integer.parseInt(e.getKey()), e.getValue().asText());
        } catch (NumberFormatException bad) {
          throw new ModelLoadException("config.json id2label has a key '" + e.getKey() + "' that is not a class "
              + "index. Fix id2label.", bad);
        }
      }
      List<String> labels = new ArrayList<>(byId.values());
      boolean dense = byId.firstKey() == 0 && byId.lastKey() == byId.size() - 1;
      if (!dense || (classes > 0 && classes != labels.size())) {
        throw new ModelLoadException("config.json id2label " + byId + " does not name classes 0.." + (classes - 1)
            + " of the 'logits' output. Fix id2label.");
      }
      decisions.add(new Decision("labels", labels.toString(), "config.json id2label, in logit order"));
      return labels;
    }
    if (classes <= 0) {
      throw new ModelLoadException("The 'logits' output has a dynamic class count and config.json gives no "
          + "id2label. Add id2label to config.json.");
    }
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < classes; i++) {
      labels.add("LABEL_" + i);
    }
    decisions.add(new Decision("labels", labels.toString(), "no id2label in config.json: Hugging Face's default "
        + "names; add id2label to name them"));
    return labels;
  }

  /** The positive and negative labels ([positive, negative]), found by name, if the model has both. */
  static java.util.Optional<String[]> polarity(List<String> labels) {
    String positive = null;
    String negative = null;
    for (String label : labels) {
      String l = label.toLowerCase(Locale.ROOT);
      if (l.equals("positive") || l.equals("pos")) {
        positive = label;
      } else if (l.equals("negative") || l.equals("neg")) {
        negative = label;
      }
    }
    return positive != null && negative != null ? java.util.Optional.of(new String[] {positive, negative})
        : java.util.Optional.empty();
  }

  private static List<Path> externalData(Path onnx) {
    String base = onnx.getFileName().toString();
    Path dir = onnx.getParent();
    return Stream.of(base + "_data", base + ".data", base.replace(".onnx", ".onnx_data"))
        .distinct().map(dir::resolve).filter(Files::isRegularFile).toList();
  }

  private static long[] shape(NodeInfo info) {
    return info.getInfo() instanceof TensorInfo t ? t.getShape() : new long[0];
  }

  private static void copyText(JsonNode from, ObjectNode to, String field, String as) {
    if (from.hasNonNull(field)) {
      to.put(as, from.get(field).asText());
    }
  }

  private static Map<String, List<String>> prototypes() {
    Map<String, List<String>> p = new LinkedHashMap<>();
    p.put("negative", List.of("I hate this, it is terrible.", "This is awful and disappointing.",
        "What a horrible, boring waste of time.", "I am very unhappy and angry about it.",
        "The worst experience ever, completely broken."));
    p.put("neutral", List.of("The meeting is at noon in room 4.", "My order number is 58213.",
        "The report covers the third quarter.", "Can you send me the invoice?",
        "The train leaves at 7:15 from platform 2."));
    p.put("positive", List.of("I love this, it is wonderful.", "This is great and delightful.",
        "What a fantastic, brilliant experience.", "I am very happy and pleased with it.",
        "The best thing ever, it works perfectly."));
    return p;
  }
}
