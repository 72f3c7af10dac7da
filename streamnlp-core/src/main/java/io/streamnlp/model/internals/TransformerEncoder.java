package io.streamnlp.model.internals;

import ai.onnxruntime.OnnxTensor;
import io.streamnlp.model.ModelLoadException;
import io.streamnlp.text.internals.TokenizedText;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a transformer ONNX model on a batch. Inputs and outputs live in direct buffers allocated once for
 * the largest batch: ONNX Runtime reads the inputs and writes the outputs in place (outputs are pinned),
 * so the hot path allocates only the per-message results. A batch is split into calls of similar lengths
 * ({@link LengthGroups}); each call is padded to its own longest message.
 */
final class TransformerEncoder extends OnnxBatchEncoder implements ContextualEncoder {
  private final LongBuffer ids;
  private final LongBuffer mask;
  private final LongBuffer types;
  private final LongBuffer pool;
  private final long separatorId;
  private final FloatBuffer embeddingOut;
  private final boolean pooledByModel;
  private final String embeddingOutput;
  private final String attentionOutput;

  /** @param explain also compute each token's attention weight (needs the manifest's attention output) */
  TransformerEncoder(OnnxModel model, int maxBatch, LinearHead head, boolean explain, boolean groupByLength) {
    super(model, maxBatch, head, groupByLength ? LengthGroups.CallCost.TRANSFORMER : null);
    this.attentionOutput = explain ? manifest.outputs().attention() : null;
    if (explain && attentionOutput == null) {
      throw new ModelLoadException("Model " + manifest.name() + " has no attention output (outputs.attention in "
          + "its manifest), so it cannot explain its tags");
    }
    int cells = maxBatch * maxTokens;
    this.ids = DirectBuffers.longs(cells);
    this.mask = DirectBuffers.longs(cells);
    this.types = DirectBuffers.longs(cells);
    this.pool = DirectBuffers.longs(cells);
    this.separatorId = model.separatorId();
    ModelManifest.Outputs o = manifest.outputs();
    this.pooledByModel = o.embedding() != null;
    this.embeddingOutput = pooledByModel ? o.embedding() : o.hiddenStates();
    this.embeddingOut = embeddingOutput == null ? null
        : DirectBuffers.floats(pooledByModel ? maxBatch * dim : cells * dim);
  }

  @Override
  public List<EncoderResult> encode(List<TokenizedText> batch) throws EncodingException {
    return encode(batch, null);
  }

  @Override
  public boolean takesContext() {
    return manifest.inputs().poolingMask() != null;
  }

  @Override
  public List<EncoderResult> encode(List<TokenizedText> batch, List<long[]> contexts) throws EncodingException {
    int b = batch.size();
    if (b == 0) {
      return List.of();
    }
    if (contexts != null && contexts.size() != b) {
      throw new IllegalArgumentException(contexts.size() + " contexts for " + b + " messages");
    }
    longest(batch);
    int[] lengths = new int[b];
    for (int row = 0; row < b; row++) {
      long[] context = contexts == null ? null : contexts.get(row);
      lengths[row] = batch.get(row).length();
      if (context != null && context.length > 0) {
        if (!takesContext()) {
          throw new IllegalArgumentException("model " + manifest.name() + " has no pooling mask input, so it "
              + "cannot keep context apart from the message");
        }
        lengths[row] += context.length + 1;
        if (lengths[row] > maxTokens) {
          throw new IllegalArgumentException("context of " + context.length + " tokens and message of "
              + batch.get(row).length() + " exceed " + maxTokens + " tokens");
        }
      }
    }
    // rows() of the whole batch is the batch itself: a single group costs no copy.
    return inLengthGroups(lengths, rows -> encodeOneCall(rows(batch, rows), rows(contexts, rows)));
  }

  /** One model call, every row padded to the longest message (plus context) among them. */
  private List<EncoderResult> encodeOneCall(List<TokenizedText> batch, List<long[]> contexts)
      throws EncodingException {
    int b = batch.size();
    int[] contextLengths = new int[b];
    int t = 0;
    for (int row = 0; row < b; row++) {
      long[] context = contexts == null ? null : contexts.get(row);
      contextLengths[row] = context == null ? 0 : context.length;
      t = Math.max(t, batch.get(row).length() + (contextLengths[row] == 0 ? 0 : contextLengths[row] + 1));
    }
    fillInputs(batch, contexts, t);
    long[] shape = {b, t};
    // Filled from the attention output while the call's result is open, when explanations are on.
    float[][] tokenWeights = attentionOutput == null ? null : new float[b][];
    float[][] contextWeights = attentionOutput == null ? null : new float[b][];
    int seqLength = t;
    run(b, t, (inputs, outputs) -> {
      inputs.put(manifest.inputs().inputIds(), OnnxTensor.createTensor(model.env(), ids, shape));
      inputs.put(manifest.inputs().attentionMask(), OnnxTensor.createTensor(model.env(), mask, shape));
      if (manifest.inputs().tokenTypeIds() != null) {
        inputs.put(manifest.inputs().tokenTypeIds(), OnnxTensor.createTensor(model.env(), types, shape));
      }
      if (manifest.inputs().poolingMask() != null) {
        inputs.put(manifest.inputs().poolingMask(), OnnxTensor.createTensor(model.env(), pool, shape));
      }
      if (embeddingOutput != null) {
        long[] embShape = pooledByModel ? new long[] {b, dim} : new long[] {b, seqLength, dim};
        outputs.put(embeddingOutput, OnnxTensor.createTensor(model.env(),
            DirectBuffers.window(embeddingOut, DirectBuffers.product(embShape)), embShape));
      }
    }, attentionOutput, attention ->
        readTokenWeights(attention, batch, contextLengths, seqLength, tokenWeights, contextWeights));
    List<EncoderResult> results = new ArrayList<>(b);
    for (int row = 0; row < b; row++) {
      float[] embedding = embedding(row, t, batch.get(row).length(), contextLengths[row]);
      results.add(EncoderResult.of(scores(row, embedding), embedding,
          tokenWeights == null ? null : tokenWeights[row],
          contextWeights == null || contextLengths[row] == 0 ? null : contextWeights[row]));
    }
    return results;
  }

