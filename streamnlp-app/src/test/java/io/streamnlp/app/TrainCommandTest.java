package io.streamnlp.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamnlp train} on a small set of support intents: the head it writes beats chance by far, its model
 * directory reloads through {@code evaluate} with the very figure training reported, and every bad input a
 * newcomer can give is one line and exit code 2.
 */
class TrainCommandTest {
  @TempDir
  Path dir;

  private Path train;
  private Path dev;

  @BeforeEach
  void copyData() throws Exception {
    train = copy("intents-train.csv");
    dev = copy("intents-dev.csv");
  }

  private Path copy(String name) throws Exception {
    Path to = dir.resolve(name);
    try (InputStream in = getClass().getResourceAsStream("/training/" + name)) {
      Files.copy(in, to);
    }
    return to;
  }

  private static double percent(String text, String pattern) {
    Matcher m = Pattern.compile(pattern).matcher(text);
    assertThat(m.find()).as("'%s' in:%n%s", pattern, text).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void trainsAHeadThatBeatsChanceAndReloadsWithItsOwnFigure() throws Exception {
    Path out = dir.resolve("models/intents");
    CliRun r = CliRun.run("train", "--data", train.toString(), "--dev", dev.toString(), "--out", out.toString(),
        "--polarity", "refund,card_lost");
    assertThat(r.code()).as(r.err()).isZero();
    double trained = percent(r.out(), "held-out accuracy ([0-9.]+) %, macro-F1");
    assertThat(trained).as("3 labels: chance is 33 %").isGreaterThanOrEqualTo(75.0);
    assertThat(out.resolve("model.onnx")).isRegularFile();
    assertThat(out.resolve("tokenizer.json")).isRegularFile();
    assertThat(Files.readString(out.resolve("evaluation.md"))).contains("## Held-out figures",
        "nearest label centroid", "label names as prototypes", "## Calibration", "| confidence | messages |",
        "## Most confused labels", "| card_lost |");
    assertThat(Files.readString(out.resolve("evaluation.md"))).as("quick fits: auto tries every way of building the "
        + "features").contains("| embedding | ", "| embedding, label names added | ", "| embedding and base scores | ",
        "| embedding and base scores, label names added | ", " (kept) |");
    assertThat(Files.readString(out.resolve("CARD.md"))).contains("TODO", "What a frozen encoder cannot learn");
    JsonNode manifest = new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
    assertThat(manifest.path("labels").toString()).isEqualTo("[\"card_lost\",\"exchange_rate\",\"refund\"]");
    assertThat(manifest.path("head").path("type").asText()).isEqualTo("linear");
    String features = new ObjectMapper().readTree(out.resolve("head.json").toFile()).path("features").asText();
    assertThat(features).isIn("embedding", "embedding+base-scores");
    assertThat(manifest.path("outputs").has("logits")).as("the base's own tag is computed only when the head reads it")
        .isEqualTo(features.equals("embedding+base-scores"));
    assertThat(manifest.path("polarity").path("positive").asText()).isEqualTo("refund");
    assertThat(manifest.path("trainedFrom").path("base").path("name").asText()).isEqualTo("minilm-l6-sentiment3");
    assertThat(manifest.path("trainedFrom").path("data").path("sha256").asText()).hasSize(64);

    // Loaded as any model directory, through the stream's encoder: the same figure.
    CliRun again = CliRun.run("evaluate", "--model-dir", out.toString(), "--data", dev.toString(),
        "--cost-messages", "0");
    assertThat(again.code()).as(again.err()).isZero();
    double reloaded = percent(again.out(), "accuracy +([0-9.]+) \\(");
    assertThat(Math.round(1000 * reloaded) / 10.0).isEqualTo(trained);
  }

  @Test
  void labelNamesAskedForAreTrainingMessagesOfTheirLabel() throws Exception {
    Path out = dir.resolve("named");
    CliRun r = CliRun.run("train", "--data", train.toString(), "--dev", dev.toString(), "--out", out.toString(),
        "--features", "embedding", "--label-names", "yes", "--c", "10");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode settings = new ObjectMapper().readTree(out.resolve("manifest.json").toFile())
        .path("trainedFrom").path("settings");
    assertThat(settings.path("labelNamesAsExamples").asBoolean()).isTrue();
    assertThat(settings.path("features").asText()).isEqualTo("embedding");
    String evaluation = Files.readString(out.resolve("evaluation.md"));
    assertThat(evaluation).contains("| embedding, label names added | 10 (kept) |")
        .doesNotContain("| embedding | ").doesNotContain("base scores |");
  }

  @Test
  void withoutADevFileATenthOfEachLabelIsHeldOut() throws Exception {
    Path out = dir.resolve("held-out");
    CliRun r = CliRun.run("train", "--data", train.toString(), "--out", out.toString(), "--c", "10");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("held out (a tenth of intents-train.csv)");
    assertThat(Files.readString(out.resolve("evaluation.md"))).contains("the head written was then trained on all");
  }

  @Test
  void badTrainingInputIsOneLineAndExitCodeTwo() throws Exception {
    Path out = dir.resolve("bad");
    expectRefusal(Files.writeString(dir.resolve("empty.csv"), "text,label\n"), "has no labelled messages");
    expectRefusal(Files.writeString(dir.resolve("one.csv"), "text,label\na,x\nb,x\nc,x\n"), "has only one label (x)");
    expectRefusal(Files.writeString(dir.resolve("single.csv"), "text,label\na,x\nb,x\nc,y\n"),
        "labels with a single training message cannot be learnt and checked: y");
    expectRefusal(Files.writeString(dir.resolve("columns.csv"), "body,label\na,x\nb,y\n"), "column");
    CliRun wrongDev = CliRun.run("train", "--data", train.toString(), "--dev",
        Files.writeString(dir.resolve("dev2.csv"), "text,label\nhello,greeting\n").toString(), "--out", out.toString());
    assertThat(wrongDev.code()).isEqualTo(2);
    assertThat(wrongDev.err().strip()).doesNotContain("\n").contains("has labels greeting");
    CliRun rnn = CliRun.run("train", "--data", train.toString(), "--base", "classpath:models/gru-sentiment3",
        "--out", out.toString());
    assertThat(rnn.code()).isEqualTo(2);
    assertThat(rnn.err()).contains("train needs an attention base");
    CliRun poles = CliRun.run("train", "--data", train.toString(), "--out", out.toString(), "--polarity", "up,down");
    assertThat(poles.code()).isEqualTo(2);
    assertThat(poles.err()).contains("--polarity takes two different labels");
  }

  private void expectRefusal(Path data, String says) {
    CliRun r = CliRun.run("train", "--data", data.toString(), "--out", dir.resolve("bad").toString());
    assertThat(r.code()).as(r.out()).isEqualTo(2);
    assertThat(r.err().strip()).as("one line").doesNotContain("\n").contains(says);
  }
}
