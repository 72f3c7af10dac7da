package io.streamnlp.app;

import io.streamnlp.model.ModelLoadException;
import io.streamnlp.model.internals.EncoderResult;
import io.streamnlp.model.internals.HuggingFaceImport;
import io.streamnlp.model.internals.ModelDirectory;
import io.streamnlp.model.internals.OnnxModel;
import io.streamnlp.model.internals.TextEncoder;
import io.streamnlp.text.internals.TokenizedText;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code streamnlp import-model}: a Hugging Face ONNX export becomes a model directory ({@code model.dir})
 * without a hand-written manifest; the result is loaded and tried on sample messages before it is reported.
 */
@Command(name = "import-model", mixinStandardHelpOptions = true,
    description = "Make a model directory from a Hugging Face ONNX export (model.onnx, tokenizer.json, "
        + "config.json, as Optimum writes them for text-classification or feature-extraction): writes "
        + "manifest.json, copies the files, loads the result and tags sample messages.")
final class ImportModelCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--from", required = true, description = "Folder of the Hugging Face ONNX export.")
  Path from;

  @Mixin
  ModelOutput output;

  @Option(names = "--sample", description = "A message to tag after importing (repeatable; default: three "
      + "sample messages).")
  List<String> samples;

  @Override
  public Integer call() throws Exception {
    PrintWriter log = spec.commandLine().getOut();
    output.checkWritable();
    Path out = output.out;
    String version = output.version;
    String modelName = output.modelName();
    HuggingFaceImport.Plan plan = HuggingFaceImport.plan(from, modelName, version);
    log.printf("Importing %s as model '%s' %s:%n", from, modelName, version);
    plan.decisions().forEach(d -> log.println("  " + d));
    HuggingFaceImport.write(plan, out);
    log.printf("Wrote %s%n", out.resolve("manifest.json"));

    // Prove it: the directory must load as the stream would load it, and tag something.
    List<String> texts = samples != null && !samples.isEmpty() ? samples
        : List.of("I love this, thank you so much!", "The update broke everything, terrible.",
            "The meeting is at 3 pm in room B.");
    try (OnnxModel model = OnnxModel.load(ModelDirectory.open(out.toString()), OnnxModel.RuntimeOptions.cpu(),
             Math.min(128, plan.manifest().get("maxTokens").asInt()));
         TextEncoder encoder = model.newEncoder(texts.size())) {
      List<TokenizedText> tokens = new ArrayList<>();
      for (String t : texts) {
        tokens.add(model.tokenizer().tokenize(t));
      }
      List<EncoderResult> results = encoder.encode(tokens);
      List<String> labels = model.info().labels();
      log.printf("Loaded it and tagged %d sample messages (embedding: %s):%n", texts.size(),
          model.manifest().embeddingDim() == 0 ? "none" : model.manifest().embeddingDim() + " floats");
      for (int i = 0; i < texts.size(); i++) {
        EncoderResult r = results.get(i);
        log.printf(Locale.ROOT, "  %-10s %.2f  %s%n", labels.get(r.labelIndex()), r.scores()[r.labelIndex()],
            texts.get(i));
      }
    } catch (ModelLoadException e) {
      throw new ModelLoadException("the manifest written to " + out + " does not load: " + e.getMessage(), e);
    }
    log.printf("Use it with model.dir=%s (encoder=attention).%n", out);
    log.flush();
    return 0;
  }
}
