package io.streamnlp.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnlp.bench.BenchResults.ExplanationCost;
import io.streamnlp.bench.BenchResults.Footprint;
import io.streamnlp.bench.BenchResults.ModelFacts;
import io.streamnlp.bench.BenchResults.StateSize;
import io.streamnlp.model.internals.ModelDirectory;
import io.streamnlp.model.internals.ModelManifest;
import io.streamnlp.model.internals.OnnxModel;
import io.streamnlp.model.internals.TextEncoder;
import io.streamnlp.stream.internals.ContextWindow;
import io.streamnlp.stream.internals.RnnState;
import io.streamnlp.stream.internals.RnnStateSerde;
import io.streamnlp.text.internals.TokenizedText;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** What a model is and what it costs to keep: facts, memory footprint, state per key, explanations. */
public final class ModelProfiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelProfiles() {}

  /** Manifest, ONNX size and, when the model ships the recipe's training.json, how long training took. */
  public static ModelFacts facts(String encoder, ModelDirectory dir) throws IOException {
    ModelManifest m = dir.manifest();
    String architecture = m.isRecurrent()
        ? String.format(Locale.ROOT, "recurrent, %d layers x %d hidden units, state carried per key",
            m.state().layers(), m.state().hiddenSize())
        : String.format(Locale.ROOT, "transformer (self-attention), up to %d tokens, %d-d embedding",
            m.maxTokens(), m.embeddingDim());
    Double seconds = null;
    Integer examples = null;
    Double epochs = null;
    Double dev = null;
    Optional<InputStream> training = dir.openOptional("training.json");
    if (training.isPresent()) {
      try (InputStream in = training.get()) {
        JsonNode t = JSON.readTree(in);
        seconds = t.hasNonNull("train_seconds") ? t.get("train_seconds").asDouble() : null;
        examples = t.hasNonNull("train_examples") ? t.get("train_examples").asInt() : null;
        // The attention recipe trains a number of steps over a sample it sees once: one pass.
        epochs = t.hasNonNull("epochs") ? t.get("epochs").asDouble() : t.hasNonNull("steps") ? 1.0 : null;
        // Three-class models record the dev macro-recall they were chosen on; the binary ones, dev accuracy.
        JsonNode macroRecall = t.path("selected_torch").path("dev_macro_recall");
        dev = macroRecall.isNumber() ? macroRecall.asDouble()
            : t.hasNonNull("selected_dev_accuracy_torch") ? t.get("selected_dev_accuracy_torch").asDouble() : null;
      }
    }
    return new ModelFacts(encoder, m.name(), m.version(), m.kind(), dir.readOnnx().length, architecture, seconds,
        examples, epochs, dev, !m.isRecurrent() && m.outputs().attention() != null);
  }

  /** Bytes of one key's stored hidden state (the RNN's whole memory of the key, whatever its history). */
  public static StateSize rnnState(OnnxModel model) {
    int size = model.manifest().state().size();
    byte[] bytes = new RnnStateSerde().serializer().serialize("", new RnnState(model.info().name(),
        model.info().version(), 1, System.currentTimeMillis(), new float[size]));
    return new StateSize("rnn", "hidden state", 0, bytes.length);
  }

  /** Bytes of one key's stored context window holding {@code tokens} tokens. */
  public static StateSize contextWindow(int tokens) {
    ContextWindow w = ContextWindow.EMPTY.append(new long[tokens], System.currentTimeMillis(), tokens);
    byte[] bytes = new ContextWindow.ContextWindowSerde().serializer().serialize("", w);
    return new StateSize("attention", "context window", tokens, bytes.length);
  }

  /**
   * Resident memory (ONNX Runtime's native allocations included) and heap that loading a model and encoding
   * batches of {@code messages} add to this JVM, measured after a GC.
   */
  public static Footprint footprint(String encoder, ModelDirectory dir, int maxTokens, List<String> messages,
                                    int batch) throws Exception {
    JvmMemory.Snapshot before = JvmMemory.snapshot();
    try (OnnxModel model = OnnxModel.load(dir, OnnxModel.RuntimeOptions.cpu(), maxTokens);
         TextEncoder warm = model.newEncoder(batch)) {
      List<TokenizedText> texts = BenchTexts.tokenized(model.tokenizer(), messages);
      for (int from = 0; from + batch <= texts.size(); from += batch) {
        warm.encode(texts.subList(from, from + batch));
      }
      JvmMemory.Snapshot after = JvmMemory.snapshot();
      // A resident set that did not grow (the JVM returned freed heap to the system, or native memory was
      // already mapped by an earlier model) says nothing about the model: unknown, not 0.
      long grown = after.residentBytes() - before.residentBytes();
      long resident = before.residentBytes() < 0 || after.residentBytes() < 0 || grown <= 0 ? -1 : grown;
      return new Footprint(encoder, model.info().name(), resident, Math.max(0, after.heapBytes() - before.heapBytes()));
    }
  }

  /**
   * ms per message with and without the attention weights explanations are made of, at batch 1 and
   * {@code batch}; a model without an attention output gets "not available" and why.
   */
  public static List<ExplanationCost> explanations(String encoder, OnnxModel model, List<String> messages,
                                                   int batch, int rounds) throws Exception {
    List<ExplanationCost> out = new ArrayList<>();
    if (model.manifest().isRecurrent() || model.manifest().outputs().attention() == null) {
      String why = model.manifest().isRecurrent()
          ? "a recurrent model has no attention weights: its state mixes every earlier token"
          : "the model's manifest names no attention output";
      out.add(new ExplanationCost(encoder, false, why, batch, Double.NaN, Double.NaN));
      return out;
    }
    List<TokenizedText> texts = BenchTexts.tokenized(model.tokenizer(), messages);
    for (int size : new int[] {1, batch}) {
      double without;
      double with;
      try (TextEncoder plain = model.newEncoder(size);
           TextEncoder explaining = model.newExplainingEncoder(size)) {
        without = time(plain, texts, size, rounds);
        with = time(explaining, texts, size, rounds);
      }
      out.add(new ExplanationCost(encoder, true, "", size, without, with));
    }
    return out;
  }

  private static double time(TextEncoder encoder, List<TokenizedText> texts, int size, int rounds)
      throws Exception {
    return Timing.bestMsPerMessage(rounds, texts.size() - texts.size() % size, size,
        (from, n) -> encoder.encode(texts.subList(from, from + n)));
  }
}
