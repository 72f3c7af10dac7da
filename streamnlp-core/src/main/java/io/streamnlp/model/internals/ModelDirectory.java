package io.streamnlp.model.internals;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.streamnlp.model.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A model directory on disk or on the classpath ({@code classpath:models/name}), and the files its manifest
 * names. Every problem is reported as a {@link ModelLoadException} that names the file and the fix.
 */
public final class ModelDirectory {
  private static final String CLASSPATH = "classpath:";
  private static final String CLASSPATH_MODELS = CLASSPATH + "models/";
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .build();
  private static final Set<String> KINDS = Set.of("attention", "rnn");
  private static final Set<String> HEADS = Set.of("logits", "prototype", "linear");
  private static final Set<String> POOLINGS = Set.of("mean", "cls");

  private final String location;
  private final ModelManifest manifest;

  private ModelDirectory(String location, ModelManifest manifest) {
    this.location = location;
    this.manifest = manifest;
  }

  public static ModelDirectory open(String location) {
    String manifestLocation = join(location, "manifest.json");
    ModelManifest manifest;
    try (InputStream in = openStream(manifestLocation)) {
      manifest = JSON.readValue(in, ModelManifest.class);
    } catch (ModelLoadException e) {
      String artifact = shippedArtifact(location);
      if (artifact != null) {
        throw new ModelLoadException("Model '" + location.substring(CLASSPATH_MODELS.length()).replaceAll("/+$", "")
            + "' is not on the classpath: add the dependency " + artifact + " (its model artifact), or point "
            + "model.dir at a model directory on disk.", e);
      }
      throw new ModelLoadException("No model at model.dir='" + location + "': " + e.getMessage()
          + ". Point model.dir at a directory that holds manifest.json, the .onnx model and its tokenizer"
          + " (the defaults are classpath:models/minilm-l6-sentiment3 and classpath:models/gru-sentiment3).", e);
    } catch (IOException e) {
      throw new ModelLoadException("Cannot read " + manifestLocation + ": " + e.getMessage()
          + ". Fix the JSON of the manifest (see models/README.md for its fields).", e);
    }
    validate(manifestLocation, manifest);
    return new ModelDirectory(location, manifest);
  }

  /**
   * The Maven coordinates of the artifact that ships {@code classpath:models/<name>}, or null for another
   * location. Every model artifact is named {@code streamnlp-model-<name>} and holds {@code models/<name>/}.
   */
  public static String shippedArtifact(String location) {
    if (!location.startsWith(CLASSPATH_MODELS)) {
      return null;
    }
    String name = location.substring(CLASSPATH_MODELS.length()).replaceAll("/+$", "");
    return name.isEmpty() || name.contains("/") ? null
        : "io.streamnlp:streamnlp-model-" + name + ":" + io.streamnlp.internals.StreamNlpVersion.get();
  }

  private static void validate(String where, ModelManifest m) {
    require(KINDS.contains(m.kind()), where, "kind '" + m.kind() + "' must be one of " + KINDS);
    require(m.maxTokens() > 2, where, "maxTokens must be above 2");
    boolean embeds = m.outputs().embedding() != null || m.outputs().hiddenStates() != null;
    require(embeds ? m.embeddingDim() > 0 : m.embeddingDim() == 0, where, embeds
        ? "embeddingDim must be positive" : "embeddingDim must be 0 for a model without an embedding output");
    require(!m.labels().isEmpty(), where, "labels must name at least one class");
    checkPolarity(m, where);
    String head = m.head().type().toLowerCase(Locale.ROOT);
    require(HEADS.contains(head), where, "head.type '" + m.head().type() + "' must be one of " + HEADS);
    ModelManifest.Inputs in = m.inputs();
    ModelManifest.Outputs out = m.outputs();
    if (m.isRecurrent()) {
      require(in.lengths() != null && in.initialState() != null, where,
          "an 'rnn' model needs inputs.lengths and inputs.initialState");
      require(out.finalState() != null, where, "an 'rnn' model needs outputs.finalState");
      require(m.state() != null && m.state().layers() > 0 && m.state().hiddenSize() > 0, where,
          "an 'rnn' model needs state.layers and state.hiddenSize (positive)");
      require(out.embedding() != null, where, "an 'rnn' model needs outputs.embedding");
    } else {
      require(in.attentionMask() != null, where, "an 'attention' model needs inputs.attentionMask");
    }
    // A classifier exported with its logits only (a Hugging Face text-classification export) tags but has no
    // embedding; everything else needs one: the prototype head compares embeddings, the rnn returns its own.
    require(embeds || head.equals("logits"), where,
        "outputs must name 'embedding' or 'hiddenStates' (or 'logits' with head.type 'logits')");
    if (out.embedding() == null && out.hiddenStates() != null) {
      require(m.pooling() != null && POOLINGS.contains(m.pooling()), where,
          "pooling must be one of " + POOLINGS + " when the embedding is pooled from hiddenStates");
    }
    if (head.equals("logits")) {
      require(out.logits() != null, where, "head.type 'logits' needs outputs.logits");
    } else if (head.equals("linear")) {
      require(m.head().file() != null && !m.head().file().isBlank(), where,
          "head.type 'linear' needs head.file, the head.json `streamnlp train` writes");
    } else {
      require(m.head().prototypes() != null && m.head().prototypes().keySet().equals(Set.copyOf(m.labels())),
          where, "head.prototypes must give example sentences for exactly the labels " + m.labels());
      require(m.head().prototypes().values().stream().noneMatch(List::isEmpty), where,
          "every label in head.prototypes needs at least one sentence");
    }
  }

