package io.streamnlp.app;

import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.evaluation.ClassificationReport;
import io.streamnlp.evaluation.LabelledText;
import io.streamnlp.model.internals.LinearHead;
import io.streamnlp.model.internals.ModelDirectory;
import io.streamnlp.model.internals.ModelManifest;
import io.streamnlp.model.internals.OnnxModel;
import io.streamnlp.stream.internals.DeadLetterPolicy;
import io.streamnlp.training.Baselines;
import io.streamnlp.training.Embedder;
import io.streamnlp.training.HeadEvaluation;
import io.streamnlp.training.HeadSearch;
import io.streamnlp.training.LinearHeadTrainer;
import io.streamnlp.training.TrainedModelWriter;
import io.streamnlp.training.TrainingData;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code streamnlp train}: a classifier for the user's own labels on the frozen sentence embedding of an attention
 * model, in minutes on a CPU, written as a model directory that {@code run}, {@code evaluate}, {@code bench} and
 * the library load like any other.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = {"Train a classifier for your own labels on a labelled file (.tsv/.csv/.jsonl with a text and a "
        + "label column, as evaluate reads): every message is embedded by the base model, a linear head (logistic "
        + "regression per label, regularisation chosen on the dev file) is trained on the embeddings and "
        + "calibrated, and the result is written as a model directory (model.dir=DIR)."})
final class TrainCommand implements Callable<Integer> {
  /** BANKING77 dev accuracy of a head on the GRU's embedding, read from the zero state (this project's run). */
  private static final String RNN_REFUSAL = "train needs an attention base: an rnn model's embedding is its state "
      + "after the message, which in the stream depends on the key's history, so a head trained on messages read "
      + "alone would misread conversations (and the shipped GRU's embedding holds sentiment, not meaning: 58 % on "
      + "BANKING77 dev against 93 % for the transformer's). Give --base an attention model.";

  @Spec
  CommandSpec spec;

  @Option(names = "--data", required = true, description = "Labelled training file.")
  Path data;

  @Option(names = "--dev", description = "Labelled dev file: chooses the regularisation and calibrates the scores "
      + "(default: a seeded tenth of each label of --data, held out).")
  Path dev;

  @Option(names = "--base", defaultValue = StreamNlpConfig.ATTENTION_MODEL_DIR_DEFAULT,
      description = "The attention model whose embedding the head reads (default ${DEFAULT-VALUE}).")
  String base;

  @Mixin
  ModelOutput output;

  @Mixin
  LabelledColumns columns;

  @Option(names = "--labels", split = ",", description = "Train on these labels only (their messages; the others' "
      + "are left out).")
  List<String> labels = new ArrayList<>();

  @Option(names = "--per-label", defaultValue = "0", description = "Train on at most this many messages per label, "
      + "drawn with --seed (default 0: all): how well a few examples per label do.")
  int perLabel;

  @Option(names = "--balanced", description = "Weight each label's messages by the inverse of its count, for labels "
      + "of very different frequencies.")
  boolean balanced;

  @Option(names = "--polarity", description = "POSITIVE,NEGATIVE: two labels that are poles, so results carry "
      + "polarity = p(positive) - p(negative).")
  String polarity;

  @Option(names = "--c", split = ",", defaultValue = "1,3,10,30,100,300", description = "Regularisation values "
      + "tried (LIBLINEAR's C, the inverse strength) in increasing order, while held-out accuracy grows; the best "
      + "is kept (default ${DEFAULT-VALUE}).")
  double[] cValues;

  @Option(names = "--min-gain", defaultValue = "1.0", description = "Percentage points of held-out accuracy a larger "
      + "C must add for the next one to be tried when a fit takes more than 5 s (default ${DEFAULT-VALUE}): a "
      + "larger C takes the solver longer, and past the knee it buys a fraction of a point.")
  double minGain;

  /** A fit quicker than this is cheap enough to try the next C whatever it gained. */
  private static final double QUICK_FIT_SECONDS = 5;

  /** Which features the head reads, for {@code --features}. */
  enum Features { AUTO, EMBEDDING, WITH_BASE_SCORES }

  @Option(names = "--features", defaultValue = "auto", description = "What the head reads: embedding (the base's "
      + "sentence embedding), with_base_scores (the embedding and the base's own class probabilities, for labels "
      + "akin to the base's: sentiment in another domain), or auto (default: both are tried when a fit is quick, "
      + "under 5 s, and the better on the held-out messages kept; the embedding alone otherwise).")
  Features featureChoice;

