package io.streamnlp.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnlp.avro.ModelInfo;
import io.streamnlp.avro.SourcePosition;
import io.streamnlp.avro.TextEncoding;
import io.streamnlp.config.StreamNlpConfig.SubjectNameStrategy;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class ConfluentAvroSerdeTest {
  private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

  static TextEncoding sample() {
    return TextEncoding.newBuilder()
        .setSource(new SourcePosition("in", 2, 17L, Instant.ofEpochMilli(1_700_000_000_000L)))
        .setKey(ByteBuffer.wrap(new byte[] {1, 2}))
        .setModel(new ModelInfo("m", "1", "attention"))
        .setLabel("positive")
        .setScores(Map.of("negative", 0.1f, "positive", 0.9f))
        .setEmbedding(List.of(0.6f, 0.8f))
        .setTokenCount(5).setTruncated(false).setBatchSize(3).setEncodeLatencyMicros(1234L).setQueuedMillis(7L)
        .build();
  }

  @Test
  void writesMagicByteSchemaIdAndPlainAvroBinary() throws Exception {
    ConfluentAvroSerializer<TextEncoding> ser = new ConfluentAvroSerializer<>(registry, SubjectNameStrategy.TOPIC,
        true, false);
    byte[] bytes = ser.serialize("out", sample());
    int id = registry.idOf("out-value", TextEncoding.getClassSchema());
    assertThat(bytes[0]).isZero();
    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);

    ByteArrayOutputStream avro = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(avro, null);
    GenericData plain = new GenericData();
    plain.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
    new GenericDatumWriter<GenericRecord>(TextEncoding.getClassSchema(), plain).write(sample(), enc);
    enc.flush();
    assertThat(java.util.Arrays.copyOfRange(bytes, 5, bytes.length)).isEqualTo(avro.toByteArray());

    TextEncoding back = new ConfluentAvroDeserializer<TextEncoding>(registry, TextEncoding.getClassSchema())
        .deserialize("out", bytes);
    assertThat(back).isEqualTo(sample());
  }

  @Test
  void namesSubjectsByStrategy() {
    new ConfluentAvroSerializer<TextEncoding>(registry, SubjectNameStrategy.RECORD, true, false)
        .serialize("out", sample());
    new ConfluentAvroSerializer<TextEncoding>(registry, SubjectNameStrategy.TOPIC_RECORD, true, false)
        .serialize("out", sample());
    assertThat(registry.subjects()).containsKeys("io.streamnlp.avro.TextEncoding",
        "out-io.streamnlp.avro.TextEncoding");
  }

  @Test
  void withoutAutoRegisterAnUnregisteredSchemaFails() {
    ConfluentAvroSerializer<TextEncoding> ser = new ConfluentAvroSerializer<>(registry, SubjectNameStrategy.TOPIC,
        false, false);
    assertThatThrownBy(() -> ser.serialize("out", sample())).isInstanceOf(SchemaRegistryException.class);
  }

  @Test
  void rejectsPayloadsThatAreNotWireFormat() {
    ConfluentAvroDeserializer<TextEncoding> de = new ConfluentAvroDeserializer<>(registry, null);
    assertThatThrownBy(() -> de.deserialize("out", new byte[] {1, 0, 0, 0, 1, 2}))
        .isInstanceOf(SerializationException.class).hasMessageContaining("magic byte");
    assertThatThrownBy(() -> de.deserialize("out", new byte[] {0, 0}))
        .isInstanceOf(SerializationException.class).hasMessageContaining("shorter");
  }
}
