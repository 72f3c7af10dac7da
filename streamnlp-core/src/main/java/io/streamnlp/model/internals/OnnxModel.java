package io.streamnlp.model.internals;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.streamnlp.model.ModelInfo;
import io.streamnlp.model.ModelLoadException;
import io.streamnlp.text.RejectedInputException;
import io.streamnlp.text.internals.HuggingFaceTextTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model directory loaded once per application: the ONNX Runtime session (expensive, thread-safe, shared
 * by all stream threads), the tokenizer and the manifest, checked against each other at load time so a
 * mismatch fails at start-up rather than on the first record.
 */
public final class OnnxModel implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxModel.class);

  private final ModelDirectory directory;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final HuggingFaceTextTokenizer tokenizer;
  private final int maxTokens;
  private final ModelInfo info;
  private String executionProvider;
  private final boolean groupByLength;
  private LinearHead head;
  /** How many logits the model's logits output gives per message; 0 without one. */
  private int logitsWidth;

  /**
   * How to run the model. {@code intraOpThreads} 0 means one per processor the JVM may use (which follows
   * container CPU limits); ONNX Runtime's own choice is not used, because on a 2-vCPU machine it picked one
   * thread and ran a batch of 32 at half the speed of two. With {@code fallbackToCpu}, a
   * CUDA provider that cannot start is replaced by the CPU (logged as an error) instead of failing start-up.
   * With {@code groupByLength} (the default), encoders split a batch into calls of similar lengths
   * ({@link LengthGroups}); without, a batch is one call padded to its longest message. Without
   * {@code intraOpSpinning}, ONNX Runtime's worker threads sleep between operators instead of spin-waiting.
   */
  public record RuntimeOptions(String executionProvider, int deviceId, int intraOpThreads, boolean fallbackToCpu,
                               boolean groupByLength, boolean intraOpSpinning) {
    public RuntimeOptions(String executionProvider, int deviceId, int intraOpThreads, boolean fallbackToCpu) {
      this(executionProvider, deviceId, intraOpThreads, fallbackToCpu, true, true);
    }

    public RuntimeOptions(String executionProvider, int deviceId, int intraOpThreads) {
      this(executionProvider, deviceId, intraOpThreads, false);
    }

    public static RuntimeOptions cpu() {
      return new RuntimeOptions("cpu", 0, 0);
    }

    /** The intra-op thread count the session gets. */
    public int intraOpThreadsOrDefault() {
      return intraOpThreads > 0 ? intraOpThreads : Runtime.getRuntime().availableProcessors();
    }
  }

  private java.time.Duration loadTime = java.time.Duration.ZERO;

  private OnnxModel(ModelDirectory directory, OrtEnvironment env, OrtSession session,
                    HuggingFaceTextTokenizer tokenizer, int maxTokens, boolean groupByLength) {
    this.directory = directory;
    this.env = env;
    this.session = session;
    this.tokenizer = tokenizer;
    this.maxTokens = maxTokens;
    this.groupByLength = groupByLength;
    ModelManifest m = directory.manifest();
    this.info = new ModelInfo(m.name(), m.version(), m.kind(), m.labels(), m.embeddingDim(),
        polarLabels(m));
  }

  /**
   * Loads and checks a model.
   *
   * @param maxTokens the configured token limit; must not exceed the manifest's
   */
  public static OnnxModel load(ModelDirectory directory, RuntimeOptions runtime, int maxTokens) {
    ModelManifest m = directory.manifest();
    if (maxTokens > m.maxTokens()) {
      throw new ModelLoadException("max.tokens=" + maxTokens + " exceeds the limit of model '" + m.name()
          + "' (" + m.maxTokens() + "). Set max.tokens to at most " + m.maxTokens() + ".");
    }
    long start = System.nanoTime();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    // From its path when on disk, so that ONNX Runtime finds external data beside it; from bytes when packaged.
    java.util.Optional<java.nio.file.Path> file = directory.onnxFile();
    byte[] onnx = file.isPresent() ? null : directory.readOnnx();
    OrtSession session;
    String[] provider = {runtime.executionProvider().toLowerCase(Locale.ROOT)};
    try (OrtSession.SessionOptions opts = sessionOptions(runtime, m, provider)) {
      session = file.isPresent() ? env.createSession(file.get().toString(), opts) : env.createSession(onnx, opts);
    } catch (OrtException e) {
      long size = onnx != null ? onnx.length : file.get().toFile().length();
      throw new ModelLoadException("ONNX Runtime cannot load " + directory.onnxLocation() + " (" + size
          + " bytes): " + e.getMessage() + ". The file (or an external data file it names) is missing, truncated "
          + "or not an ONNX model; restore it from the model's source (see the manifest) or point model.dir "
          + "elsewhere.", e);
    }
    HuggingFaceTextTokenizer tokenizer;
    try (InputStream in = directory.openTokenizer()) {
      tokenizer = HuggingFaceTextTokenizer.load(in, maxTokens);
    } catch (IOException | RuntimeException e) {
      closeQuietly(session);
      throw new ModelLoadException("Cannot load the tokenizer " + directory.tokenizerLocation() + ": "
          + e.getMessage() + ". It must be a Hugging Face tokenizer.json.", e);
    }
    OnnxModel model = new OnnxModel(directory, env, session, tokenizer, maxTokens, runtime.groupByLength());
    model.executionProvider = provider[0];
    try {
      model.checkSignature();
      model.head = model.loadHead();
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    model.loadTime = java.time.Duration.ofNanos(System.nanoTime() - start);
    LOG.info("Loaded model {} {} ({}) from {} on {} in {} ms", m.name(), m.version(), m.kind(),
        directory.location(), provider[0], model.loadTime.toMillis());
    return model;
  }

  /** How many logits the model's logits output gives per message, 0 when it has none. */
  public int logitsWidth() {
    return logitsWidth;
  }

  /** How long loading and checking the model took. */
  public java.time.Duration loadTime() {
    return loadTime;
  }

  /** @param provider receives the provider actually used ("cpu" after a fallback) */
  private static OrtSession.SessionOptions sessionOptions(RuntimeOptions runtime, ModelManifest m,
                                                          String[] provider) throws OrtException {
    OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
    opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    for (Map.Entry<String, String> entry : m.sessionOptions().entrySet()) {
      opts.addConfigEntry(entry.getKey(), entry.getValue());
    }
    opts.setIntraOpNumThreads(runtime.intraOpThreadsOrDefault());
    if (!runtime.intraOpSpinning()) {
      opts.addConfigEntry("session.intra_op.allow_spinning", "0");
    }
    switch (runtime.executionProvider().toLowerCase(Locale.ROOT)) {
      case "cpu":
        break;
      case "cuda":
        try {
          opts.addCUDA(runtime.deviceId());
        } catch (OrtException | RuntimeException e) {
          if (runtime.fallbackToCpu()) {
            LOG.error("execution.provider=cuda: ONNX Runtime cannot start its CUDA execution provider on "
                + "device {} ({}). RUNNING ON THE CPU INSTEAD because execution.provider.fallback=true; expect "
                + "much lower throughput. Build with 'mvn -Pcuda' and install the NVIDIA driver, CUDA 12 and "
                + "cuDNN 9 to use the GPU.", runtime.deviceId(), e.getMessage());
            provider[0] = "cpu";
            break;
          }
          opts.close();
          throw new ModelLoadException("execution.provider=cuda, but ONNX Runtime cannot start its CUDA "
              + "execution provider on device " + runtime.deviceId() + ": " + e.getMessage() + ". Build with "
              + "'mvn -Pcuda' (onnxruntime_gpu), install the NVIDIA driver, CUDA 12 and cuDNN 9, or set "
              + "execution.provider=cpu.", e);
        }
        break;
      default:
        opts.close();
        throw new ModelLoadException("unknown execution.provider '" + runtime.executionProvider() + "'");
    }
    return opts;
  }

  private void checkSignature() {
    ModelManifest m = directory.manifest();
    Map<String, NodeInfo> inputs;
    Map<String, NodeInfo> outputs;
    try {
      inputs = session.getInputInfo();
      outputs = session.getOutputInfo();
    } catch (OrtException e) {
      throw new ModelLoadException("cannot read the inputs and outputs of " + directory.onnxLocation(), e);
    }
    String fix = ". Make manifest.json name the model's real inputs " + inputs.keySet() + " and outputs "
        + outputs.keySet() + ".";
    List<String> declaredInputs = m.inputs().declared();
    for (String in : declaredInputs) {
      if (!inputs.containsKey(in)) {
        throw new ModelLoadException("Model " + m.name() + " has no input '" + in + "'" + fix);
      }
    }
    for (String in : inputs.keySet()) {
      if (!declaredInputs.contains(in)) {
        throw new ModelLoadException("Model " + m.name() + " needs input '" + in
            + "' that the manifest does not map" + fix);
      }
    }
    ModelManifest.Outputs o = m.outputs();
    for (String out : o.declared()) {
      if (!outputs.containsKey(out)) {
        throw new ModelLoadException("Model " + m.name() + " has no output '" + out + "'" + fix);
      }
    }
    if (m.isRecurrent()) {
      checkStateShape(m, m.inputs().initialState(), inputs.get(m.inputs().initialState()));
      checkStateShape(m, o.finalState(), outputs.get(o.finalState()));
    }
    String embeddingOutput = o.embedding() != null ? o.embedding() : o.hiddenStates();
    long[] shape = embeddingOutput == null ? new long[] {0}
        : ((TensorInfo) outputs.get(embeddingOutput).getInfo()).getShape();
    long dim = shape[shape.length - 1];
    if (embeddingOutput != null && dim > 0 && dim != m.embeddingDim()) {
      throw new ModelLoadException("Model " + m.name() + " output '" + embeddingOutput + "' has " + dim
          + " features but the manifest says embeddingDim=" + m.embeddingDim() + ". Correct embeddingDim.");
    }
    if (o.logits() != null) {
      long[] logits = ((TensorInfo) outputs.get(o.logits()).getInfo()).getShape();
      long classes = logits[logits.length - 1];
      if ("linear".equalsIgnoreCase(m.head().type())) {
        // A trained head may read the model's own class probabilities: their number must be fixed.
        if (classes <= 0) {
          throw new ModelLoadException("Model " + m.name() + " gives logits of no fixed width, which its linear "
              + "head cannot read. Remove outputs.logits from the manifest, or retrain on the embedding alone.");
        }
        logitsWidth = (int) classes;
      } else if (classes > 0 && classes != m.labels().size()) {
        throw new ModelLoadException("Model " + m.name() + " gives " + classes + " logits but the manifest "
            + "lists " + m.labels().size() + " labels " + m.labels() + ". Correct labels.");
      } else {
        logitsWidth = m.labels().size();
      }
    }
  }

  /** A state tensor must be [layers, batch, hiddenSize]; dynamic (-1) dimensions are accepted. */
  private static void checkStateShape(ModelManifest m, String name, NodeInfo node) {
    long[] shape = ((TensorInfo) node.getInfo()).getShape();
    boolean ok = shape.length == 3
        && (shape[0] < 0 || shape[0] == m.state().layers())
        && (shape[2] < 0 || shape[2] == m.state().hiddenSize());
    if (!ok) {
      throw new ModelLoadException("Model " + m.name() + " state '" + name + "' has shape "
          + java.util.Arrays.toString(shape) + " but the manifest says state.layers=" + m.state().layers()
          + " and state.hiddenSize=" + m.state().hiddenSize() + " ([layers, batch, hiddenSize]). Correct state.");
    }
  }

  /**
   * The head on the embedding, or null for a 'logits' head. For the 'prototype' head each label's prototype is
   * the normalised mean embedding of its example sentences, embedded by this very model, so the head needs no
   * trained weights; a 'linear' head is read from the file the manifest names (written by {@code train}).
   */
  private LinearHead loadHead() {
    ModelManifest m = directory.manifest();
    String type = m.head().type().toLowerCase(Locale.ROOT);
    if (type.equals("linear")) {
      return LinearHead.File.read(directory.openFile(m.head().file()), directory.resolve(m.head().file()),
          m.labels(), m.embeddingDim(), logitsWidth);
    }
    if (!type.equals("prototype")) {
      return null;
    }
    float[][] result = new float[m.labels().size()][];
    try (TextEncoder encoder = newEncoder(1, null, false)) {
      for (int l = 0; l < result.length; l++) {
        float[] sum = new float[m.embeddingDim()];
        for (String sentence : m.head().prototypes().get(m.labels().get(l))) {
          float[] e = encoder.encode(List.of(tokenizer.tokenize(sentence))).get(0).embedding();
          for (int d = 0; d < sum.length; d++) {
            sum[d] += e[d];
          }
        }
        Vectors.normalize(sum);
        result[l] = sum;
      }
    } catch (EncodingException | RejectedInputException e) {
      throw new ModelLoadException("Model " + m.name() + " cannot embed its own head.prototypes sentences: "
          + e.getMessage(), e);
    }
    Double t = m.head().temperature();
    return new LinearHead(result, new float[result.length], (float) (t == null ? 1.0 : t), false);
  }

  /**
   * A new encoder with its own buffers for batches of up to {@code maxBatch} messages: a
   * {@link RecurrentEncoder} (each message from the zero state) for 'rnn' models. It splits batches by
   * length as the runtime options say.
   */
  public TextEncoder newEncoder(int maxBatch) {
    return newEncoder(maxBatch, groupByLength);
  }

  /**
   * As {@link #newEncoder(int)}, choosing whether batches are split into calls of similar lengths
   * ({@link LengthGroups}) or run as one call padded to the longest message (to measure what grouping gains).
   */
  public TextEncoder newEncoder(int maxBatch, boolean groupByLength) {
    return newEncoder(maxBatch, head, groupByLength);
  }

  /**
   * An attention encoder whose results also carry each token's attention weight (explanations).
   *
   * @throws ModelLoadException when the model is recurrent or its manifest names no attention output
   */
  public TextEncoder newExplainingEncoder(int maxBatch) {
    return newContextualEncoder(maxBatch, true);
  }

  /**
   * An attention encoder that also takes each message's context (earlier tokens of its key).
   *
   * @param explain also give each token's attention weight
   */
  public ContextualEncoder newContextualEncoder(int maxBatch, boolean explain) {
    return newContextualEncoder(maxBatch, explain, groupByLength);
  }

  /** As {@link #newContextualEncoder(int, boolean)}, choosing length grouping as {@link #newEncoder(int, boolean)}. */
  public ContextualEncoder newContextualEncoder(int maxBatch, boolean explain, boolean groupByLength) {
    if (manifest().isRecurrent()) {
      throw new ModelLoadException("Model " + info.name() + " is recurrent: it carries context in its state and "
          + "has no attention weights");
    }
    return new TransformerEncoder(this, maxBatch, head, explain, groupByLength);
  }

  /** The token id that separates a context from the message after it. */
  long separatorId() {
    return tokenizer.separatorId();
  }

  private TextEncoder newEncoder(int maxBatch, LinearHead head, boolean groupByLength) {
    return manifest().isRecurrent() ? new RecurrentEncoder(this, maxBatch, head, groupByLength)
        : new TransformerEncoder(this, maxBatch, head, false, groupByLength);
  }

  /** A new recurrent encoder, which takes and returns each message's hidden state. */
  public RecurrentEncoder newRecurrentEncoder(int maxBatch) {
    return newRecurrentEncoder(maxBatch, groupByLength);
  }

  /** As {@link #newRecurrentEncoder(int)}, choosing length grouping as {@link #newEncoder(int, boolean)}. */
  public RecurrentEncoder newRecurrentEncoder(int maxBatch, boolean groupByLength) {
    if (!manifest().isRecurrent()) {
      throw new IllegalStateException("Model " + info.name() + " is of kind '" + info.kind()
          + "', not 'rnn'; it has no hidden state to carry");
    }
    return new RecurrentEncoder(this, maxBatch, head, groupByLength);
  }

  public ModelInfo info() {
    return info;
  }

  /** The execution provider the model runs on: the configured one, or "cpu" after a fallback. */
  public String executionProvider() {
    return executionProvider;
  }

  public ModelManifest manifest() {
    return directory.manifest();
  }

  public HuggingFaceTextTokenizer tokenizer() {
    return tokenizer;
  }

  public int maxTokens() {
    return maxTokens;
  }

  OrtEnvironment env() {
    return env;
  }

  OrtSession session() {
    return session;
  }

  @Override
  public void close() {
    tokenizer.close();
    closeQuietly(session);
  }

  private static void closeQuietly(OrtSession session) {
    try {
      session.close();
    } catch (OrtException e) {
      LOG.warn("Closing the ONNX Runtime session failed", e);
    }
  }

  /** The manifest's polar labels as indices into its labels, or null when it declares none. */
  private static ModelInfo.PolarLabels polarLabels(ModelManifest m) {
    return m.polarity() == null ? null : new ModelInfo.PolarLabels(m.labels().indexOf(m.polarity().positive()),
        m.labels().indexOf(m.polarity().negative()));
  }
}
