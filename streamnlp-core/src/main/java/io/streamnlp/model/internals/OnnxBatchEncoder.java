package io.streamnlp.model.internals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.streamnlp.model.ModelInfo;
import io.streamnlp.text.internals.TokenizedText;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the transformer and recurrent encoders share: batch limits, the pinned logits buffer, the class head,
 * and one ONNX Runtime call whose inputs and outputs are closed whatever happens.
 */
abstract class OnnxBatchEncoder implements TextEncoder {
  protected final OnnxModel model;
  protected final ModelManifest manifest;
  protected final int maxBatch;
  protected final int maxTokens;
  protected final int dim;
  protected final int labels;
  private final LengthGroups.CallCost groupCost;
  private final FloatBuffer logitsOut;
  /** Logits per message: the labels for a 'logits' head; the model's own classes for a linear head that reads them. */
  private final int logitsWidth;
  private final ClassScorer scorer;

  /** Binds a call's input tensors and pinned output tensors; the caller closes them. */
  @FunctionalInterface
  interface Binding {
    void bind(Map<String, OnnxTensor> inputs, Map<String, OnnxValue> outputs) throws OrtException;
  }

  /** One model call on part of a batch: the results of rows {@code rows}, in that order. */
  @FunctionalInterface
  interface GroupCall<R> {
    List<R> encode(int[] rows) throws EncodingException;
  }

  /**
   * @param groupCost the cost model that splits a batch into calls of similar lengths; null for one call per
   *     batch, padded to its longest message
   */
  OnnxBatchEncoder(OnnxModel model, int maxBatch, LinearHead head, LengthGroups.CallCost groupCost) {
    this.model = model;
    this.groupCost = groupCost;
    this.manifest = model.manifest();
    this.maxBatch = maxBatch;
    this.maxTokens = model.maxTokens();
    this.dim = manifest.embeddingDim();
    this.labels = manifest.labels().size();
    this.logitsWidth = model.logitsWidth();
    this.logitsOut = manifest.outputs().logits() == null ? null : DirectBuffers.floats(maxBatch * logitsWidth);
    this.scorer = new ClassScorer(manifest, head);
  }

  @Override
  public ModelInfo info() {
    return model.info();
  }

  @Override
  public int maxTokens() {
    return maxTokens;
  }

  @Override
  public int maxBatchSize() {
    return maxBatch;
  }

  /** Checks the batch against the limits and returns its longest message's length in tokens. */
  protected int longest(List<TokenizedText> batch) {
    if (batch.size() > maxBatch) {
      throw new IllegalArgumentException("batch of " + batch.size() + " exceeds " + maxBatch);
    }
    int t = 0;
    for (TokenizedText text : batch) {
      if (text.length() > maxTokens || text.length() == 0) {
        throw new IllegalArgumentException("message of " + text.length() + " tokens; 1 to " + maxTokens
            + " expected");
      }
      t = Math.max(t, text.length());
    }
    return t;
  }

  /**
   * Runs {@code call} once per length group of the batch (once for the whole batch without grouping) and
   * returns the results in batch order.
   *
   * @param lengths each row's padded length in a call
   */
  protected <R> List<R> inLengthGroups(int[] lengths, GroupCall<R> call) throws EncodingException {
    List<int[]> groups = groupCost == null ? null : LengthGroups.plan(lengths, maxBatch, groupCost);
    if (groups == null || groups.size() <= 1) {
      int[] all = new int[lengths.length];
      for (int i = 0; i < all.length; i++) {
        all[i] = i;
      }
      return call.encode(all);
    }
    List<R> results = new ArrayList<>(java.util.Collections.nCopies(lengths.length, (R) null));
    for (int[] group : groups) {
      List<R> part = call.encode(group);
      for (int k = 0; k < group.length; k++) {
        results.set(group[k], part.get(k));
      }
    }
    return results;
  }


  /** The rows {@code rows} of {@code list}, in that order. */
  protected static <T> List<T> rows(List<T> list, int[] rows) {
    if (list == null) {
      return null;
    }
    if (rows.length == list.size()) {
      return list;
    }
    List<T> out = new ArrayList<>(rows.length);
    for (int r : rows) {
      out.add(list.get(r));
    }
    return out;
  }

  /** Reads an output ONNX Runtime allocated, before the call's result is closed. */
  @FunctionalInterface
  interface OutputReader {
    void read(OnnxTensor output) throws OrtException;
  }

  /** Runs the model on a b x t batch; results land in the pinned buffers (logits included). */
  protected void run(int b, int t, Binding binding) throws EncodingException {
    run(b, t, binding, null, null);
  }

  /**
   * As {@link #run(int, int, Binding)}, also fetching the unpinned output {@code extraOutput} (when not null)
   * and handing it to {@code reader} while it is valid.
   */
  protected void run(int b, int t, Binding binding, String extraOutput, OutputReader reader)
      throws EncodingException {
    Map<String, OnnxTensor> inputs = new HashMap<>(4);
    Map<String, OnnxValue> pinned = new HashMap<>(4);
    try {
      binding.bind(inputs, pinned);
      if (logitsOut != null) {
        pinned.put(manifest.outputs().logits(), OnnxTensor.createTensor(model.env(),
            DirectBuffers.window(logitsOut, b * logitsWidth), new long[] {b, logitsWidth}));
      }
      // The pinned outputs are written in place; the Result holds only the extra output, if any.
      try (OrtSession.Result result = model.session().run(inputs,
          extraOutput == null ? Set.of() : Set.of(extraOutput), pinned)) {
        if (extraOutput != null) {
          reader.read((OnnxTensor) result.get(extraOutput).orElseThrow());
        }
      }
    } catch (OrtException | RuntimeException e) {
      throw new EncodingException("ONNX Runtime failed on a batch of " + b + " x " + t + " tokens: "
          + e.getMessage(), e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
      pinned.values().forEach(OnnxValue::close);
    }
  }

  /** Class probabilities of batch row {@code row} after {@link #run}. */
  protected float[] scores(int row, float[] embedding) {
    float[] logits = null;
    if (logitsOut != null) {
      logits = new float[logitsWidth];
      logitsOut.get(row * logitsWidth, logits);
    }
    return scorer.scores(logits, embedding);
  }
}
