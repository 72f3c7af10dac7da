package io.streamnlp.serde.internals;

import java.nio.ByteBuffer;

/**
 * Confluent's wire format: magic byte 0, the schema id as a 4-byte big-endian int, then the Avro binary
 * encoding of the datum. Documented at docs.confluent.io under "Wire format".
 */
public final class ConfluentWireFormat {
  public static final byte MAGIC_BYTE = 0;
  public static final int HEADER_SIZE = 5;

  private ConfluentWireFormat() {}

  /** Reads the schema id of a wire-format payload, or throws if the payload is not in the format. */
  public static int schemaId(byte[] payload) {
    if (payload == null || payload.length < HEADER_SIZE) {
      throw new IllegalArgumentException("payload is shorter than the 5-byte Confluent header");
    }
    if (payload[0] != MAGIC_BYTE) {
      throw new IllegalArgumentException("unknown magic byte " + payload[0] + " (expected 0)");
    }
    return ByteBuffer.wrap(payload, 1, 4).getInt();
  }

  public static void writeHeader(ByteBuffer out, int schemaId) {
    out.put(MAGIC_BYTE).putInt(schemaId);
  }
}
