package io.streamnlp.app;

import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.evaluation.Conversations;
import io.streamnlp.evaluation.LabelledText;
import io.streamnlp.model.internals.ModelDirectory;
import io.streamnlp.text.RejectedInputException;
import io.streamnlp.text.internals.HuggingFaceTextTokenizer;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code streamnlp conversations}: generates context-dependent conversations (JSON lines) from labelled
 * messages, for {@code evaluate --conversations} and for training models that read a key's history.
 */
@Command(name = "conversations", mixinStandardHelpOptions = true,
    description = "Generate conversations whose last message only has a sentiment in its key's context (agree, "
        + "disagree, question) or must keep its own (standalone), from labelled messages; one JSON object per "
        + "line, seeded.")
final class ConversationsCommand implements Callable<Integer> {

  @Option(names = "--data", required = true, split = ",",
      description = "Labelled files (.tsv/.csv/.jsonl; labels negative, neutral, positive) to draw messages from.")
  List<Path> data;

  @Option(names = "--out", required = true, description = "Where to write the conversations.")
  Path out;

  @Option(names = "--distances", split = ",", defaultValue = "0,16,32,64,128,256,512,1024",
      description = "Tokens of neutral filler between the polar message and the last one (default "
          + "0,16,32,64,128,256,512,1024).")
  int[] distances;

  @Option(names = "--per-kind", defaultValue = "50",
      description = "Conversations of each kind (agree, disagree, question, standalone) per distance (default 50).")
  int perKind;

  @Option(names = "--seed", defaultValue = "13", description = "Seed (default 13).")
  long seed;

  @Option(names = "--phrasings", defaultValue = "HELD_OUT",
      description = "Reply phrasings: HELD_OUT (default; no shipped model was trained on them) or TRAIN (the "
          + "training recipe's).")
  Conversations.Phrasings phrasings;

  @Option(names = "--stale-share", defaultValue = "0",
      description = "Share of conversations that open with an older polar message of random polarity, which the "
          + "anchor overrides (default 0).")
  double staleShare;

  /** How the anchors' polarity is drawn, for {@code --polarity}. */
  enum Polarity { BALANCED, NATURAL }

  @Option(names = "--polarity", defaultValue = "balanced",
      description = "Anchors' polarity: balanced (default; half positive, half negative) or natural (the data's "
          + "shares).")
  Polarity polarity;

  @Option(names = "--with-ids", description = "Also write each message's token ids (the model's tokenizer), for "
      + "the training recipe.")
  boolean withIds;

  @Option(names = "--model-dir", description = "Model whose tokenizer measures distances (default: the shipped "
      + "attention model).")
  String modelDir;

  @Mixin
  LabelledColumns columns;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (perKind < 1) {
      throw new IllegalArgumentException("--per-kind must be at least 1");
    }
    List<LabelledText> pool = new ArrayList<>();
    for (Path file : data) {
      pool.addAll(columns.read(file));
    }
    ModelDirectory dir = ModelDirectory.open(modelDir != null ? modelDir : StreamNlpConfig.ATTENTION_MODEL_DIR_DEFAULT);
    List<Conversations.Conversation> conversations;
    try (InputStream json = dir.openTokenizer();
         HuggingFaceTextTokenizer tokenizer = HuggingFaceTextTokenizer.load(json, dir.manifest().maxTokens())) {
      conversations = Conversations.generate(pool, distances, perKind, seed,
          text -> tokenize(tokenizer, text).length - 2, new Conversations.Options(phrasings, staleShare, balanced()));
      if (withIds) {
        conversations = conversations.stream().map(c -> new Conversations.Conversation(c.id(), c.kind(),
            c.distance(), c.polarity(), c.messages().stream()
                .map(m -> m.withIds(tokenize(tokenizer, m.text()))).toList())).toList();
      }
    }
    Conversations.write(conversations, out);
    PrintWriter w = spec.commandLine().getOut();
    w.printf("wrote %d conversations (%d distances x 4 kinds x %d) from %d labelled messages to %s%n",
        conversations.size(), distances.length, perKind, pool.size(), out);
    w.flush();
    return 0;
  }

  private boolean balanced() {
    return polarity == Polarity.BALANCED;
  }

  private static long[] tokenize(HuggingFaceTextTokenizer tokenizer, String text) {
    try {
      return tokenizer.tokenize(text).ids();
    } catch (RejectedInputException e) {
      throw new IllegalArgumentException("cannot tokenize '" + text + "': " + e.getMessage(), e);
    }
  }
}
