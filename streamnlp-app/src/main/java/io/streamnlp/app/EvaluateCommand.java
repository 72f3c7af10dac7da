package io.streamnlp.app;

import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.evaluation.CascadeEvaluation;
import io.streamnlp.evaluation.ClassificationReport;
import io.streamnlp.evaluation.ConversationEvaluation;
import io.streamnlp.evaluation.Conversations.Kind;
import io.streamnlp.evaluation.Conversations;
import io.streamnlp.evaluation.Evaluator;
import io.streamnlp.evaluation.LabelledText;
import io.streamnlp.evaluation.SimilarityEvaluation;
import io.streamnlp.model.internals.CascadeRule;
import io.streamnlp.model.internals.EncoderResult;
import io.streamnlp.model.internals.ModelDirectory;
import io.streamnlp.model.internals.ModelManifest;
import io.streamnlp.model.internals.OnnxModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code streamnlp evaluate}: accuracy, macro-F1 and confusion matrix of a model on a labelled file, and
 * the CPU cost of a message at batch 1 and at the stream's batch size, through the stream's own code.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Evaluate a model directory on a labelled file (.tsv/.csv/.jsonl with a text and a label "
        + "column): accuracy, macro-F1, confusion matrix, and milliseconds per message at batch 1 and 32.")
