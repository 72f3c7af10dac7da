package io.streamnlp.internals;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ThreadReplacementsTest {
  @Test
  void allowsAtMostMaxReplacementsPerWindow() {
    ThreadReplacements r = new ThreadReplacements(2, Duration.ofSeconds(10));
    assertThat(r.allowAnother(0)).isTrue();
    assertThat(r.allowAnother(1_000)).isTrue();
    assertThat(r.allowAnother(2_000)).as("a third failure inside the window").isFalse();
    assertThat(r.allowAnother(10_001)).as("the first one has left the window").isTrue();
  }

  @Test
  void zeroMeansNoReplacement() {
    assertThat(new ThreadReplacements(0, Duration.ofSeconds(10)).allowAnother(0)).isFalse();
  }
}
