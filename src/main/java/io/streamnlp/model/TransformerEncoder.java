package io.streamnlp.model;

import ai.onnxruntime.OnnxTensor;
import io.streamnlp.text.TokenizedText;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a transformer ONNX model on a batch. Inputs and outputs live in direct buffers allocated once for
 * the largest batch: ONNX Runtime reads the inputs and writes the outputs in place (outputs are pinned),
 * so the hot path allocates only the per-message results. Batches are padded to their own longest message.
 */
final class TransformerEncoder extends OnnxBatchEncoder {
  private final LongBuffer ids;
  private final LongBuffer mask;
  private final LongBuffer types;
  private final FloatBuffer embeddingOut;
  private final boolean pooledByModel;
  private final String embeddingOutput;
  private final String attentionOutput;
  private float[][] tokenWeights;

  /** @param explain also compute each token's attention weight (needs the manifest's attention output) */
  TransformerEncoder(OnnxModel model, int maxBatch, float[][] prototypes, boolean explain) {
    super(model, maxBatch, prototypes);
    this.attentionOutput = explain ? manifest.outputs().attention() : null;
    if (explain && attentionOutput == null) {
      throw new ModelLoadException("Model " + manifest.name() + " has no attention output (outputs.attention in "
          + "its manifest), so it cannot explain its tags");
    }
    int cells = maxBatch * maxTokens;
    this.ids = DirectBuffers.longs(cells);
    this.mask = DirectBuffers.longs(cells);
    this.types = DirectBuffers.longs(cells);
    ModelManifest.Outputs o = manifest.outputs();
    this.pooledByModel = o.embedding() != null;
    this.embeddingOutput = pooledByModel ? o.embedding() : o.hiddenStates();
    this.embeddingOut = DirectBuffers.floats(pooledByModel ? maxBatch * dim : cells * dim);
  }

  @Override
  public List<EncoderResult> encode(List<TokenizedText> batch) throws EncodingException {
    int b = batch.size();
    if (b == 0) {
      return List.of();
    }
    int t = longest(batch);
    fillInputs(batch, t);
    long[] shape = {b, t};
    tokenWeights = attentionOutput == null ? null : new float[b][];
    run(b, t, (inputs, outputs) -> {
      inputs.put(manifest.inputs().inputIds(), OnnxTensor.createTensor(model.env(), ids, shape));
      inputs.put(manifest.inputs().attentionMask(), OnnxTensor.createTensor(model.env(), mask, shape));
      if (manifest.inputs().tokenTypeIds() != null) {
        inputs.put(manifest.inputs().tokenTypeIds(), OnnxTensor.createTensor(model.env(), types, shape));
      }
      long[] embShape = pooledByModel ? new long[] {b, dim} : new long[] {b, t, dim};
      outputs.put(embeddingOutput, OnnxTensor.createTensor(model.env(),
          DirectBuffers.window(embeddingOut, DirectBuffers.product(embShape)), embShape));
    }, attentionOutput, attention -> readTokenWeights(attention, batch, t));
    List<EncoderResult> results = new ArrayList<>(b);
    for (int row = 0; row < b; row++) {
      float[] embedding = embedding(row, t, batch.get(row).length());
      results.add(EncoderResult.of(scores(row, embedding), embedding,
          tokenWeights == null ? null : tokenWeights[row]));
    }
    return results;
  }

  /**
   * Attention [B,heads,T,T] of the last layer → for each message, the mean over heads and over its own tokens
   * as queries of the attention each of its tokens receives. Padding gets none (it is masked).
   */
  private void readTokenWeights(OnnxTensor attention, List<TokenizedText> batch, int t) {
    long[] shape = attention.getInfo().getShape();
    int heads = (int) shape[1];
    FloatBuffer a = attention.getFloatBuffer();
    for (int row = 0; row < batch.size(); row++) {
      int length = batch.get(row).length();
      float[] w = new float[length];
      for (int h = 0; h < heads; h++) {
        for (int q = 0; q < length; q++) {
          int base = ((row * heads + h) * t + q) * t;
          for (int k = 0; k < length; k++) {
            w[k] += a.get(base + k);
          }
        }
      }
      float norm = 1f / (heads * length);
      for (int k = 0; k < length; k++) {
        w[k] *= norm;
      }
      tokenWeights[row] = w;
    }
  }

  private void fillInputs(List<TokenizedText> batch, int t) {
    ids.clear();
    mask.clear();
    types.clear();
    for (TokenizedText text : batch) {
      long[] tokenIds = text.ids();
      ids.put(tokenIds);
      for (int i = 0; i < tokenIds.length; i++) {
        mask.put(1L);
        types.put(0L);
      }
      for (int i = tokenIds.length; i < t; i++) {
        ids.put(0L);
        mask.put(0L);
        types.put(0L);
      }
    }
    ids.flip();
    mask.flip();
    types.flip();
  }

  private float[] embedding(int row, int t, int length) {
    float[] v = new float[dim];
    if (pooledByModel) {
      embeddingOut.get(row * dim, v);
    } else if ("cls".equals(manifest.pooling())) {
      embeddingOut.get(row * t * dim, v);
    } else {
      int base = row * t * dim;
      for (int tok = 0; tok < length; tok++) {
        int off = base + tok * dim;
        for (int d = 0; d < dim; d++) {
          v[d] += embeddingOut.get(off + d);
        }
      }
      for (int d = 0; d < dim; d++) {
        v[d] /= length;
      }
    }
    Vectors.normalize(v);
    return v;
  }
}
