package io.streamnlp.model.internals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;

/** Native-order direct buffers that ONNX Runtime reads inputs from and writes pinned outputs into. */
final class DirectBuffers {
  private DirectBuffers() {}

  static LongBuffer longs(int n) {
    return ByteBuffer.allocateDirect(n * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
  }

  static FloatBuffer floats(int n) {
    return ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  /** The first {@code n} elements of {@code buffer} as a buffer of its own (position 0, limit n). */
  static FloatBuffer window(FloatBuffer buffer, int n) {
    FloatBuffer w = buffer.duplicate();
    w.clear().limit(n);
    return w.slice();
  }

  static int product(long[] shape) {
    long p = 1;
    for (long s : shape) {
      p *= s;
    }
    return Math.toIntExact(p);
  }
}
