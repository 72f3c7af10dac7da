package io.streamnlp.stream.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class PendingMessageSerdeTest {

  @Test
  void roundTripsEveryFieldIncludingNullKeyAndHeaders() {
    RecordHeaders headers = new RecordHeaders();
    headers.add("trace", "t-1".getBytes(StandardCharsets.UTF_8));
    headers.add("empty", null);
    PendingMessage m = new PendingMessage(null, "héllo".getBytes(StandardCharsets.UTF_8),
        new SourcePosition("topic-ü", 3, 12345678901L, 1_700_000_000_123L), headers,
        new long[] {101, 7592, 30521, 102}, true, 42L);
    PendingMessage back = PendingMessageSerde.read(PendingMessageSerde.write(m));
    assertThat(back.key()).isNull();
    assertThat(back.originalValue()).isEqualTo(m.originalValue());
    assertThat(back.source()).isEqualTo(m.source());
    assertThat(back.tokenIds()).containsExactly(101, 7592, 30521, 102);
    assertThat(back.truncated()).isTrue();
    assertThat(back.arrivalMs()).isEqualTo(42L);
    assertThat(back.headers().toArray()).hasSize(2);
    assertThat(back.headers().lastHeader("trace").value()).isEqualTo("t-1".getBytes(StandardCharsets.UTF_8));
    assertThat(back.headers().lastHeader("empty").value()).isNull();
  }

  @Test
  void rejectsAnUnknownFormatVersion() {
    byte[] bytes = PendingMessageSerde.write(new PendingMessage(new byte[] {1}, null,
        new SourcePosition("t", 0, 0, 0), null, new long[] {1}, false, 0));
    bytes[0] = 9;
    assertThatThrownBy(() -> PendingMessageSerde.read(bytes)).isInstanceOf(SerializationException.class)
        .hasMessageContaining("version 9");
  }

  @Test
  void aDamagedMessageComesBackUnreadableWithWhatCouldBeSalvaged() {
    PendingMessage m = new PendingMessage("k".getBytes(StandardCharsets.UTF_8),
        "the original text".getBytes(StandardCharsets.UTF_8), new SourcePosition("in", 2, 77, 5), null,
        new long[] {101, 2000, 102}, false, 9);
    byte[] bytes = PendingMessageSerde.write(m);
    byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 10);
    PendingMessage back = new PendingMessageSerde().deserializer().deserialize("changelog", cut);
    assertThat(back.isUnreadable()).isTrue();
    assertThat(back.key()).isEqualTo(m.key());
    assertThat(back.originalValue()).isEqualTo(m.originalValue());
    assertThat(back.source()).isEqualTo(m.source());

    byte[] garbage = {7, 1, 2, 3};
    PendingMessage lost = new PendingMessageSerde().deserializer().deserialize("changelog", garbage);
    assertThat(lost.isUnreadable()).isTrue();
    assertThat(lost.originalValue()).as("the stored bytes, when nothing can be read").isEqualTo(garbage);
    assertThat(lost.source().offset()).isEqualTo(-1L);
  }
}