  /**
   * Attention [B,heads,T,T] of the last layer → for each message, the mean over heads and over the message's
   * own tokens as queries of the attention each input token receives, split into the message's tokens and
   * the context's. Padding gets none (it is masked).
   */
  private static void readTokenWeights(OnnxTensor attention, List<TokenizedText> batch, int[] contextLengths,
                                       int t, float[][] tokenWeights, float[][] contextWeights) {
    long[] shape = attention.getInfo().getShape();
    int heads = (int) shape[1];
    FloatBuffer a = attention.getFloatBuffer();
    for (int row = 0; row < batch.size(); row++) {
      int length = batch.get(row).length();
      int c = contextLengths[row];
      int[] messagePositions = messagePositions(length, c);
      int real = c == 0 ? length : length + c + 1;
      float[] w = new float[real];
      for (int h = 0; h < heads; h++) {
        for (int q : messagePositions) {
          int base = ((row * heads + h) * t + q) * t;
          for (int k = 0; k < real; k++) {
            w[k] += a.get(base + k);
          }
        }
      }
      float norm = 1f / (heads * length);
      float[] message = new float[length];
      for (int j = 0; j < length; j++) {
        message[j] = w[messagePositions[j]] * norm;
      }
      tokenWeights[row] = message;
      if (c > 0) {
        float[] context = new float[c];
        for (int j = 0; j < c; j++) {
          context[j] = w[1 + j] * norm;
        }
        contextWeights[row] = context;
      }
    }
  }

  /** Where the message's own tokens sit in the model input ({@link ContextualEncoder#messagePosition}). */
  static int[] messagePositions(int length, int contextLength) {
    int[] positions = new int[length];
    for (int j = 0; j < length; j++) {
      positions[j] = ContextualEncoder.messagePosition(j, contextLength);
    }
    return positions;
  }

  private void fillInputs(List<TokenizedText> batch, List<long[]> contexts, int t) {
    ids.clear();
    mask.clear();
    types.clear();
    pool.clear();
    for (int row = 0; row < batch.size(); row++) {
      long[] message = batch.get(row).ids();
      long[] context = contexts == null ? null : contexts.get(row);
      int written;
      if (context == null || context.length == 0) {
        ids.put(message);
        for (int i = 0; i < message.length; i++) {
          mask.put(1L);
          pool.put(1L);
        }
        written = message.length;
      } else {
        // [CLS] context [SEP] message-without-[CLS]; the pooling mask covers the message's own tokens only.
        ids.put(message[0]).put(context).put(separatorId).put(message, 1, message.length - 1);
        written = message.length + context.length + 1;
        for (int i = 0; i < written; i++) {
          mask.put(1L);
          pool.put(i == 0 || i > context.length + 1 ? 1L : 0L);
        }
      }
      for (int i = 0; i < written; i++) {
        types.put(0L);
      }
      for (int i = written; i < t; i++) {
        ids.put(0L);
        mask.put(0L);
        types.put(0L);
        pool.put(0L);
      }
    }
    ids.flip();
    mask.flip();
    types.flip();
    pool.flip();
  }

  /**
   * The message's embedding: the model's pooled output, or pooled here from its hidden states, over the
   * message's own positions only (the pooling mask's), never over the context it was read with.
   */
  private float[] embedding(int row, int t, int length, int contextLength) {
    float[] v = new float[dim];
    if (embeddingOutput == null) {
      return v; // a logits-only classifier: embeddingDim is 0
    } else if (pooledByModel) {
      embeddingOut.get(row * dim, v);
    } else if ("cls".equals(manifest.pooling())) {
      embeddingOut.get(row * t * dim, v);
    } else {
      meanOfPositions(embeddingOut, row * t * dim, dim, messagePositions(length, contextLength), v);
    }
    Vectors.normalize(v);
    return v;
  }

  /** {@code into} = the mean of the hidden-state rows at {@code positions} of one message's [T, dim] block. */
  static void meanOfPositions(FloatBuffer hidden, int base, int dim, int[] positions, float[] into) {
    for (int position : positions) {
      int off = base + position * dim;
      for (int d = 0; d < dim; d++) {
        into[d] += hidden.get(off + d);
      }
    }
    for (int d = 0; d < dim; d++) {
      into[d] /= positions.length;
    }
  }
}
