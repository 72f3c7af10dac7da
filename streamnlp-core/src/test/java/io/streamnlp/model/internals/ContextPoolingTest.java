package io.streamnlp.model.internals;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/**
 * A model whose embedding is mean-pooled here from its hidden states, read with a context window: the input is
 * [CLS] context [SEP] message-without-[CLS], and the embedding must average the message's own positions (those
 * the pooling mask covers), not the first tokens of the input, which are the context's.
 */
class ContextPoolingTest {

  @Test
  void meanPoolingWithAContextAveragesTheMessagesPositionsOnly() {
    int dim = 2;
    int t = 9;
    // position p holds (p, 10 p): a mean names the positions it averaged
    FloatBuffer hidden = FloatBuffer.allocate(t * dim);
    for (int p = 0; p < t; p++) {
      hidden.put(p).put(10f * p);
    }
    hidden.flip();
    // a message of 3 tokens ([CLS] a [SEP]) after 4 context tokens: [CLS] c c c c [SEP] a [SEP]
    int[] positions = TransformerEncoder.messagePositions(3, 4);
    assertThat(positions).containsExactly(0, 6, 7);
    float[] mean = new float[dim];
    TransformerEncoder.meanOfPositions(hidden, 0, dim, positions, mean);
    assertThat(mean).containsExactly((0 + 6 + 7) / 3f, 10f * (0 + 6 + 7) / 3f);

    // Without context the message is the input: its first positions.
    float[] alone = new float[dim];
    TransformerEncoder.meanOfPositions(hidden, 0, dim, TransformerEncoder.messagePositions(3, 0), alone);
    assertThat(alone).containsExactly(1f, 10f);
  }
}
