package io.streamnlp.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

/** Start-up failures and wrong arguments end with exit code 2 and one line that says what to fix. */
class StreamNlpCliTest {
  @TempDir
  Path dir;

  private record Result(int code, String err) {}

  private static Result run(String... args) {
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = StreamNlpCli.execute(args);
      return new Result(code, err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(original);
    }
  }

  @Test
  void missingConfigFileIsNamed() {
    Result r = run("run", "--config", dir.resolve("absent.properties").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("invalid configuration", "absent.properties", "does not exist");
  }

  @Test
  void invalidValueNamesTheKey() throws Exception {
    Path cfg = dir.resolve("app.properties");
    Files.writeString(cfg, "input.topics=in\noutput.topic=out\nbatch.size=-3\n");
    Result r = run("run", "--config", cfg.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("invalid configuration", "batch.size");
  }

  @Test
  void missingModelSaysWhatToFix() throws Exception {
    Path cfg = dir.resolve("app.properties");
    Files.writeString(cfg, "input.topics=in\noutput.topic=out\nschema.registry.url=http://127.0.0.1:1\n"
        + "model.dir=" + dir.resolve("no-model") + "\n");
    Result r = run("run", "--config", cfg.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("cannot load the model", "no-model", "manifest.json");
  }

  @Test
  void everyEnumeratedOptionRefusesAnUnknownValueInOneLineListingTheValidOnes() {
    List<String> checked = new ArrayList<>();
    forEachCommand(new CommandLine(new StreamNlpCli()), List.of(), (path, option) -> {
      List<String> args = new ArrayList<>(path);
      args.add(option.longestName());
      args.add("bogus");
      Result r = run(args.toArray(String[]::new));
      String command = String.join(" ", args);
      assertThat(r.code()).as(command).isEqualTo(2);
      assertThat(r.err().strip()).as(command).doesNotContain("\n").contains("'bogus'");
      for (Object valid : option.type().getEnumConstants()) {
        assertThat(r.err()).as(command).contains(valid.toString());
      }
      checked.add(command);
    });
    assertThat(checked).as("the enumerated options found").anyMatch(c -> c.startsWith("evaluate --encoder"))
        .anyMatch(c -> c.startsWith("conversations --polarity"));
    // ... and take a valid value in any case.
    assertThat(run("evaluate", "--encoder", "RnN").err()).contains("give --data").doesNotContain("bogus");
  }

  private static void forEachCommand(CommandLine cmd, List<String> path,
                                     java.util.function.BiConsumer<List<String>, OptionSpec> onEnumOption) {
    for (OptionSpec option : cmd.getCommandSpec().options()) {
      if (option.type().isEnum()) {
        onEnumOption.accept(path, option);
      }
    }
    cmd.getSubcommands().forEach((name, sub) -> {
      if (!name.equals("help")) {
        List<String> subPath = new ArrayList<>(path);
        subPath.add(name);
        forEachCommand(sub, subPath, onEnumOption);
      }
    });
  }

  @Test
  void helpListsTheCommands() {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertThat(StreamNlpCli.execute("--help")).isZero();
    } finally {
      System.setOut(original);
    }
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("run", "demo");
  }
}