  /** Whether each label's name is one more training message of that label, for {@code --label-names}. */
  enum LabelNames { AUTO, YES, NO }

  @Option(names = "--label-names", defaultValue = "auto", description = "Add each label's name, read as a sentence "
      + "(lost_or_stolen_card: \"lost or stolen card\"), as one more training message of it: yes, no, or auto "
      + "(default: tried when a fit is quick and kept if it does better on the held-out messages; it helps with a "
      + "few examples per label and names that say what they mean).")
  LabelNames labelNames;

  @Option(names = "--seed", defaultValue = "13", description = "Seed of the hold-out, of --per-label samples and of "
      + "the solver (default 13).")
  long seed;

  @Option(names = "--batch-size", defaultValue = "32", description = "Messages embedded per model call (default 32).")
  int batchSize;

  @Option(names = "--max-tokens", defaultValue = "128", description = "Truncate longer messages (default 128), as "
      + "max.tokens does in the stream.")
  int maxTokens;

  @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads, and labels trained "
      + "at once (0: one per available processor).")
  int threads;

  @Override
  public Integer call() throws Exception {
    long start = System.nanoTime();
    PrintWriter w = spec.commandLine().getOut();
    output.checkWritable();
    Path out = output.out;
    String version = output.version;
    List<LabelledText> trainFile = columns.read(data);
    List<LabelledText> devFile = dev == null ? null : columns.read(dev);
    TrainingData d = TrainingData.of(data.toString(), trainFile, dev == null ? null : dev.toString(), devFile,
        new LinkedHashSet<>(labels), perLabel, seed);
    String[] poles = poles(d.labels());
    ModelDirectory baseDir = ModelDirectory.open(base);
    ModelManifest bm = baseDir.manifest();
    if (bm.isRecurrent()) {
      throw new IllegalArgumentException(RNN_REFUSAL);
    }
    if (bm.embeddingDim() == 0) {
      throw new IllegalArgumentException("the base model " + bm.name() + " gives no embedding (a logits-only "
          + "classifier): give --base a model with an embedding output");
    }
    int cores = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    w.printf(Locale.ROOT, "streamnlp train: %,d messages of %d labels to train on, %,d held out (%s); base %s %s%n",
        d.train().size(), d.labels().size(), d.dev().size(),
        d.heldOutFromTraining() ? "a tenth of " + data.getFileName() : dev.getFileName(), bm.name(), bm.version());
    Embedder.Embedded trainE;
    Embedder.Embedded devE;
    Embedder.Embedded nameE;
    try (OnnxModel model = OnnxModel.load(baseDir, new OnnxModel.RuntimeOptions("cpu", 0, threads), maxTokens)) {
      Embedder embedder = new Embedder(model, batchSize, w);
      trainE = embedder.embed(TrainingData.texts(d.train()), "training messages");
      devE = embedder.embed(TrainingData.texts(d.dev()), "held-out messages");
      nameE = embedder.embed(d.labels().stream().map(Baselines::sentence).toList(), "label names");
    }
    float[][] trainX = trainE.embeddings();
    float[][] devX = devE.embeddings();
    double embedSeconds = (System.nanoTime() - start) / 1e9;
    int[] trainY = TrainingData.indexes(d.labels(), d.train());
    int[] devY = TrainingData.indexes(d.labels(), d.dev());
    int k = d.labels().size();

    boolean baseHasTag = "logits".equalsIgnoreCase(bm.head().type()) && bm.outputs().logits() != null;
    if (featureChoice == Features.WITH_BASE_SCORES && !baseHasTag) {
      throw new IllegalArgumentException("--features with_base_scores: the base model " + bm.name() + " has no tag "
          + "of its own (a logits head) to read");
    }
    LinearHeadTrainer trainer = new LinearHeadTrainer(cores, seed);
    HeadSearch search = new HeadSearch(trainer, cValues, minGain, QUICK_FIT_SECONDS, balanced, w);
    // The first candidate is what was asked for (the embedding alone, without label names, in auto); the
    // others only when its fits were quick, since each walks the grid again.
    List<Variant> variants = variants(baseHasTag);
    Variant chosen = variants.get(0);
    HeadSearch.Best best = search.walk(chosen.candidate(trainE, devE, nameE, trainY), k, devY);
    String untried = variants.size() == 1 ? null : "not tried: a fit takes more than " + (int) QUICK_FIT_SECONDS
        + " s here; --features and --label-names choose them";
    if (variants.size() > 1 && search.lastFitWasQuick()) {
      untried = null;
      for (Variant v : variants.subList(1, variants.size())) {
        HeadSearch.Best b = search.walk(v.candidate(trainE, devE, nameE, trainY), k, devY);
        if (b.accuracy() > best.accuracy()) {
          best = b;
          chosen = v;
        }
      }
    }
    String features = chosen.withBaseScores() ? LinearHead.WITH_BASE_SCORES : LinearHead.EMBEDDING;
    float[][] fitX = best.candidate().x();
    int[] fitY = best.candidate().y();
    float[][] checkX = best.candidate().devX();
    double bestC = best.c();
    double temperature = LinearHeadTrainer.fitTemperature(best.weights(), checkX, devY);
    HeadEvaluation evaluation = new HeadEvaluation(d.labels(), best.weights(), temperature, checkX, devY);
    HeadEvaluation uncalibrated = new HeadEvaluation(d.labels(), best.weights(), 1.0, checkX, devY);
    double centroid = Baselines.nearestCentroid(trainX, trainY, k, devX, devY);
    double names = Baselines.nearest(nameE.embeddings(), devX, devY);
    LinearHeadTrainer.Weights shipped = best.weights();
    if (d.heldOutFromTraining()) {
      // The held-out tenth chose C and the temperature; the head written is trained on all of --data.
      shipped = trainer.fit(concat(fitX, checkX), concat(fitY, devY), k, bestC, balanced);
    }

    String modelName = output.modelName();
    LinearHead.File head = new LinearHead.File(LinearHead.FORMAT, features, d.labels(), temperature,
        shipped.w(), shipped.b());
    Map<String, Object> trainedFrom = new LinkedHashMap<>();
    trainedFrom.put("data", fileFacts(data, trainFile.size()));
    trainedFrom.put("dev", dev == null ? "a seeded tenth of each label of the training file" : fileFacts(dev,
        devFile.size()));
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("classifier", "L2-regularised logistic regression per label (LIBLINEAR dual, one against the rest), "
        + "softmax with a fitted temperature");
    settings.put("features", features);
    settings.put("labelNamesAsExamples", chosen.labelNames());
    settings.put("c", bestC);
    String kept = chosen.name();
    settings.put("cTried", search.trials().stream().filter(t -> t.candidate().equals(kept))
        .map(HeadSearch.Trial::c).toList());
    settings.put("temperature", temperature);
    settings.put("balanced", balanced);
    settings.put("labelsKept", labels.isEmpty() ? "all" : labels);
    settings.put("perLabel", perLabel == 0 ? "all" : perLabel);
    settings.put("seed", seed);
    settings.put("maxTokens", maxTokens);
    settings.put("trainedOn", d.heldOutFromTraining() ? "all of the training file" : "the training file");
    trainedFrom.put("settings", settings);
    trainedFrom.put("trainedAt", Instant.now().toString());
    double seconds = (System.nanoTime() - start) / 1e9;
    String markdown = report(modelName, bm, d, search.trials(), best, temperature, evaluation, uncalibrated,
        centroid, names, embedSeconds, seconds, untried);
    TrainedModelWriter.write(out, baseDir, modelName, version, d.labels(), poles, head, trainedFrom, markdown,
        card(modelName, bm, d, evaluation));
    ClassificationReport r = evaluation.report();
    w.printf(Locale.ROOT, "Wrote %s (model %s %s, %d labels) in %.0f s: held-out accuracy %.1f %%, macro-F1 %.3f "
            + "(nearest centroid %.1f %%, label names %.1f %%); C=%s, temperature %.3f.%n", out, modelName, version, k,
        seconds, 100 * r.accuracy(), r.macroF1(), 100 * centroid, 100 * names, HeadSearch.format(bestC), temperature);
    w.printf("Stream it with model.dir=%s (encoder=attention); its figures are in %s.%n", out,
        out.resolve("evaluation.md"));
    return 0;
  }

  private String[] poles(List<String> known) {
    if (polarity == null) {
      return null;
    }
    String[] p = polarity.split(",");
    if (p.length != 2 || !known.contains(p[0].trim()) || !known.contains(p[1].trim()) || p[0].equals(p[1])) {
      throw new IllegalArgumentException("--polarity takes two different labels, POSITIVE,NEGATIVE, of " + known);
    }
    return new String[] {p[0].trim(), p[1].trim()};
  }

  private static Map<String, Object> fileFacts(Path file, int messages) throws java.io.IOException {
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("file", file.getFileName().toString());
    facts.put("sha256", DeadLetterPolicy.sha256(Files.readAllBytes(file)));
    facts.put("messages", messages);
    return facts;
  }

  private static String report(String modelName, ModelManifest bm, TrainingData d, List<HeadSearch.Trial> trials,
                               HeadSearch.Best best, double temperature, HeadEvaluation e,
                               HeadEvaluation uncalibrated, double centroid, double names, double embedSeconds,
                               double seconds, String untried) {
    ClassificationReport r = e.report();
    StringBuilder s = new StringBuilder();
    s.append("# ").append(modelName).append(": evaluation\n\n")
        .append(String.format(Locale.ROOT, "Written by `streamnlp train` (%d CPU cores, %.0f s in all, %.0f s of it "
                + "embedding): a linear head on the frozen embedding of %s %s, %,d training messages of %d labels, "
                + "figures on %,d held-out messages (%s).%n%n", Runtime.getRuntime().availableProcessors(), seconds,
            embedSeconds, bm.name(), bm.version(), d.train().size(), d.labels().size(), d.dev().size(),
            d.heldOutFromTraining() ? "a seeded tenth of each label of the training file; the head written was "
                + "then trained on all of it" : "the dev file"))
        .append("## Held-out figures\n\n| head | accuracy | macro-F1 | macro-averaged recall |\n|---|---:|---:|---:|\n")
        .append(String.format(Locale.ROOT, "| this model's linear head | %.1f %% | %.3f | %.3f |%n", 100 * r.accuracy(),
            r.macroF1(), r.macroRecall()))
        .append(String.format(Locale.ROOT, "| nearest label centroid, same embedding | %.1f %% | | |%n", 100 * centroid))
        .append(String.format(Locale.ROOT, "| label names as prototypes (zero-shot) | %.1f %% | | |%n%n", 100 * names))
        .append("## Features and regularisation (chosen on the held-out messages)\n\n"
            + "The head reads `").append(best.candidate().name()).append("`. Each way of building the features "
            + "walks C upwards while held-out accuracy grows; the best fit of all is kept.\n\n"
            + "| features | C | held-out accuracy | seconds |\n|---|---:|---:|---:|\n");
    for (HeadSearch.Trial t : trials) {
      boolean kept = t.candidate().equals(best.candidate().name()) && t.c() == best.c();
      s.append(String.format(Locale.ROOT, "| %s | %s%s | %.1f %% | %.1f |%n", t.candidate(),
          HeadSearch.format(t.c()), kept ? " (kept)" : "", 100 * t.accuracy(), t.seconds()));
    }
    if (untried != null) {
      s.append("\nOther features ").append(untried).append(".\n");
    }
    s.append(String.format(Locale.ROOT, "%n## Calibration%n%nScores are softmax(raw / T) with T = %.3f fitted on the "
            + "held-out messages (expected calibration error %.3f; %.3f with T = 1). How confidence relates to "
            + "accuracy, to choose a threshold:%n%n", temperature, e.expectedCalibrationError(),
        uncalibrated.expectedCalibrationError()))
        .append(e.reliabilityMarkdown())
        .append("\n## Most confused labels (held out)\n\n| true label | predicted as | messages |\n|---|---|---:|\n");
    for (String[] p : e.mostConfused(10)) {
      s.append("| ").append(p[0]).append(" | ").append(p[1]).append(" | ").append(p[2]).append(" |\n");
    }
    s.append("\n## Per label (held out)\n\n| label | messages | recall | precision | F1 |\n|---|---:|---:|---:|---:|\n");
    for (int i = 0; i < r.labels().size(); i++) {
      s.append(String.format(Locale.ROOT, "| %s | %d | %.3f | %.3f | %.3f |%n", r.labels().get(i), r.support(i),
          r.recall(i), r.precision(i), r.f1(i)));
    }
    return s.toString();
  }

  private static String card(String modelName, ModelManifest bm, TrainingData d, HeadEvaluation e) {
    return "# " + modelName + "\n\n"
        + "<!-- A skeleton written by `streamnlp train`: complete it before others rely on the model. "
        + "A retrain leaves this file as it is; evaluation.md is rewritten. -->\n\n"
        + "## What it does\n\nTags a message with one of " + d.labels().size() + " labels: "
        + String.join(", ", d.labels()) + ". TODO: what the labels mean, and who acts on them.\n\n"
        + "## How it was made\n\nA linear head (logistic regression per label, calibrated) trained by `streamnlp "
        + "train` on the frozen sentence embedding of " + bm.name() + " " + bm.version() + " (see its card). The "
        + "manifest's `trainedFrom` names the data files (with their SHA-256) and every setting.\n\n"
        + "## Data\n\nTODO: where the labelled messages came from, how they were labelled, what they leave out.\n\n"
        + String.format(Locale.ROOT, "## Figures%n%nHeld-out accuracy %.1f %%, macro-F1 %.3f (evaluation.md has the "
            + "baselines, the calibration and the most confused labels). TODO: figures on data the model must "
            + "serve, with `streamnlp evaluate --model-dir`.%n%n", 100 * e.report().accuracy(), e.report().macroF1())
        + "## Known failure cases\n\nTODO: from evaluation.md's most confused labels and `evaluate --show-errors`.\n\n"
        + "## What a frozen encoder cannot learn\n\nThe encoder is not trained: a distinction its embedding does not "
        + "make (a word it splits into meaningless pieces, a domain it never saw) stays invisible to the head. "
        + "When that matters, fine-tune the encoder itself (models/train in the streamnlp repository).\n";
  }

  /** One way of building the head's features: with the base's class probabilities, with the label names. */
  private record Variant(boolean withBaseScores, boolean labelNames) {
    String name() {
      return (withBaseScores ? "embedding and base scores" : "embedding") + (labelNames ? ", label names added" : "");
    }

    HeadSearch.Candidate candidate(Embedder.Embedded train, Embedder.Embedded dev, Embedder.Embedded names,
                                   int[] trainY) {
      float[][] x = withBaseScores ? withScores(train.embeddings(), train.baseScores()) : train.embeddings();
      float[][] devX = withBaseScores ? withScores(dev.embeddings(), dev.baseScores()) : dev.embeddings();
      int[] y = trainY;
      if (labelNames) {
        // Each label's name, read as a sentence, as one more training message of that label: with a few
        // examples per label it anchors the label where the encoder puts its meaning.
        x = concat(x, withBaseScores ? withScores(names.embeddings(), names.baseScores()) : names.embeddings());
        int[] own = new int[names.embeddings().length];
        for (int i = 0; i < own.length; i++) {
          own[i] = i;
        }
        y = concat(trainY, own);
      }
      return new HeadSearch.Candidate(name(), x, y, devX);
    }
  }

  /** The candidates to try, the one asked for (or the plainest, in auto) first. */
  private List<Variant> variants(boolean baseHasTag) {
    List<Boolean> base = switch (featureChoice) {
      case EMBEDDING -> List.of(false);
      case WITH_BASE_SCORES -> List.of(true);
      case AUTO -> baseHasTag ? List.of(false, true) : List.of(false);
    };
    List<Boolean> named = switch (labelNames) {
      case NO -> List.of(false);
      case YES -> List.of(true);
      case AUTO -> List.of(false, true);
    };
    List<Variant> variants = new ArrayList<>();
    for (boolean b : base) {
      for (boolean n : named) {
        variants.add(new Variant(b, n));
      }
    }
    return variants;
  }

  /** Each row's embedding followed by the base's class probabilities. */
  private static float[][] withScores(float[][] x, float[][] scores) {
    float[][] out = new float[x.length][];
    for (int i = 0; i < x.length; i++) {
      out[i] = java.util.Arrays.copyOf(x[i], x[i].length + scores[i].length);
      System.arraycopy(scores[i], 0, out[i], x[i].length, scores[i].length);
    }
    return out;
  }

  private static float[][] concat(float[][] a, float[][] b) {
    float[][] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  private static int[] concat(int[] a, int[] b) {
    int[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
