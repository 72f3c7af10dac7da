package io.streamnlp.stream;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The frame the compact state serdes share: a leading format version byte, nulls passed through, and every
 * decoding problem (other version, truncated or trailing bytes) reported as a {@link SerializationException}
 * that names the type. Subclasses write and read only the body.
 */
abstract class VersionedBinarySerde<T> implements Serde<T> {
  private static final byte VERSION = 1;
  private final String what;

  /** @param what the type's name in error messages ("RNN state") */
  VersionedBinarySerde(String what) {
    this.what = what;
  }

  /** Bytes the body of {@code value} takes. */
  abstract int bodySize(T value);

  abstract void writeBody(T value, ByteBuffer out);

  /** Reads the body; must consume exactly what {@link #writeBody} wrote. */
  abstract T readBody(ByteBuffer in);

  @Override
  public final Serializer<T> serializer() {
    return (topic, value) -> value == null ? null : write(value);
  }

  @Override
  public final Deserializer<T> deserializer() {
    return (topic, bytes) -> bytes == null ? null : read(bytes);
  }

  final byte[] write(T value) {
    ByteBuffer out = ByteBuffer.allocate(1 + bodySize(value));
    writeBody(value, out.put(VERSION));
    return out.array();
  }

  final T read(byte[] bytes) {
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      byte version = in.get();
      if (version != VERSION) {
        throw new SerializationException("unknown " + what + " format version " + version);
      }
      T value = readBody(in);
      if (in.hasRemaining()) {
        throw new SerializationException(what + " of " + bytes.length + " bytes has trailing data");
      }
      return value;
    } catch (SerializationException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new SerializationException("corrupt " + what + " (" + bytes.length + " bytes)", e);
    }
  }
}
