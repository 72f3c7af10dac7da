package io.streamnlp.evaluation;

import io.streamnlp.model.ModelInfo;
import io.streamnlp.model.internals.ContextualEncoder;
import io.streamnlp.model.internals.EncoderResult;
import io.streamnlp.model.internals.EncodingException;
import io.streamnlp.model.internals.OnnxModel;
import io.streamnlp.model.internals.RecurrentEncoder;
import io.streamnlp.model.internals.RecurrentResult;
import io.streamnlp.model.internals.TextEncoder;
import io.streamnlp.stream.internals.ContextWindow;
import io.streamnlp.text.RejectedInputException;
import io.streamnlp.text.internals.TokenizedText;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToIntFunction;

/**
 * Runs a model over labelled messages through the stream's own tokenizer and encoder classes (each message
 * on its own, from an empty context), and measures what a message costs at a given batch size.
 */
public final class Evaluator {
  private final OnnxModel model;

  public Evaluator(OnnxModel model) {
    this.model = model;
  }

  /**
   * What one message costs, in milliseconds, at a batch size; {@code groupedByLength}: whether batches were
   * split into calls of similar lengths (the stream's default) or run as one call padded to the longest.
   */
  public record Cost(int batchSize, boolean groupedByLength, int messages, double tokenizeMillisPerMessage,
                     double encodeMillisPerMessage) {}

  /**
   * Whether {@code data} is binary sentiment written as 0/1 (GLUE's SST-2) for a model with more labels and
   * declared poles: then 0 is the negative and 1 the positive label, not the model's classes 0 and 1.
   */
  public boolean readsBinaryPoles(List<LabelledText> data) {
    ModelInfo info = model.info();
    if (info.polarity() == null || info.labels().size() <= 2 || data.isEmpty()) {
      return false;
    }
    for (LabelledText row : data) {
      String l = row.label().trim();
      if (!l.equals("0") && !l.equals("1")) {
        return false;
      }
    }
    return true;
  }

  /** Maps each label of {@code data} to the model's index ({@link #labelIndex}, {@link #readsBinaryPoles}). */
  private ToIntFunction<String> labelMapper(List<LabelledText> data) {
    if (readsBinaryPoles(data)) {
      ModelInfo.PolarLabels poles = model.info().polarity();
      return label -> label.trim().equals("1") ? poles.positive() : poles.negative();
    }
    return this::labelIndex;
  }

  /** Maps each label as written in the file (a label name, any case, or an index) to the model's index. */
  public int labelIndex(String label) {
    List<String> labels = model.info().labels();
    for (int i = 0; i < labels.size(); i++) {
      if (labels.get(i).equalsIgnoreCase(label)) {
        return i;
      }
    }
    try {
      int i = Integer.parseInt(label);
      if (i >= 0 && i < labels.size()) {
        return i;
      }
    } catch (NumberFormatException ignored) {
      // not an index either
    }
    throw new IllegalArgumentException("label '" + label + "' is neither one of the model's labels " + labels
        + " nor an index from 0 to " + (labels.size() - 1));
  }

  /**
   * The labels a file uses, in the model's order. A file with fewer labels than the model (SST-2's two, for a
   * three-class model) is scored over its own labels: each prediction is the most probable of them.
   */
  public record Labels(List<String> names, int[] modelIndex) {
    /** The report-local index of the most probable of these labels. */
    int predict(float[] scores) {
      int best = 0;
      for (int i = 1; i < modelIndex.length; i++) {
        if (scores[modelIndex[i]] > scores[modelIndex[best]]) {
          best = i;
        }
      }
      return best;
    }

    int local(int modelLabel) {
      for (int i = 0; i < modelIndex.length; i++) {
        if (modelIndex[i] == modelLabel) {
          return i;
        }
      }
      throw new IllegalArgumentException("label " + modelLabel + " is not among " + names);
    }
  }

