package io.streamnlp.stream.internals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Compact binary form of an {@link RnnState} for the state store and its changelog: the model's name and
 * version, steps, update time and the raw float32 state (4 bytes per float, about 2 KiB for the shipped GRU).
 * Hand-written: it is internal, read on every message, and a generic format would add per-float overhead.
 */
public final class RnnStateSerde extends VersionedBinarySerde<RnnState> {

  public RnnStateSerde() {
    super("RNN state");
  }

  @Override
  RnnState unreadable() {
    return RnnState.UNREADABLE;
  }

  @Override
  int bodySize(RnnState s) {
    return 4 + utf8(s.modelName()).length + 4 + utf8(s.modelVersion()).length + 8 + 8 + 4 + 4 * s.state().length;
  }

  @Override
  void writeBody(RnnState s, ByteBuffer out) {
    byte[] name = utf8(s.modelName());
    byte[] version = utf8(s.modelVersion());
    out.putInt(name.length).put(name).putInt(version.length).put(version)
        .putLong(s.steps()).putLong(s.updatedMs()).putInt(s.state().length);
    // Bulk copy through a float view, which does not move the byte buffer's position itself.
    out.asFloatBuffer().put(s.state());
    out.position(out.position() + 4 * s.state().length);
  }

  @Override
  RnnState readBody(ByteBuffer in) {
    String name = string(in);
    String modelVersion = string(in);
    long steps = in.getLong();
    long updated = in.getLong();
    float[] state = new float[in.getInt()];
    in.asFloatBuffer().get(state);
    in.position(in.position() + 4 * state.length);
    return new RnnState(name, modelVersion, steps, updated, state);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String string(ByteBuffer in) {
    byte[] b = new byte[in.getInt()];
    in.get(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
