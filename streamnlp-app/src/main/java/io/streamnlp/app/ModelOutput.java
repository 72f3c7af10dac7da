package io.streamnlp.app;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options of the commands that write a model directory (a picocli mixin): where, its name and version. */
final class ModelOutput {

  @Option(names = "--out", required = true, description = "Model directory to write (e.g. models/my-model).")
  Path out;

  @Option(names = "--name", description = "Model name written into every result (default: the --out folder name).")
  String name;

  @Option(names = "--model-version", defaultValue = "1.0.0", description = "Model version (default 1.0.0).")
  String version;

  @Option(names = "--force", description = "Overwrite a model directory that already has a manifest.json.")
  boolean force;

  /** Refuses, in one line, to overwrite a model directory without --force. */
  void checkWritable() {
    if (Files.exists(out.resolve("manifest.json")) && !force) {
      throw new IllegalArgumentException(out + " already holds a model (manifest.json). Choose another --out or "
          + "add --force to overwrite it.");
    }
  }

  /** The model's name: --name, else the folder's. */
  String modelName() {
    return name != null ? name : out.toAbsolutePath().normalize().getFileName().toString();
  }
}