  /** The model's labels that occur in {@code data}, in the model's order. */
  public Labels labelsOf(List<LabelledText> data) {
    boolean[] present = new boolean[model.info().labels().size()];
    ToIntFunction<String> mapper = labelMapper(data);
    for (LabelledText row : data) {
      present[mapper.applyAsInt(row.label())] = true;
    }
    List<String> names = new ArrayList<>();
    List<Integer> indices = new ArrayList<>();
    for (int i = 0; i < present.length; i++) {
      if (present[i]) {
        names.add(model.info().labels().get(i));
        indices.add(i);
      }
    }
    return new Labels(List.copyOf(names), indices.stream().mapToInt(Integer::intValue).toArray());
  }

  /**
   * Predicts every message in batches of {@code batchSize}, in file order, and compares with its label, over
   * the labels the file uses ({@link #labelsOf}).
   */
  public ClassificationReport evaluate(List<LabelledText> data, int batchSize) throws EncodingException {
    return report(data, results(data, batchSize).stream().map(EncoderResult::scores).toList());
  }

  /** Every message's result, read alone in batches of {@code batchSize}, in file order. */
  public List<EncoderResult> results(List<LabelledText> data, int batchSize) throws EncodingException {
    List<EncoderResult> out = new ArrayList<>(data.size());
    List<TokenizedText> tokens = tokenize(data);
    try (TextEncoder encoder = model.newEncoder(batchSize)) {
      for (int start = 0; start < tokens.size(); start += batchSize) {
        out.addAll(encoder.encode(tokens.subList(start, Math.min(tokens.size(), start + batchSize))));
      }
    }
    return out;
  }

  /**
   * The report of given scores, one per message of {@code data} in the model's label order (another model's
   * with the same labels, or two models' together), as {@link #evaluate} scores its own.
   */
  public ClassificationReport report(List<LabelledText> data, List<float[]> scores) {
    Labels labels = labelsOf(data);
    ToIntFunction<String> mapper = labelMapper(data);
    ClassificationReport report = new ClassificationReport(labels.names());
    for (int i = 0; i < data.size(); i++) {
      LabelledText row = data.get(i);
      record(report, labels, row, mapper.applyAsInt(row.label()), EncoderResult.of(scores.get(i), null));
    }
    return report;
  }

