package io.streamnlp.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnlp.model.internals.LinearHead;
import io.streamnlp.model.internals.ModelDirectory;
import io.streamnlp.model.internals.ModelManifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes a trained model directory: the base model's ONNX file (and any external data beside it) and tokenizer,
 * copied so the directory runs wherever it is put; {@code head.json}; a {@code manifest.json} made from the base's
 * (its inputs, outputs and session options) with the new labels, the linear head and where the model came from;
 * {@code evaluation.md}; and a {@code CARD.md} skeleton for the user to complete.
 */
public final class TrainedModelWriter {
  public static final String HEAD_FILE = "head.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private TrainedModelWriter() {}

  /**
   * @param polarity the positive and negative label, or null
   * @param head the trained head; when it reads the base's class probabilities, the manifest keeps the logits
   *             output, else it drops it (ONNX Runtime then does not compute it)
   * @param trainedFrom where the model came from (base, data files and their hashes, settings), for its manifest
   */
  public static void write(Path out, ModelDirectory base, String name, String version, List<String> labels,
                           String[] polarity, LinearHead.File head, Map<String, Object> trainedFrom,
                           String evaluation, String card) throws IOException {
    Files.createDirectories(out);
    ModelManifest m = base.manifest();
    copy(base.openFile(m.files().onnx()), out.resolve("model.onnx"));
    copyExternalData(base, out);
    copy(base.openFile(m.files().tokenizer()), out.resolve("tokenizer.json"));
    try (OutputStream o = Files.newOutputStream(out.resolve(HEAD_FILE))) {
      head.write(o);
    }
    ObjectNode manifest;
    try (InputStream in = base.openFile("manifest.json")) {
      manifest = (ObjectNode) JSON.readTree(in);
    }
    manifest.put("name", name);
    manifest.put("version", version);
    manifest.put("description", "A linear head trained by `streamnlp train` on the frozen sentence embedding of "
        + m.name() + " " + m.version() + ", for the labels " + abbreviate(labels) + ". See CARD.md and "
        + "evaluation.md.");
    ObjectNode files = manifest.putObject("files");
    files.put("onnx", "model.onnx");
    files.put("tokenizer", "tokenizer.json");
    if (!LinearHead.WITH_BASE_SCORES.equals(head.features())) {
      ObjectNode outputs = (ObjectNode) manifest.path("outputs");
      outputs.remove("logits"); // the base's own tag: not read, so ONNX Runtime need not compute it
      if (manifest.path("shapes") instanceof ObjectNode shapes && m.outputs().logits() != null) {
        shapes.remove(m.outputs().logits());
      }
    }
    ArrayNode labelArray = manifest.putArray("labels");
    labels.forEach(labelArray::add);
    manifest.remove("polarity");
    if (polarity != null) {
      ObjectNode p = manifest.putObject("polarity");
      p.put("positive", polarity[0]);
      p.put("negative", polarity[1]);
    }
    ObjectNode headNode = manifest.putObject("head");
    headNode.put("type", "linear");
    headNode.put("file", HEAD_FILE);
    JsonNode baseSource = manifest.remove("source");
    ObjectNode from = manifest.putObject("trainedFrom");
    ObjectNode baseNode = from.putObject("base");
    baseNode.put("name", m.name());
    baseNode.put("version", m.version());
    baseNode.put("location", base.location());
    if (baseSource != null) {
      baseNode.set("source", baseSource);
    }
    trainedFrom.forEach((k, v) -> from.set(k, JSON.valueToTree(v)));
    try (OutputStream o = Files.newOutputStream(out.resolve("manifest.json"))) {
      JSON.writeValue(o, manifest);
    }
    Files.writeString(out.resolve("evaluation.md"), evaluation);
    Path cardFile = out.resolve("CARD.md");
    if (!Files.exists(cardFile)) {
      Files.writeString(cardFile, card); // the user's card is theirs: a retrain never overwrites it
    }
  }

  private static void copy(InputStream in, Path to) throws IOException {
    try (in) {
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Weights a large ONNX export keeps beside its graph (model.onnx.data, model.onnx_data, ...). */
  private static void copyExternalData(ModelDirectory base, Path out) throws IOException {
    var onnx = base.onnxFile();
    if (onnx.isEmpty()) {
      return;
    }
    String stem = onnx.get().getFileName().toString();
    try (Stream<Path> siblings = Files.list(onnx.get().toAbsolutePath().getParent())) {
      for (Path p : siblings.filter(p -> {
        String n = p.getFileName().toString();
        return !n.equals(stem) && (n.startsWith(stem + ".") || n.startsWith(stem + "_"));
      }).toList()) {
        // Under its own name: the graph refers to its external data by file name.
        Files.copy(p, out.resolve(p.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private static String abbreviate(List<String> labels) {
    return labels.size() <= 6 ? String.join(", ", labels)
        : String.join(", ", labels.subList(0, 5)) + " and " + (labels.size() - 5) + " more";
  }
}
