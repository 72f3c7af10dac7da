package io.streamnlp.app;

import io.streamnlp.evaluation.LabelledText;
import io.streamnlp.model.internals.ModelDirectory;
import io.streamnlp.text.RejectedInputException;
import io.streamnlp.text.internals.HuggingFaceTextTokenizer;
import java.io.BufferedWriter;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code streamnlp tokenize}: writes the token ids of a labelled file as the stream would make them. The
 * training recipe ({@code models/train}) trains on these ids, so training and serving share one tokenizer.
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
    description = "Tokenize a labelled file (.tsv/.csv/.jsonl) with a model's tokenizer; writes one line "
        + "per message: label<TAB>space-separated token ids.")
final class TokenizeCommand implements Callable<Integer> {

  @Option(names = "--model-dir", required = true, description = "Model directory whose tokenizer to use.")
  String modelDir;

  @Option(names = "--input", required = true, description = "Labelled file.")
  Path input;

  @Option(names = "--output", required = true, description = "Where to write the ids.")
  Path output;

  @Option(names = "--max-tokens", defaultValue = "128", description = "Truncate longer messages (default 128).")
  int maxTokens;

  @Mixin
  LabelledColumns columns;

  @Override
  public Integer call() throws Exception {
    List<LabelledText> rows = columns.read(input);
    ModelDirectory dir = ModelDirectory.open(modelDir);
    try (InputStream json = dir.openTokenizer();
         HuggingFaceTextTokenizer tokenizer = HuggingFaceTextTokenizer.load(json, maxTokens);
         BufferedWriter out = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
      StringBuilder line = new StringBuilder();
      for (LabelledText row : rows) {
        long[] ids;
        try {
          ids = tokenizer.tokenize(row.text()).ids();
        } catch (RejectedInputException e) {
          throw new IllegalArgumentException("cannot tokenize '" + row.text() + "': " + e.getMessage(), e);
        }
        line.setLength(0);
        line.append(row.label()).append('\t');
        for (int i = 0; i < ids.length; i++) {
          line.append(i == 0 ? "" : " ").append(ids[i]);
        }
        out.write(line.append('\n').toString());
      }
    }
    System.out.println("tokenized " + rows.size() + " messages from " + input + " into " + output);
    return 0;
  }
}
