package io.streamnlp.stream;

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

/**
 * Compact binary form of a {@link PendingMessage} for the buffer store and its changelog. Hand-written
 * because it is internal, versioned by its first byte, and far smaller than a generic format would be.
 */
public final class PendingMessageSerde implements Serde<PendingMessage> {
  private static final byte VERSION = 1;

  @Override
  public Serializer<PendingMessage> serializer() {
    return (topic, m) -> m == null ? null : write(m);
  }

  @Override
  public Deserializer<PendingMessage> deserializer() {
    return (topic, bytes) -> bytes == null ? null : read(bytes);
  }

  static byte[] write(PendingMessage m) {
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
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }
}
