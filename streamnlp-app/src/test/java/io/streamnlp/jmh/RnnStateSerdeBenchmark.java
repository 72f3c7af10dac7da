package io.streamnlp.jmh;

import io.streamnlp.stream.internals.RnnState;
import io.streamnlp.stream.internals.RnnStateSerde;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A key's hidden state crosses the store (and its changelog) twice per message: read, then written. The
 * baseline copies the same floats through a ByteBuffer and back, the least any binary format must do.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RnnStateSerdeBenchmark {
  private final Serializer<RnnState> write = new RnnStateSerde().serializer();
  private final Deserializer<RnnState> read = new RnnStateSerde().deserializer();
  private RnnState state;
  private byte[] stored;
  private ByteBuffer buffer;

  @Setup
  public void setUp() {
    float[] h = new float[2 * 256];
    Random random = new Random(13);
    for (int i = 0; i < h.length; i++) {
      h[i] = random.nextFloat() * 2 - 1;
    }
    state = new RnnState("gru-sentiment3", "1.0.0", 42, 1_700_000_000_000L, h);
    stored = write.serialize("", state);
    buffer = ByteBuffer.allocate(h.length * 4);
  }

  @Benchmark
  public RnnState storeRoundTrip() {
    byte[] bytes = write.serialize("", state);
    return read.deserialize("", stored.length == bytes.length ? bytes : stored);
  }

  @Benchmark
  public float[] baselineFloatCopy() {
    buffer.clear();
    buffer.asFloatBuffer().put(state.state());
    float[] back = new float[state.state().length];
    buffer.asFloatBuffer().get(back);
    return back;
  }
}
