package io.streamnlp.stream.internals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compact binary form of a {@link PendingMessage} for the buffer store and its changelog. Hand-written
 * because it is internal, versioned by its first byte, and far smaller than a generic format would be.
 *
 * <p>The deserializer never fails: bytes it cannot read (damaged in the changelog, or written by an
 * incompatible version) come back as an {@linkplain PendingMessage#isUnreadable() unreadable} message holding
 * whatever could be salvaged, which the encoder sends to the dead-letter topic instead of failing the task.
 */
public final class PendingMessageSerde implements Serde<PendingMessage> {
  private static final Logger LOG = LoggerFactory.getLogger(PendingMessageSerde.class);
  private static final byte VERSION = 1;
  /** The first byte of a message that was unreadable when stored: the salvaged bytes follow. */
  private static final byte UNREADABLE = 0;

  @Override
  public Serializer<PendingMessage> serializer() {
    return (topic, m) -> m == null ? null : write(m);
  }

  @Override
  public Deserializer<PendingMessage> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      try {
        return read(bytes);
      } catch (SerializationException e) {
        LOG.warn("An unreadable buffered message in {} goes to the dead-letter topic: {}", topic, e.getMessage());
        return salvage(bytes, e.getMessage());
      }
    };
  }

  /** What can still be read of a damaged buffered message: its key, original value and source, in that order. */
  static PendingMessage salvage(byte[] data, String why) {
    byte[] key = null;
    byte[] value = data;
    SourcePosition source = new SourcePosition("", -1, -1L, -1L);
    if (data.length > 0 && data[0] == UNREADABLE) {
      value = java.util.Arrays.copyOfRange(data, 1, data.length);
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      if (in.readByte() == VERSION) {
        byte[] k = readBytes(in);
        byte[] v = readBytes(in);
        key = k;
        value = v == null ? data : v;
        source = new SourcePosition(in.readUTF(), in.readInt(), in.readLong(), in.readLong());
      }
    } catch (IOException | RuntimeException | OutOfMemoryError e) {
      // Keep what was read before the damage.
    }
    return new PendingMessage(key, value, source, null, null, false, 0L, why);
  }

  static byte[] write(PendingMessage m) {
    if (m.isUnreadable()) {
      // Stays unreadable, with what was salvaged, if it is ever stored again.
      byte[] salvaged = m.originalValue() == null ? new byte[0] : m.originalValue();
      byte[] out = new byte[salvaged.length + 1];
      out[0] = UNREADABLE;
      System.arraycopy(salvaged, 0, out, 1, salvaged.length);
      return out;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + m.tokenIds().length * 4
        + (m.originalValue() == null ? 0 : m.originalValue().length));
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      writeBytes(out, m.key());
      writeBytes(out, m.originalValue());
      out.writeUTF(m.source().topic());
      out.writeInt(m.source().partition());
      out.writeLong(m.source().offset());
      out.writeLong(m.source().timestamp());
      out.writeLong(m.arrivalMs());
      out.writeBoolean(m.truncated());
      out.writeInt(m.tokenIds().length);
      for (long id : m.tokenIds()) {
        out.writeInt(Math.toIntExact(id));
      }
      Header[] headers = m.headers() == null ? new Header[0] : m.headers().toArray();
      out.writeInt(headers.length);
      for (Header h : headers) {
        out.writeUTF(h.key());
        writeBytes(out, h.value());
      }
    } catch (IOException | ArithmeticException e) {
      throw new SerializationException("cannot serialize a buffered message", e);
    }
    return bytes.toByteArray();
  }

  static PendingMessage read(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      byte version = in.readByte();
      if (version != VERSION) {
        throw new SerializationException("unknown buffered message format version " + version);
      }
      byte[] key = readBytes(in);
      byte[] value = readBytes(in);
      SourcePosition source = new SourcePosition(in.readUTF(), in.readInt(), in.readLong(), in.readLong());
      long arrival = in.readLong();
      boolean truncated = in.readBoolean();
      long[] ids = new long[in.readInt()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = in.readInt();
      }
      Headers headers = new RecordHeaders();
      int count = in.readInt();
      for (int i = 0; i < count; i++) {
        headers.add(in.readUTF(), readBytes(in));
      }
      return new PendingMessage(key, value, source, headers, ids, truncated, arrival);
    } catch (IOException e) {
      throw new SerializationException("cannot read a buffered message", e);
    }
  }

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    if (b == null) {
      out.writeInt(-1);
    } else {
      out.writeInt(b.length);
      out.write(b);
    }
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    if (n > in.available()) {
      throw new IOException("a field of " + n + " bytes is longer than what is left");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }
}
