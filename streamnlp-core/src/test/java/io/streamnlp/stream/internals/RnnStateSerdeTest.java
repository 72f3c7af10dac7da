package io.streamnlp.stream.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class RnnStateSerdeTest {
  private final RnnStateSerde serde = new RnnStateSerde();

  @Test
  void roundTripsExactlyAndStaysCompact() {
    float[] state = new float[512];
    for (int i = 0; i < state.length; i++) {
      state[i] = (float) Math.sin(i) * 1e-3f * i;
    }
    state[7] = Float.MIN_VALUE;
    state[8] = -0f;
    RnnState s = new RnnState("gru-sentiment3", "1.0.0", 12_345_678_901L, 1_700_000_000_123L, state);
    byte[] bytes = serde.serializer().serialize("t", s);
    assertThat(bytes.length).isEqualTo(1 + 4 + 14 + 4 + 5 + 8 + 8 + 4 + 512 * 4);
    RnnState back = serde.deserializer().deserialize("t", bytes);
    assertThat(back.modelName()).isEqualTo("gru-sentiment3");
    assertThat(back.modelVersion()).isEqualTo("1.0.0");
    assertThat(back.steps()).isEqualTo(12_345_678_901L);
    assertThat(back.updatedMs()).isEqualTo(1_700_000_000_123L);
    for (int i = 0; i < state.length; i++) {
      assertThat(Float.floatToRawIntBits(back.state()[i])).isEqualTo(Float.floatToRawIntBits(state[i]));
    }
    assertThat(serde.serializer().serialize("t", null)).isNull();
    assertThat(serde.deserializer().deserialize("t", null)).isNull();
  }

  @Test
  void rejectsOtherVersionsAndDamagedBytes() {
    byte[] bytes = serde.serializer().serialize("t", new RnnState("m", "v", 1, 2, new float[4]));
    byte[] otherVersion = bytes.clone();
    otherVersion[0] = 9;
    assertThatThrownBy(() -> serde.read(otherVersion))
        .isInstanceOf(SerializationException.class).hasMessageContaining("version 9");
    assertThatThrownBy(() -> serde.read(Arrays.copyOf(bytes, bytes.length - 3)))
        .isInstanceOf(SerializationException.class).hasMessageContaining("corrupt");
    assertThatThrownBy(() -> serde.read(Arrays.copyOf(bytes, bytes.length + 4)))
        .isInstanceOf(SerializationException.class).hasMessageContaining("trailing");
  }

  @Test
  void aStoreReadingDamagedBytesGetsTheUnreadableSentinelInsteadOfAnException() {
    byte[] bytes = serde.serializer().serialize("t", new RnnState("m", "v", 1, 2, new float[4]));
    byte[] otherVersion = bytes.clone();
    otherVersion[0] = 9;
    assertThat(serde.deserializer().deserialize("t", otherVersion)).isSameAs(RnnState.UNREADABLE);
    assertThat(serde.deserializer().deserialize("t", Arrays.copyOf(bytes, 5))).isSameAs(RnnState.UNREADABLE);
    assertThat(serde.deserializer().deserialize("t", new byte[] {1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F}))
        .as("a huge length field").isSameAs(RnnState.UNREADABLE);
    assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", RnnState.UNREADABLE)))
        .isSameAs(RnnState.UNREADABLE);
  }
}
