package io.streamnlp.model.internals;

import ai.onnxruntime.OnnxTensor;
import io.streamnlp.text.internals.TokenizedText;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a recurrent ('rnn') ONNX model on a batch, each message starting from its own initial hidden state
 * and returning the state after its last token. Continuing from a returned state is the same as encoding
 * the concatenated token sequence in one call, so a key's context costs a fixed state, not a growing
 * window. Buffers are allocated once for the largest batch and outputs are pinned, and a batch is split into
 * calls of similar lengths, as in {@link TransformerEncoder}.
 */
public final class RecurrentEncoder extends OnnxBatchEncoder {
  private final int layers;
  private final int hidden;
  private final LongBuffer ids;
  private final LongBuffer lengths;
  private final FloatBuffer stateIn;
  private final FloatBuffer stateOut;
  private final FloatBuffer embeddingOut;

  RecurrentEncoder(OnnxModel model, int maxBatch, LinearHead head, boolean groupByLength) {
    super(model, maxBatch, head, groupByLength ? LengthGroups.CallCost.RECURRENT : null);
    this.layers = manifest.state().layers();
    this.hidden = manifest.state().hiddenSize();
    this.ids = DirectBuffers.longs(maxBatch * maxTokens);
    this.lengths = DirectBuffers.longs(maxBatch);
    this.stateIn = DirectBuffers.floats(layers * maxBatch * hidden);
    this.stateOut = DirectBuffers.floats(layers * maxBatch * hidden);
    this.embeddingOut = DirectBuffers.floats(maxBatch * dim);
  }

  /** The number of floats in one message's hidden state. */
  public int stateSize() {
    return layers * hidden;
  }

  /** Encodes each message from the zero state, as the first message of a key. */
  @Override
  public List<EncoderResult> encode(List<TokenizedText> batch) throws EncodingException {
    List<RecurrentResult> results = encode(batch, null);
    List<EncoderResult> plain = new ArrayList<>(results.size());
    for (RecurrentResult r : results) {
      plain.add(r.result());
    }
    return plain;
  }

  /**
   * @param initialStates one state per message ({@link #stateSize()} floats, or null for the zero state),
   *     or null for all zero states
   */
  public List<RecurrentResult> encode(List<TokenizedText> batch, List<float[]> initialStates)
      throws EncodingException {
    int b = batch.size();
    if (b == 0) {
      return List.of();
    }
    if (initialStates != null && initialStates.size() != b) {
      throw new IllegalArgumentException(initialStates.size() + " initial states for " + b + " messages");
    }
    longest(batch);
    int[] lengths = new int[b];
    for (int row = 0; row < b; row++) {
      lengths[row] = batch.get(row).length();
    }
    return inLengthGroups(lengths, rows -> encodeOneCall(rows(batch, rows), rows(initialStates, rows)));
  }

  /** One model call: the scan runs as many steps as the longest message among these rows. */
  private List<RecurrentResult> encodeOneCall(List<TokenizedText> batch, List<float[]> initialStates)
      throws EncodingException {
    int b = batch.size();
    int longest = 0;
    for (TokenizedText text : batch) {
      longest = Math.max(longest, text.length());
    }
    int t = longest;
    fillInputs(batch, initialStates, t);
    long[] stateShape = {layers, b, hidden};
    run(b, t, (inputs, outputs) -> {
      inputs.put(manifest.inputs().inputIds(), OnnxTensor.createTensor(model.env(), ids, new long[] {b, t}));
      inputs.put(manifest.inputs().lengths(), OnnxTensor.createTensor(model.env(), lengths, new long[] {b}));
      inputs.put(manifest.inputs().initialState(), OnnxTensor.createTensor(model.env(),
          DirectBuffers.window(stateIn, layers * b * hidden), stateShape));
      outputs.put(manifest.outputs().finalState(), OnnxTensor.createTensor(model.env(),
          DirectBuffers.window(stateOut, layers * b * hidden), stateShape));
      outputs.put(manifest.outputs().embedding(), OnnxTensor.createTensor(model.env(),
          DirectBuffers.window(embeddingOut, b * dim), new long[] {b, dim}));
    });
    List<RecurrentResult> results = new ArrayList<>(b);
    for (int row = 0; row < b; row++) {
      float[] embedding = new float[dim];
      embeddingOut.get(row * dim, embedding);
      Vectors.normalize(embedding);
      float[] state = new float[layers * hidden];
      for (int l = 0; l < layers; l++) {
        stateOut.get((l * b + row) * hidden, state, l * hidden, hidden);
      }
      results.add(new RecurrentResult(EncoderResult.of(scores(row, embedding), embedding), state));
    }
    return results;
  }

  /** Fills ids (padded to t tokens), lengths and the [layers,B,H] initial state. */
  private void fillInputs(List<TokenizedText> batch, List<float[]> initialStates, int t) {
    int b = batch.size();
    ids.clear();
    lengths.clear();
    for (TokenizedText text : batch) {
      ids.put(text.ids());
      for (int i = text.length(); i < t; i++) {
        ids.put(0L);
      }
      lengths.put(text.length());
    }
    ids.flip();
    lengths.flip();
    stateIn.clear();
    for (int l = 0; l < layers; l++) {
      for (int row = 0; row < b; row++) {
        float[] s = initialStates == null ? null : initialStates.get(row);
        if (s == null) {
          for (int h = 0; h < hidden; h++) {
            stateIn.put(0f);
          }
        } else {
          if (s.length != layers * hidden) {
            throw new IllegalArgumentException("state of " + s.length + " floats; " + layers * hidden
                + " expected");
          }
          stateIn.put(s, l * hidden, hidden);
        }
      }
    }
    stateIn.flip();
  }
}
