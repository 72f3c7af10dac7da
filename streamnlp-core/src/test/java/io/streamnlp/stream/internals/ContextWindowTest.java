package io.streamnlp.stream.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class ContextWindowTest {

  @Test
  void keepsTheNewestTokensAndDropsThoseOfOldMessages() {
    ContextWindow w = ContextWindow.EMPTY.append(new long[] {1, 2, 3}, 100, 4).append(new long[] {4, 5}, 200, 4);
    assertThat(w.tokens()).containsExactly(2, 3, 4, 5);
    assertThat(w.times()).containsExactly(100, 100, 200, 200);
    assertThat(w.since(150).tokens()).containsExactly(4, 5);
    assertThat(w.since(0)).isSameAs(w);
    assertThat(w.since(201).tokens()).isEmpty();
  }

  @Test
  void aMessageAddsItsOwnTokensAndTheContextYieldsToTheMessage() {
    // [CLS] 7 8 9 [SEP]: only 7 8 9 are kept; a message of special tokens alone adds nothing
    ContextWindow w = ContextWindow.EMPTY.appendMessage(new long[] {101, 7, 8, 9, 102}, 5, 10)
        .appendMessage(new long[] {101, 102}, 6, 10);
    assertThat(w.tokens()).containsExactly(7, 8, 9);
    assertThat(w.times()).containsExactly(5, 5, 5);
    // 10 tokens of input: a 7-token message leaves 2 for context (one goes to the [SEP] between them)
    assertThat(w.tokensFitting(7, 10)).containsExactly(8, 9);
    assertThat(w.tokensFitting(6, 10)).isSameAs(w.tokens());
    assertThat(w.tokensFitting(12, 10)).isEmpty();
  }

  @Test
  void roundTripsThroughItsSerdeAndRejectsDamage() {
    ContextWindow.ContextWindowSerde serde = new ContextWindow.ContextWindowSerde();
    ContextWindow w = new ContextWindow(new long[] {101, 30521, 7}, new long[] {-5, 0, Long.MAX_VALUE});
    byte[] bytes = serde.serializer().serialize("t", w);
    assertThat(bytes).hasSize(1 + 4 + 3 * 12);
    ContextWindow back = serde.deserializer().deserialize("t", bytes);
    assertThat(back.tokens()).containsExactly(w.tokens());
    assertThat(back.times()).containsExactly(w.times());
    assertThatThrownBy(() -> serde.read(Arrays.copyOf(bytes, bytes.length - 1)))
        .isInstanceOf(SerializationException.class).hasMessageContaining("corrupt");
    assertThat(serde.deserializer().deserialize("t", Arrays.copyOf(bytes, bytes.length - 1)))
        .as("a store reading damaged bytes gets the sentinel, not an exception").isSameAs(ContextWindow.UNREADABLE);
    bytes[0] = 2;
    assertThatThrownBy(() -> serde.read(bytes))
        .isInstanceOf(SerializationException.class).hasMessageContaining("version 2");
    assertThat(serde.deserializer().deserialize("t", bytes)).isSameAs(ContextWindow.UNREADABLE);
    byte[] sentinel = serde.serializer().serialize("t", ContextWindow.UNREADABLE);
    assertThat(serde.deserializer().deserialize("t", sentinel)).as("stays unreadable in a store")
        .isSameAs(ContextWindow.UNREADABLE);
  }
}