final class EvaluateCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--model-dir", description = "Model directory (default: the shipped model of --encoder).")
  String modelDir;

  /** The shipped models' kinds, for {@code --encoder}. */
  enum Encoder { ATTENTION, RNN, CASCADE }

  @Option(names = "--encoder", defaultValue = "attention",
      description = "Which shipped model to use when --model-dir is not given: ${COMPLETION-CANDIDATES} "
          + "(default ${DEFAULT-VALUE}). cascade: the rnn model (--model-dir, default the shipped GRU) reads every "
          + "message of --data (or of --conversations, from its key's state) and the attention model "
          + "(--cascade-model-dir) re-reads, alone, those below each of --thresholds, as encoder=cascade does in "
          + "the stream.")
  Encoder encoder;

  @Option(names = "--cascade-model-dir", defaultValue = StreamNlpConfig.ATTENTION_MODEL_DIR_DEFAULT,
      description = "With --encoder cascade: the attention model that re-reads (default ${DEFAULT-VALUE}).")
  String cascadeModelDir;

  @Option(names = "--thresholds", split = ",", defaultValue = "0.4,0.5,0.6,0.7,0.8",
      description = "With --encoder cascade: the cascade.threshold values measured (default ${DEFAULT-VALUE}).")
  double[] thresholds;

  @Option(names = "--data", description = "Labelled file.")
  Path data;

  @Option(names = "--similarity", description = "Scored sentence pairs (score<TAB>sentence1<TAB>sentence2, "
      + "as STS Benchmark): Spearman and Pearson correlation of the embeddings' cosine similarity with the "
      + "scores.")
  Path similarity;

  @Mixin
  LabelledColumns columns;

  @Option(names = "--conversations", description = "Conversations (JSON lines, as `streamnlp conversations` "
      + "writes them): each last message is read in its key's history (rnn: the carried state; attention: a "
      + "context window of --window-tokens) and alone; prints reply accuracy and the leak rate per distance.")
  Path conversations;

  @Option(names = "--window-tokens", defaultValue = "128",
      description = "With --conversations or --after-context and an attention model: the context window, as "
          + "attention.window.tokens (default 128).")
  int windowTokens;

  @Option(names = "--batch-size", defaultValue = "32", description = "Batch size of the accuracy pass and of "
      + "the second cost figure (default 32).")
  int batchSize;

  @Option(names = "--max-tokens", defaultValue = "128", description = "Truncate longer messages (default 128).")
  int maxTokens;

  @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads (0: one per "
      + "available processor, as the stream does).")
  int threads;

  @Option(names = "--cost-messages", defaultValue = "256",
      description = "Messages timed at each batch size; 0 skips the cost figures (default 256).")
  int costMessages;

  @Option(names = "--show-errors", defaultValue = "0",
      description = "Also print this many wrong predictions, most confident first (default 0).")
  int showErrors;

  @Option(names = "--after-context", description = "Also evaluate each message after another, random message "
      + "of the file, as a key's earlier message would come before it: rnn models continue from the state it "
      + "left, attention models read it as their context window (--window-tokens).")
  boolean afterContext;

  @Option(names = "--markdown", description = "Print Markdown (for model cards) instead of plain text.")
  boolean markdown;

  @Option(names = "--tag-shares", description = "For --data whose labels are not the model's (intents, topics): "
      + "instead of accuracy, the share of messages given each tag with its mean score, then per label of the file "
      + "the tag it gets most: what the model makes of text it has no labels for.")
  boolean tagShares;

  @Option(names = "--reliability", description = "Also print how confidence relates to accuracy: per band of the "
      + "predicted label's probability, the messages in it and the share right, and the expected calibration "
      + "error (to choose a threshold on the score).")
  boolean reliability;

  @Override
  public Integer call() throws Exception {
    if (batchSize < 1) {
      throw new IllegalArgumentException("--batch-size must be at least 1");
    }
    if (data == null && similarity == null && conversations == null) {
      throw new IllegalArgumentException("give --data (a labelled file), --similarity (scored pairs), "
          + "--conversations or several");
    }
    String dir = modelDir != null ? modelDir : encoder != Encoder.ATTENTION
        ? StreamNlpConfig.RNN_MODEL_DIR_DEFAULT : StreamNlpConfig.ATTENTION_MODEL_DIR_DEFAULT;
    PrintWriter out = spec.commandLine().getOut();
    if (encoder == Encoder.CASCADE) {
      if (similarity != null) {
        throw new IllegalArgumentException("--encoder cascade measures tags on --data and --conversations only "
            + "(its embedding is the rnn model's: evaluate that with --encoder rnn)");
      }
      // These read one model's scores; the cascade's table prints each model alone beside it, so rather than
      // ignore them, say which encoder to run them with.
      String oneModel = tagShares ? "--tag-shares" : reliability ? "--reliability" : showErrors > 0
          ? "--show-errors" : null;
      if (oneModel != null) {
        throw new IllegalArgumentException(oneModel + " reads one model: run it with --encoder rnn or "
            + "--encoder attention (--encoder cascade prints each model alone beside the cascade)");
      }
      cascade(dir, out);
      out.flush();
      return 0;
    }
    try (OnnxModel model = OnnxModel.load(ModelDirectory.open(dir),
        new OnnxModel.RuntimeOptions("cpu", 0, threads), maxTokens)) {
      if (similarity != null) {
        SimilarityEvaluation.Result r = SimilarityEvaluation.evaluate(model, SimilarityEvaluation.read(similarity),
            batchSize);
        out.println(String.format(Locale.ROOT, "%s%s %s (%s) embedding similarity on %s (%d pairs): Spearman %.4f, "
                + "Pearson %.4f (of cosine similarity with the gold scores)", markdown ? "- " : "",
            model.info().name(), model.info().version(), model.info().kind(), similarity.getFileName(), r.pairs(),
            r.spearman(), r.pearson()));
      }
      if (data != null && tagShares) {
        tagShares(model, dir, out);
      } else if (data != null) {
        classify(model, dir, out);
      }
      if (conversations != null) {
        conversations(model, out);
      }
      out.flush();
    }
    return 0;
  }

  private void conversations(OnnxModel model, PrintWriter out) throws Exception {
    ConversationEvaluation.Result r = ConversationEvaluation.evaluate(model,
        Conversations.read(conversations), windowTokens);
    printConversations(r, model.info().name() + " " + model.info().version() + " (" + model.info().kind() + ")",
        model.manifest().isRecurrent() ? ", hidden state carried through every message"
            : r.windowTokens() > 0 ? ", context window " + r.windowTokens() + " tokens" : ", no context window", out);
  }

  private void printConversations(ConversationEvaluation.Result r, String who, String how, PrintWriter out) {
    out.println(String.format(Locale.ROOT, "%s%s on %s (%d conversations)%s%s:%n", markdown ? "**" : "", who,
        conversations.getFileName(), r.conversations(), how, markdown ? "**" : ""));
    out.println("| distance (tokens) | replies | reply accuracy in context | agree | disagree | question "
        + "| where the earlier message is read right | the same replies alone | standalone neutral | leak rate |");
    out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (ConversationEvaluation.Point p : r.points()) {
      out.println(String.format(Locale.ROOT, "| %d | %d | %.1f %% | %.1f %% | %.1f %% | %.1f %% | %.1f %% (%d) "
              + "| %.1f %% | %d | %.1f %% |", p.distance(), p.replies(), 100 * p.replyAccuracy(),
          100 * p.accuracy(Kind.AGREE), 100 * p.accuracy(Kind.DISAGREE), 100 * p.accuracy(Kind.QUESTION),
          100 * p.replyAccuracyAnchorRead(), p.anchorsRead(), 100 * p.replyAccuracyAlone(), p.standalone(),
          100 * p.leakRate()));
    }
    out.println("\nReplies: agree (inherits the earlier message's polarity), disagree (the opposite), question "
        + "(neutral). 'Read right': the replies whose earlier polar message the model tags with its gold "
        + "polarity on its own (how many in brackets), so that memory shows apart from misreading that message. "
        + "Leak: a standalone neutral message tagged with the earlier message's polarity in context but not "
        + "alone.");
  }

  /** What a model tags a file with labels of its own (not the model's): shares overall and per file label. */
  private void tagShares(OnnxModel model, String dir, PrintWriter out) throws Exception {
    List<LabelledText> rows = labelledRows();
    List<String> tags = model.info().labels();
    List<EncoderResult> results = new Evaluator(model).results(rows, batchSize);
    int[] count = new int[tags.size()];
    double[] score = new double[tags.size()];
    Map<String, int[]> perLabel = new TreeMap<>();
    for (int i = 0; i < rows.size(); i++) {
      int t = results.get(i).labelIndex();
      count[t]++;
      score[t] += results.get(i).scores()[t];
      perLabel.computeIfAbsent(rows.get(i).label(), l -> new int[tags.size()])[t]++;
    }
    String header = String.format(Locale.ROOT, "%s %s (%s) from %s on %s (%d messages, %d labels of its own), batch "
        + "%d: the tags it gives", model.info().name(), model.info().version(), model.info().kind(), dir,
        data.getFileName(), rows.size(), perLabel.size(), batchSize);
    out.println(markdown ? "**" + header + "**\n" : header);
    out.println("| tag | messages | share | mean score |");
    out.println("|---|---:|---:|---:|");
    for (int t = 0; t < tags.size(); t++) {
      out.println(String.format(Locale.ROOT, "| %s | %d | %.1f %% | %s |", tags.get(t), count[t],
          100.0 * count[t] / rows.size(), count[t] == 0 ? "" : String.format(Locale.ROOT, "%.2f", score[t] / count[t])));
    }
    out.println("\n| file label | messages | its most frequent tag | share |");
    out.println("|---|---:|---|---:|");
    perLabel.forEach((label, n) -> {
      int top = 0;
      int total = 0;
      for (int t = 0; t < n.length; t++) {
        total += n[t];
        top = n[t] > n[top] ? t : top;
      }
      out.println(String.format(Locale.ROOT, "| %s | %d | %s | %.0f %% |", label, total, tags.get(top),
          100.0 * n[top] / total));
    });
  }

  private void classify(OnnxModel model, String dir, PrintWriter out) throws Exception {
    List<LabelledText> rows = labelledRows();
    Evaluator evaluator = new Evaluator(model);
    ClassificationReport report = evaluator.evaluate(rows, batchSize);
    String header = String.format(Locale.ROOT, "%s %s (%s) from %s on %s (%d messages), batch %d",
        model.info().name(), model.info().version(), model.info().kind(), dir, data.getFileName(),
        rows.size(), batchSize);
    out.println(markdown ? "**" + header + "**\n" : header);
    if (evaluator.readsBinaryPoles(rows)) {
      out.println(String.format(Locale.ROOT, "%slabels 0 and 1 read as %s and %s (binary sentiment, as GLUE's "
          + "SST-2 writes it)%s", markdown ? "_" : "",
          model.info().labels().get(model.info().polarity().negative()),
          model.info().labels().get(model.info().polarity().positive()),
          markdown ? "_\n" : ""));
    }
    if (report.labels().size() < model.info().labels().size()) {
      out.println(String.format(Locale.ROOT, "%sscored over the file's labels %s: each prediction is the most "
          + "probable of them (the model's labels are %s)%s", markdown ? "_" : "", report.labels(),
          model.info().labels(), markdown ? "_\n" : ""));
    }
    out.println(markdown ? report.toMarkdown() : plain(report));
    if (reliability) {
      out.println(String.format(Locale.ROOT, "%nReliability (expected calibration error %.3f):%n",
          report.reliability().expectedCalibrationError()));
      out.print(report.reliability().markdown());
    }
    List<ClassificationReport.Miss> misses = report.misses();
    if (showErrors > 0 && !misses.isEmpty()) {
      out.println(markdown ? "\nMost confident mistakes:\n" : "most confident mistakes:");
      for (ClassificationReport.Miss m : misses.subList(0, Math.min(showErrors, misses.size()))) {
        out.println(String.format(Locale.ROOT, "%s %s (%.2f), labelled %s: %s", markdown ? "-" : " ",
            report.labels().get(m.predictedLabel()), m.confidence(), report.labels().get(m.trueLabel()),
            m.text()));
      }
    }
    if (afterContext) {
      boolean rnn = model.manifest().isRecurrent();
      ClassificationReport carried = evaluator.evaluateAfterContext(rows, batchSize, 13, windowTokens);
      String how = rnn ? "continuing from the state left by another, random message"
          : "after another, random message as its context window (" + windowTokens + " tokens)";
      out.println(markdown ? "\nEach message " + how + " (seed 13):\n" : "\neach message " + how + ":");
      out.println(markdown ? carried.toMarkdown() : plain(carried));
    }
    if (costMessages > 0) {
      out.println(markdown ? "\nCPU cost per message (tokenize + encode, ONNX Runtime, "
          + Runtime.getRuntime().availableProcessors() + " cores):\n" : "cost per message:");
      Evaluator.Cost single = evaluator.cost(rows, 1, costMessages, 3);
      printCost(out, single, null, "");
      if (batchSize > 1) {
        printCost(out, evaluator.cost(rows, batchSize, costMessages, 3, true), single, ", calls of similar lengths");
        printCost(out, evaluator.cost(rows, batchSize, costMessages, 3, false), single,
            ", one call padded to its longest message");
      }
    }
  }

  private void cascade(String dir, PrintWriter out) throws Exception {
    ModelDirectory rnnDir = ModelDirectory.open(dir);
    ModelDirectory attentionDir = ModelDirectory.open(cascadeModelDir);
    ModelManifest r0 = rnnDir.manifest();
    ModelManifest a0 = attentionDir.manifest();
    if (!r0.isRecurrent() || a0.isRecurrent() || !r0.labels().equals(a0.labels())) {
      throw new IllegalArgumentException("--encoder cascade needs an rnn --model-dir and an attention "
          + "--cascade-model-dir with the same labels; got " + r0.name() + " (" + r0.kind() + ", " + r0.labels()
          + ") and " + a0.name() + " (" + a0.kind() + ", " + a0.labels() + ")");
    }
    OnnxModel.RuntimeOptions cpu = new OnnxModel.RuntimeOptions("cpu", 0, threads);
    try (OnnxModel rnn = OnnxModel.load(rnnDir, cpu, maxTokens);
         OnnxModel attention = OnnxModel.load(attentionDir, cpu, maxTokens)) {
      if (data != null) {
        cascadeTags(rnn, attention, out);
      }
      if (conversations != null) {
        List<Conversations.Conversation> convs = Conversations.read(conversations);
        List<CascadeRule> rules = new ArrayList<>();
        for (double threshold : thresholds) {
          rules.add(new CascadeRule(threshold, CascadeRule.Combine.ATTENTION));
        }
        // One rnn pass for every threshold; the first result is the rnn alone.
        List<ConversationEvaluation.Result> results =
            ConversationEvaluation.evaluateRnnAndCascade(rnn, attention, convs, rules);
        for (int i = 0; i < thresholds.length; i++) {
          double threshold = thresholds[i];
          ConversationEvaluation.Result r = results.get(i + 1);
          printConversations(r, "cascade " + rnn.info().name() + " " + rnn.info().version() + " + "
              + attention.info().name() + " " + attention.info().version() + ", threshold " + threshold,
              ", the rnn's state carried through every message, an unsure reading re-read alone", out);
          out.println();
        }
      }
    }
  }

  private void cascadeTags(OnnxModel rnn, OnnxModel attention, PrintWriter out) throws Exception {
    List<LabelledText> rows = labelledRows();
    Evaluator first = new Evaluator(rnn);
    Evaluator second = new Evaluator(attention);
    CascadeEvaluation.Result r = afterContext
        ? CascadeEvaluation.evaluateAfterContext(first, second, rows, batchSize, 13, thresholds)
        : CascadeEvaluation.evaluate(first, second, rows, batchSize, thresholds);
    double rnnCost = Double.NaN;
    double attentionCost = Double.NaN;
    if (costMessages > 0) {
      rnnCost = first.cost(rows, batchSize, costMessages, 3).encodeMillisPerMessage();
      attentionCost = second.cost(rows, batchSize, costMessages, 3).encodeMillisPerMessage();
    }
    out.println(String.format(Locale.ROOT, "%scascade on %s (%d messages, batch %d): %s %s reads every message, "
            + "%s %s re-reads those whose top score is below the threshold%s%s", markdown ? "**" : "",
        data.getFileName(), rows.size(), batchSize, rnn.info().name(), rnn.info().version(),
        attention.info().name(), attention.info().version(), afterContext ? "; the rnn model reads each "
            + "message from the state another, random message left (seed 13), as a key of unrelated messages "
            + "would" : "", markdown ? "**\n" : ""));
    out.println("| reading | re-read | accuracy | macro-F1 | macro-recall | model time per message |");
    out.println("|---|---:|---:|---:|---:|---:|");
    cascadeRow(out, rnn.info().name() + " alone", 0, r.rnnAlone(), rnnCost, attentionCost);
    cascadeRow(out, attention.info().name() + " alone", 1, r.attentionAlone(), attentionCost, attentionCost);
    for (CascadeEvaluation.Point p : r.points()) {
      cascadeRow(out, String.format(Locale.ROOT, "cascade, threshold %s, %s", p.threshold(),
          p.combine().name().toLowerCase(Locale.ROOT)), p.rereadShare(), p.report(),
          rnnCost + p.rereadShare() * attentionCost, attentionCost);
    }
    if (costMessages > 0) {
      out.println(String.format(Locale.ROOT, "%nModel time per message: each model's ONNX Runtime time at batch "
          + "%d (%.3f and %.3f ms, %d messages), the cascade's estimated as the rnn's plus the re-read share of "
          + "the transformer's; `bench` measures it end to end.", batchSize, rnnCost, attentionCost,
          costMessages));
    }
  }

  private static void cascadeRow(PrintWriter out, String reading, double share, ClassificationReport r,
                                 double millis, double attentionMillis) {
    out.println(String.format(Locale.ROOT, "| %s | %.1f %% | %.4f | %.4f | %.4f | %s |", reading, 100 * share,
        r.accuracy(), r.macroF1(), r.macroRecall(), Double.isNaN(millis) ? "" : String.format(Locale.ROOT,
            "%.3f ms (x%.2f)", millis, millis / attentionMillis)));
  }

  /** The messages of --data; none is an error. */
  private List<LabelledText> labelledRows() throws java.io.IOException {
    List<LabelledText> rows = columns.read(data);
    if (rows.isEmpty()) {
      throw new IllegalArgumentException(data + " holds no labelled messages");
    }
    return rows;
  }

  private void printCost(PrintWriter out, Evaluator.Cost c, Evaluator.Cost single, String how) {
    String speedUp = single == null ? "" : String.format(Locale.ROOT, "; %.2fx batch 1's messages/s",
        single.encodeMillisPerMessage() / c.encodeMillisPerMessage());
    out.println(String.format(Locale.ROOT, "%s batch %d%s: %.3f ms/message encode + %.3f ms/message tokenize "
        + "(%d messages%s)", markdown ? "-" : " ", c.batchSize(), how, c.encodeMillisPerMessage(),
        c.tokenizeMillisPerMessage(), c.messages(), speedUp));
  }

  private static String plain(ClassificationReport r) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "accuracy  %.4f (%d/%d)%nmacro-F1  %.4f%nmacro-recall  %.4f%n",
        r.accuracy(), r.correct(), r.total(), r.macroF1(), r.macroRecall()));
    sb.append(String.format(Locale.ROOT, "%-12s %9s %9s %9s %8s%n", "label", "precision", "recall", "F1",
        "support"));
    for (int l = 0; l < r.labels().size(); l++) {
      sb.append(String.format(Locale.ROOT, "%-12s %9.4f %9.4f %9.4f %8d%n", r.labels().get(l), r.precision(l),
          r.recall(l), r.f1(l), r.support(l)));
    }
    sb.append("confusion matrix (rows: true, columns: predicted)\n").append(String.format("%-12s", ""));
    r.labels().forEach(l -> sb.append(String.format(" %10s", l)));
    long[][] m = r.confusion();
    for (int t = 0; t < m.length; t++) {
      sb.append('\n').append(String.format("%-12s", r.labels().get(t)));
      for (long v : m[t]) {
        sb.append(String.format(" %10d", v));
      }
    }
    return sb.toString();
  }
}
