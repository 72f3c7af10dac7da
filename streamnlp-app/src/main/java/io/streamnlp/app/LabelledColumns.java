package io.streamnlp.app;

import io.streamnlp.evaluation.LabelledText;
import io.streamnlp.evaluation.LabelledTextReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** The column options shared by the commands that read labelled files (a picocli mixin). */
final class LabelledColumns {

  @Option(names = "--text-field", description = "Text column (default: text, else sentence).")
  String textField;

  @Option(names = "--label-field", defaultValue = LabelledTextReader.DEFAULT_LABEL_FIELD,
      description = "Label column: label names or indexes (default label).")
  String labelField;

  List<LabelledText> read(Path file) throws IOException {
    return LabelledTextReader.read(file, textField, labelField);
  }
}
