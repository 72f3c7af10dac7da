package io.streamnlp.stream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Compact binary form of an {@link RnnState} for the state store and its changelog: a version byte, the
 * model's name and version, steps, update time and the raw float32 state (4 bytes per float, about 2 KiB for
 * the shipped GRU). Hand-written: it is internal, read on every message, and a generic format would add
 * per-float overhead.
 */
public final class RnnStateSerde implements Serde<RnnState> {
  private static final byte VERSION = 1;

  @Override
  public Serializer<RnnState> serializer() {
    return (topic, s) -> s == null ? null : write(s);
  }

  @Override
  public Deserializer<RnnState> deserializer() {
    return (topic, bytes) -> bytes == null ? null : read(bytes);
  }

  static byte[] write(RnnState s) {
    byte[] name = s.modelName().getBytes(StandardCharsets.UTF_8);
    byte[] version = s.modelVersion().getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(1 + 4 + name.length + 4 + version.length + 8 + 8 + 4
        + 4 * s.state().length);
    out.put(VERSION).putInt(name.length).put(name).putInt(version.length).put(version)
        .putLong(s.steps()).putLong(s.updatedMs()).putInt(s.state().length);
    out.asFloatBuffer().put(s.state());
    return out.array();
  }

  static RnnState read(byte[] bytes) {
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      byte version = in.get();
      if (version != VERSION) {
        throw new SerializationException("unknown RNN state format version " + version);
      }
      String name = string(in);
      String modelVersion = string(in);
      long steps = in.getLong();
      long updated = in.getLong();
      float[] state = new float[in.getInt()];
      // The float view reads without moving the outer buffer, so what remains must be exactly the floats.
      in.asFloatBuffer().get(state);
      if (in.remaining() != 4 * state.length) {
        throw new SerializationException("RNN state of " + bytes.length + " bytes has trailing data");
      }
      return new RnnState(name, modelVersion, steps, updated, state);
    } catch (RuntimeException e) {
      if (e instanceof SerializationException se) {
        throw se;
      }
      throw new SerializationException("corrupt RNN state (" + bytes.length + " bytes)", e);
    }
  }

  private static String string(ByteBuffer in) {
    byte[] b = new byte[in.getInt()];
    in.get(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
