package io.streamnlp.jmh;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.streamnlp.bench.BenchTexts;
import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.model.internals.ModelDirectory;
import io.streamnlp.model.internals.ModelManifest;
import io.streamnlp.model.internals.OnnxModel;
import io.streamnlp.model.internals.RecurrentEncoder;
import io.streamnlp.model.internals.RecurrentResult;
import io.streamnlp.text.internals.TokenizedText;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The stream's hot path for encoder=rnn, one batch of short messages: tokenize + encode from each key's state
 * (what a micro-batch does), encode alone, and the baseline, one ONNX Runtime call on the same model with the
 * same input tensors built once (what no wrapper can beat).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GruEncodeBenchmark {
  @Param({"1", "32"})
  public int batch;

  private OnnxModel model;
  private RecurrentEncoder encoder;
  private List<String> texts;
  private List<TokenizedText> tokenized;
  private List<float[]> states;
  private OrtEnvironment env;
  private OrtSession raw;
  private Map<String, OnnxTensor> inputs;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    ModelDirectory dir = ModelDirectory.open(StreamNlpConfig.RNN_MODEL_DIR_DEFAULT);
    model = OnnxModel.load(dir, OnnxModel.RuntimeOptions.cpu(), 128);
    encoder = model.newRecurrentEncoder(batch);
    texts = new ArrayList<>();
    for (int i = 0; i < batch; i++) {
      texts.add(BenchTexts.SENTENCES.get(i % BenchTexts.SENTENCES.size()));
    }
    tokenized = BenchTexts.tokenized(model.tokenizer(), texts);
    int stateSize = dir.manifest().state().size();
    states = new ArrayList<>();
    for (int i = 0; i < batch; i++) {
      states.add(new float[stateSize]);
    }
    env = OrtEnvironment.getEnvironment();
    // The same thread count the encoder's session gets, so the baseline differs from it only by the wrapper.
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(OnnxModel.RuntimeOptions.cpu().intraOpThreadsOrDefault());
    raw = env.createSession(dir.readOnnx(), options);
    int longest = tokenized.stream().mapToInt(TokenizedText::length).max().orElse(1);
    long[] ids = new long[batch * longest];
    long[] lengths = new long[batch];
    for (int b = 0; b < batch; b++) {
      long[] t = tokenized.get(b).ids();
      System.arraycopy(t, 0, ids, b * longest, t.length);
      lengths[b] = t.length;
    }
    ModelManifest.Inputs in = dir.manifest().inputs();
    ModelManifest.State st = dir.manifest().state();
    inputs = Map.of(
        in.inputIds(), OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {batch, longest}),
        in.lengths(), OnnxTensor.createTensor(env, LongBuffer.wrap(lengths), new long[] {batch}),
        in.initialState(), OnnxTensor.createTensor(env, FloatBuffer.allocate(st.layers() * batch * st.hiddenSize()),
            new long[] {st.layers(), batch, st.hiddenSize()}));
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    inputs.values().forEach(OnnxTensor::close);
    raw.close();
    encoder.close();
    model.close();
  }

  @Benchmark
  public List<RecurrentResult> tokenizeAndEncode() throws Exception {
    return encoder.encode(BenchTexts.tokenized(model.tokenizer(), texts), states);
  }

  @Benchmark
  public List<RecurrentResult> encode() throws Exception {
    return encoder.encode(tokenized, states);
  }

  @Benchmark
  public Object baselineOnnxRuntimeRun() throws Exception {
    try (OrtSession.Result r = raw.run(inputs)) {
      return r.get(0).getValue();
    }
  }
}
