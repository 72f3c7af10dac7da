package io.streamnlp.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import io.streamnlp.text.TokenizedText;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a recurrent ('rnn') ONNX model on a batch, each message starting from its own initial hidden state
 * and returning the state after its last token. Continuing from a returned state is the same as encoding
 * the concatenated token sequence in one call, so a key's context costs a fixed state, not a growing
 * window. Buffers are allocated once for the largest batch and outputs are pinned, as in
 * {@link TransformerEncoder}.
 */
public final class RecurrentEncoder implements TextEncoder {
  private final OnnxModel model;
  private final ModelManifest manifest;
  private final int maxBatch;
  private final int maxTokens;
  private final int dim;
  private final int labels;
  private final int layers;
  private final int hidden;
  private final LongBuffer ids;
  private final LongBuffer lengths;
  private final FloatBuffer stateIn;
  private final FloatBuffer stateOut;
  private final FloatBuffer embeddingOut;
  private final FloatBuffer logitsOut;
  private final ClassScorer scorer;

  RecurrentEncoder(OnnxModel model, int maxBatch, float[][] prototypes) {
    this.model = model;
    this.manifest = model.manifest();
    this.maxBatch = maxBatch;
    this.maxTokens = model.maxTokens();
    this.dim = manifest.embeddingDim();
    this.labels = manifest.labels().size();
    this.layers = manifest.state().layers();
    this.hidden = manifest.state().hiddenSize();
    this.ids = DirectBuffers.longs(maxBatch * maxTokens);
    this.lengths = DirectBuffers.longs(maxBatch);
    this.stateIn = DirectBuffers.floats(layers * maxBatch * hidden);
    this.stateOut = DirectBuffers.floats(layers * maxBatch * hidden);
    this.embeddingOut = DirectBuffers.floats(maxBatch * dim);
    this.logitsOut = manifest.outputs().logits() == null ? null : DirectBuffers.floats(maxBatch * labels);
    this.scorer = new ClassScorer(manifest, prototypes);
  }

  @Override
  public ModelInfo info() {
    return model.info();
  }

  @Override
  public int maxBatchSize() {
    return maxBatch;
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
    if (b > maxBatch) {
      throw new IllegalArgumentException("batch of " + b + " exceeds " + maxBatch);
    }
    if (initialStates != null && initialStates.size() != b) {
      throw new IllegalArgumentException(initialStates.size() + " initial states for " + b + " messages");
    }
    int t = fillInputs(batch, initialStates);
    Map<String, OnnxTensor> inputs = new HashMap<>(4);
    Map<String, OnnxValue> pinned = new HashMap<>(4);
    long[] stateShape = {layers, b, hidden};
    try {
      inputs.put(manifest.inputs().inputIds(), OnnxTensor.createTensor(model.env(), ids, new long[] {b, t}));
      inputs.put(manifest.inputs().lengths(), OnnxTensor.createTensor(model.env(), lengths, new long[] {b}));
      inputs.put(manifest.inputs().initialState(), OnnxTensor.createTensor(model.env(),
          DirectBuffers.window(stateIn, layers * b * hidden), stateShape));
      pinned.put(manifest.outputs().finalState(), OnnxTensor.createTensor(model.env(),
          DirectBuffers.window(stateOut, layers * b * hidden), stateShape));
      pinned.put(manifest.outputs().embedding(), OnnxTensor.createTensor(model.env(),
          DirectBuffers.window(embeddingOut, b * dim), new long[] {b, dim}));
      if (logitsOut != null) {
        pinned.put(manifest.outputs().logits(), OnnxTensor.createTensor(model.env(),
            DirectBuffers.window(logitsOut, b * labels), new long[] {b, labels}));
      }
      model.session().run(inputs, Set.of(), pinned).close();
    } catch (OrtException | RuntimeException e) {
      throw new EncodingException("ONNX Runtime failed on a batch of " + b + " x " + t + " tokens: "
          + e.getMessage(), e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
      pinned.values().forEach(OnnxValue::close);
    }
    List<RecurrentResult> results = new ArrayList<>(b);
    for (int row = 0; row < b; row++) {
      float[] embedding = new float[dim];
      embeddingOut.get(row * dim, embedding);
      Vectors.normalize(embedding);
      float[] logits = null;
      if (logitsOut != null) {
        logits = new float[labels];
        logitsOut.get(row * labels, logits);
      }
      float[] state = new float[layers * hidden];
      for (int l = 0; l < layers; l++) {
        stateOut.get((l * b + row) * hidden, state, l * hidden, hidden);
      }
      results.add(new RecurrentResult(EncoderResult.of(scorer.scores(logits, embedding), embedding), state));
    }
    return results;
  }

  /** Fills ids (padded to the longest message), lengths and the [layers,B,H] initial state; returns T. */
  private int fillInputs(List<TokenizedText> batch, List<float[]> initialStates) {
    int b = batch.size();
    int t = 0;
    for (TokenizedText text : batch) {
      if (text.length() > maxTokens || text.length() == 0) {
        throw new IllegalArgumentException("message of " + text.length() + " tokens; 1 to " + maxTokens
            + " expected");
      }
      t = Math.max(t, text.length());
    }
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
    return t;
  }
}