  private static void checkPolarity(ModelManifest m, String where) {
    ModelManifest.Polarity p = m.polarity();
    if (p != null) {
      require(m.labels().contains(p.positive()) && m.labels().contains(p.negative())
          && !p.positive().equals(p.negative()), where, "polarity.positive and polarity.negative must name two "
          + "different labels of " + m.labels());
    }
  }

  private static void require(boolean ok, String where, String what) {
    if (!ok) {
      throw new ModelLoadException("Invalid model manifest " + where + ": " + what + ".");
    }
  }

  public String location() {
    return location;
  }

  public ModelManifest manifest() {
    return manifest;
  }

  public String onnxLocation() {
    return resolve(manifest.files().onnx());
  }

  public String tokenizerLocation() {
    return resolve(manifest.files().tokenizer());
  }

  /**
   * The ONNX file on disk, when the model is not on the classpath: ONNX Runtime loads it from its path, which lets
   * it find external data files (weights stored beside the graph, as exports of large models do) next to it.
   */
  public Optional<Path> onnxFile() {
    String where = onnxLocation();
    if (where.startsWith(CLASSPATH)) {
      return Optional.empty();
    }
    Path path = Path.of(where);
    if (!Files.isRegularFile(path)) {
      throw new ModelLoadException(path.toAbsolutePath() + " does not exist or is not a file. Restore the model's "
          + "ONNX file, or fix files.onnx in " + join(location, "manifest.json") + ".");
    }
    return Optional.of(path);
  }

  public byte[] readOnnx() {
    String where = onnxLocation();
    try (InputStream in = openStream(where)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new ModelLoadException("Cannot read the ONNX model " + where + ": " + e.getMessage(), e);
    }
  }

  public InputStream openTokenizer() {
    return openStream(tokenizerLocation());
  }

  /** A file beside the manifest that a model may or may not ship, such as the recipe's training.json. */
  public Optional<InputStream> openOptional(String file) {
    try {
      return Optional.of(openStream(join(location, file)));
    } catch (ModelLoadException absent) {
      return Optional.empty();
    }
  }

  /** A file of the model (absolute, {@code classpath:}, or relative to the manifest), which must be there. */
  public InputStream openFile(String file) {
    return openStream(resolve(file));
  }

  /** Where a file of the model is: absolute and {@code classpath:} locations as they are, else beside the manifest. */
  public String resolve(String file) {
    return file.startsWith(CLASSPATH) || Path.of(file).isAbsolute() ? file : join(location, file);
  }

  private static String join(String dir, String file) {
    if (dir.startsWith(CLASSPATH)) {
      String base = dir.substring(CLASSPATH.length());
      return CLASSPATH + (base.isEmpty() || base.endsWith("/") ? base : base + "/") + file;
    }
    return Path.of(dir).resolve(file).toString();
  }

  static InputStream openStream(String location) {
    if (location.startsWith(CLASSPATH)) {
      String resource = location.substring(CLASSPATH.length());
      while (resource.startsWith("/")) {
        resource = resource.substring(1);
      }
      InputStream in = ModelDirectory.class.getClassLoader().getResourceAsStream(resource);
      if (in == null) {
        throw new ModelLoadException(location + " is not on the classpath");
      }
      return in;
    }
    Path path = Path.of(location);
    if (!Files.isRegularFile(path)) {
      throw new ModelLoadException(path.toAbsolutePath() + " does not exist or is not a file");
    }
    try {
      return Files.newInputStream(path);
    } catch (IOException e) {
      throw new ModelLoadException("cannot open " + path.toAbsolutePath() + ": " + e.getMessage(), e);
    }
  }
}
