package io.streamnlp.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnlp.evaluation.LabelledText;
import java.util.List;
import org.junit.jupiter.api.Test;

class LongRangeMemoryTest {
  @Test
  void readsItsHeldOutPoolFromTheClasspathWithAllThreeLabels() throws Exception {
    // bench memory must work from the jar alone, wherever it runs: no file beside it, no temporary copy
    List<LabelledText> pool = LongRangeMemory.pool();
    assertThat(pool).hasSizeGreaterThan(100);
    assertThat(pool).extracting(LabelledText::label).contains("positive", "negative", "neutral");
  }
}