  /**
   * Encodes every message after an earlier, unrelated message of the same file (chosen at random with
   * {@code seed}), as in a stream where a key's context carries over, and compares the newest message's
   * prediction with its label: for recurrent models from the state that message left, for attention models with
   * its tokens as the context window (at most {@code windowTokens}).
   */
  public ClassificationReport evaluateAfterContext(List<LabelledText> data, int batchSize, long seed,
                                                   int windowTokens) throws EncodingException {
    if (model.manifest().isRecurrent()) {
      return evaluateAfterContext(data, batchSize, seed);
    }
    try (ContextualEncoder encoder = model.newContextualEncoder(batchSize, false)) {
      List<EncoderResult> results = afterContext(data, batchSize, seed, (batch, earlier) -> {
        List<long[]> contexts = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
          contexts.add(ContextWindow.EMPTY.appendMessage(earlier.get(i).ids(), 0, windowTokens)
              .tokensFitting(batch.get(i).length(), model.maxTokens()));
        }
        return encoder.encode(batch, contexts);
      });
      return report(data, results.stream().map(EncoderResult::scores).toList());
    }
  }

  /** {@link #evaluateAfterContext(List, int, long, int)} for a recurrent model (it has no window). */
  public ClassificationReport evaluateAfterContext(List<LabelledText> data, int batchSize, long seed)
      throws EncodingException {
    return report(data, resultsAfterContext(data, batchSize, seed).stream().map(EncoderResult::scores).toList());
  }

  /**
   * A recurrent model's result of every message read from the state another, random message of the file left
   * (the pairing of {@link #evaluateAfterContext(List, int, long)}), in file order.
   */
  public List<EncoderResult> resultsAfterContext(List<LabelledText> data, int batchSize, long seed)
      throws EncodingException {
    try (RecurrentEncoder encoder = model.newRecurrentEncoder(batchSize)) {
      return afterContext(data, batchSize, seed, (batch, earlier) -> {
        List<float[]> states = new ArrayList<>(earlier.size());
        for (RecurrentResult r : encoder.encode(earlier, null)) {
          states.add(r.finalState());
        }
        List<EncoderResult> results = new ArrayList<>(batch.size());
        for (RecurrentResult r : encoder.encode(batch, states)) {
          results.add(r.result());
        }
        return results;
      });
    }
  }

  /** How a model reads a batch of messages, each after its own earlier message. */
  @FunctionalInterface
  private interface AfterEarlier {
    List<EncoderResult> encode(List<TokenizedText> batch, List<TokenizedText> earlier) throws EncodingException;
  }

  /** Pairs each message with a random other one of the file and returns how {@code read} reads it after that one. */
  private List<EncoderResult> afterContext(List<LabelledText> data, int batchSize, long seed, AfterEarlier read)
      throws EncodingException {
    if (data.size() < 2) {
      throw new IllegalArgumentException("evaluating after a context needs at least 2 messages");
    }
    List<TokenizedText> tokens = tokenize(data);
    java.util.Random random = new java.util.Random(seed);
    List<EncoderResult> out = new ArrayList<>(data.size());
    for (int start = 0; start < tokens.size(); start += batchSize) {
      int end = Math.min(tokens.size(), start + batchSize);
      List<TokenizedText> earlier = new ArrayList<>(end - start);
      for (int i = start; i < end; i++) {
        int j = random.nextInt(tokens.size() - 1);
        earlier.add(tokens.get(j >= i ? j + 1 : j));
      }
      out.addAll(read.encode(tokens.subList(start, end), earlier));
    }
    return out;
  }

  /** Counts one prediction among {@code labels}, and keeps it as a miss when it is wrong. */
  private static void record(ClassificationReport report, Labels labels, LabelledText row, int modelTruth,
                             EncoderResult r) {
    int truth = labels.local(modelTruth);
    int predicted = labels.predict(r.scores());
    report.add(truth, predicted, r.scores()[labels.modelIndex()[predicted]]);
    if (truth != predicted) {
      report.miss(row.text(), truth, predicted, r.scores()[labels.modelIndex()[predicted]]);
    }
  }

  /**
   * Times tokenizing and encoding {@code messages} messages (cycling through {@code data}) in batches of
   * {@code batchSize}, after {@code warmupBatches} untimed batches, batches split by length as the stream does.
   */
  public Cost cost(List<LabelledText> data, int batchSize, int messages, int warmupBatches)
      throws EncodingException {
    return cost(data, batchSize, messages, warmupBatches, true);
  }

  /** As {@link #cost(List, int, int, int)}, choosing whether batches are split into calls by length. */
  public Cost cost(List<LabelledText> data, int batchSize, int messages, int warmupBatches, boolean groupByLength)
      throws EncodingException {
    List<LabelledText> sample = new ArrayList<>(messages);
    for (int i = 0; i < messages; i++) {
      sample.add(data.get(i % data.size()));
    }
    try (TextEncoder encoder = model.newEncoder(batchSize, groupByLength)) {
      List<TokenizedText> warm = tokenize(sample.subList(0, Math.min(sample.size(), batchSize)));
      for (int i = 0; i < warmupBatches; i++) {
        encoder.encode(warm);
      }
      long t0 = System.nanoTime();
      List<TokenizedText> tokens = tokenize(sample);
      long t1 = System.nanoTime();
      for (int start = 0; start < tokens.size(); start += batchSize) {
        encoder.encode(tokens.subList(start, Math.min(tokens.size(), start + batchSize)));
      }
      long t2 = System.nanoTime();
      return new Cost(batchSize, groupByLength, messages, (t1 - t0) / 1e6 / messages, (t2 - t1) / 1e6 / messages);
    }
  }

  private List<TokenizedText> tokenize(List<LabelledText> data) {
    List<TokenizedText> out = new ArrayList<>(data.size());
    for (LabelledText row : data) {
      try {
        out.add(model.tokenizer().tokenize(row.text()));
      } catch (RejectedInputException e) {
        throw new IllegalArgumentException(String.format(Locale.ROOT, "cannot tokenize '%s': %s", row.text(),
            e.getMessage()), e);
      }
    }
    return out;
  }
}
