package io.streamnlp.stream.internals;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frame the compact state serdes share: a leading format version byte, nulls passed through, and every
 * decoding problem (other version, truncated or trailing bytes) reported by {@link #read} as a
 * {@link SerializationException} that names the type. Subclasses write and read only the body.
 *
 * <p>A subclass whose values can be rebuilt from nothing (a key's RNN state, a context window) names an
 * {@link #unreadable()} sentinel: its deserializer then answers the sentinel for bytes it cannot read (damaged
 * in a changelog, or written by an incompatible version) instead of failing the task, and the sentinel itself
 * is stored as a frame no version reads.
 */
abstract class VersionedBinarySerde<T> implements Serde<T> {
  private static final Logger LOG = LoggerFactory.getLogger(VersionedBinarySerde.class);
  private static final byte VERSION = 1;
  /** The frame of an unreadable value: a version that was never written. */
  private static final byte[] UNREADABLE_FRAME = {0};
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

  /** The value that stands for bytes that cannot be read, or null when such bytes must fail (the default). */
  T unreadable() {
    return null;
  }

  @Override
  public final Serializer<T> serializer() {
    return (topic, value) -> value == null ? null : write(value);
  }

  @Override
  public final Deserializer<T> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      T sentinel = unreadable();
      if (sentinel == null) {
        return read(bytes);
      }
      try {
        return read(bytes);
      } catch (SerializationException e) {
        LOG.warn("An unreadable {} in {} is dropped: {}", what, topic, e.getMessage());
        return sentinel;
      }
    };
  }

  final byte[] write(T value) {
    if (value == unreadable()) {
      return UNREADABLE_FRAME.clone();
    }
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
