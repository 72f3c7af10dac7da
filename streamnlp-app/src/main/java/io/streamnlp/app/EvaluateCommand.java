package io.streamnlp.app;

import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.evaluation.ClassificationReport;
import io.streamnlp.evaluation.ConversationEvaluation;
import io.streamnlp.evaluation.Conversations.Kind;
import io.streamnlp.evaluation.Conversations;
import io.streamnlp.evaluation.Evaluator;
import io.streamnlp.evaluation.LabelledText;
import io.streamnlp.evaluation.SimilarityEvaluation;
import io.streamnlp.model.internals.ModelDirectory;
import io.streamnlp.model.internals.OnnxModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
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
  enum Encoder { ATTENTION, RNN }

  @Option(names = "--encoder", defaultValue = "attention",
      description = "Which shipped model to use when --model-dir is not given: ${COMPLETION-CANDIDATES} "
          + "(default ${DEFAULT-VALUE}).")
  Encoder encoder;

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

  @Override
  public Integer call() throws Exception {
    if (batchSize < 1) {
      throw new IllegalArgumentException("--batch-size must be at least 1");
    }
    if (data == null && similarity == null && conversations == null) {
      throw new IllegalArgumentException("give --data (a labelled file), --similarity (scored pairs), "
          + "--conversations or several");
    }
    String dir = modelDir != null ? modelDir : encoder == Encoder.RNN
        ? StreamNlpConfig.RNN_MODEL_DIR_DEFAULT : StreamNlpConfig.ATTENTION_MODEL_DIR_DEFAULT;
    PrintWriter out = spec.commandLine().getOut();
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
      if (data != null) {
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
    out.println(String.format(Locale.ROOT, "%s%s %s (%s) on %s (%d conversations)%s:%n", markdown ? "**" : "",
        model.info().name(), model.info().version(), model.info().kind(), conversations.getFileName(),
        r.conversations(), (model.manifest().isRecurrent() ? ", hidden state carried through every message"
            : r.windowTokens() > 0 ? ", context window " + r.windowTokens() + " tokens" : ", no context window")
            + (markdown ? "**" : "")));
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

  private void classify(OnnxModel model, String dir, PrintWriter out) throws Exception {
    List<LabelledText> rows = columns.read(data);
    if (rows.isEmpty()) {
      throw new IllegalArgumentException(data + " holds no labelled messages");
    }
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
