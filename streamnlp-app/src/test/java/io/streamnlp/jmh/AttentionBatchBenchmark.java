package io.streamnlp.jmh;

import io.streamnlp.bench.BenchTexts;
import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.model.internals.ModelDirectory;
import io.streamnlp.model.internals.OnnxModel;
import io.streamnlp.model.internals.TextEncoder;
import io.streamnlp.text.internals.TokenizedText;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The attention encoder on one batch of 32 messages of mixed lengths (8 to 64 tokens, shuffled): the baseline
 * is the float model with the batch run as one call padded to its longest message (what the stream did before
 * length grouping); then calls of similar lengths, and the same with the int8 model.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class AttentionBatchBenchmark {
  private static final int BATCH = 32;

  private OnnxModel floatModel;
  private OnnxModel int8Model;
  private TextEncoder padded;
  private TextEncoder grouped;
  private TextEncoder int8Grouped;
  private List<TokenizedText> batch;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    floatModel = OnnxModel.load(ModelDirectory.open(StreamNlpConfig.ATTENTION_MODEL_DIR_DEFAULT),
        OnnxModel.RuntimeOptions.cpu(), 128);
    int8Model = OnnxModel.load(ModelDirectory.open(StreamNlpConfig.ATTENTION_INT8_MODEL_DIR),
        OnnxModel.RuntimeOptions.cpu(), 128);
    padded = floatModel.newEncoder(BATCH, false);
    grouped = floatModel.newEncoder(BATCH, true);
    int8Grouped = int8Model.newEncoder(BATCH, true);
    batch = BenchTexts.tokenized(floatModel.tokenizer(), BenchTexts.mixed(floatModel.tokenizer(), 8, 64, BATCH, 13));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    padded.close();
    grouped.close();
    int8Grouped.close();
    floatModel.close();
    int8Model.close();
  }

  @Benchmark
  public Object baselinePaddedToLongest() throws Exception {
    return padded.encode(batch);
  }

  @Benchmark
  public Object groupedByLength() throws Exception {
    return grouped.encode(batch);
  }

  @Benchmark
  public Object int8GroupedByLength() throws Exception {
    return int8Grouped.encode(batch);
  }
}
