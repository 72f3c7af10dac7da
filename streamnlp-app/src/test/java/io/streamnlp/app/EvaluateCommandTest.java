package io.streamnlp.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateCommandTest {
  @TempDir
  Path dir;

  private static java.util.List<String> rows(String out) {
    return java.util.Arrays.stream(out.split("\n")).filter(l -> l.matches("\\| \\d+ \\|.*")).toList();
  }

  private static CliRun run(String... args) {
    return CliRun.run(args);
  }

  @Test
  void printsAccuracyMacroF1ConfusionMatrixAndCost() throws Exception {
    Path data = Files.writeString(dir.resolve("m.csv"), "text,label\n"
        + "\"Love it, works perfectly\",positive\n"
        + "Terrible app. Crashes every time,negative\n"
        + "So happy with the new update!,positive\n");
    CliRun r = run("evaluate", "--encoder", "rnn", "--data", data.toString(), "--cost-messages", "6",
        "--batch-size", "2", "--show-errors", "5", "--after-context");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("gru-sentiment3", "(3 messages), batch 2", "accuracy", "macro-F1",
        "confusion matrix (rows: true, columns: predicted)", "batch 1:", "batch 2, calls of similar lengths:",
        "batch 2, one call padded to its longest message:", "x batch 1's messages/s", "ms/message",
        "each message continuing from the state left by another, random message:");
    CliRun md = run("evaluate", "--data", data.toString(), "--cost-messages", "0", "--markdown");
    assertThat(md.code()).as(md.err()).isZero();
    assertThat(md.out()).contains("minilm-l6-sentiment3", "- accuracy: **", "| true \\ predicted |")
        .doesNotContain("ms/message");
    CliRun attention = run("evaluate", "--data", data.toString(), "--after-context");
    assertThat(attention.code()).as(attention.err()).isZero();
    assertThat(attention.out()).contains("each message after another, random message as its context window (128 "
        + "tokens):");
    // With an empty window the earlier message cannot reach the model: the same figures as alone.
    CliRun blind = run("evaluate", "--data", data.toString(), "--after-context", "--window-tokens", "0");
    assertThat(blind.code()).as(blind.err()).isZero();
    List<String> accuracy = blind.out().lines().filter(l -> l.startsWith("accuracy")).toList();
    assertThat(accuracy).hasSize(2);
    assertThat(accuracy.get(1)).isEqualTo(accuracy.get(0));
  }

  @Test
  void theCascadeIsTheGruAtThresholdZeroAndTheTransformerWhenItReReadsAll() throws Exception {
    java.nio.file.Path sample = java.nio.file.Path.of(getClass().getResource("/evaluation/sst2-dev-sample.tsv")
        .toURI());
    CliRun r = run("evaluate", "--encoder", "cascade", "--data", sample.toString(), "--thresholds", "0,0.6,2",
        "--cost-messages", "8", "--batch-size", "8");
    assertThat(r.code()).as(r.err()).isZero();
    List<String> table = r.out().lines().filter(l -> l.startsWith("| ") && !l.startsWith("| reading")).toList();
    assertThat(table).hasSize(2 + 3 * 2);
    // accuracy, macro-F1 and macro-recall (the model time differs: the cascade's is an estimate)
    java.util.function.Function<String, String> figures = row -> String.join("|",
        java.util.Arrays.asList(row.split("\\|", -1)).subList(3, 6));
    String gru = table.stream().filter(l -> l.startsWith("| gru-sentiment3 alone")).findFirst().orElseThrow();
    String transformer = table.stream().filter(l -> l.startsWith("| minilm-l6-sentiment3 alone")).findFirst()
        .orElseThrow();
    String none = table.stream().filter(l -> l.startsWith("| cascade, threshold 0.0, attention")).findFirst()
        .orElseThrow();
    String all = table.stream().filter(l -> l.startsWith("| cascade, threshold 2.0, attention")).findFirst()
        .orElseThrow();
    assertThat(none).contains("| 0.0 % |");
    assertThat(figures.apply(none)).isEqualTo(figures.apply(gru));
    assertThat(all).contains("| 100.0 % |");
    assertThat(figures.apply(all)).isEqualTo(figures.apply(transformer));
    assertThat(figures.apply(gru)).as("the sample tells the models apart").isNotEqualTo(figures.apply(transformer));
    assertThat(r.out()).contains("ms (x1.00)", "the cascade's estimated as the rnn's plus the re-read share");
    CliRun wrong = run("evaluate", "--encoder", "cascade", "--data", sample.toString(), "--cascade-model-dir",
        "classpath:models/gru-sentiment3");
    assertThat(wrong.code()).isEqualTo(2);
    assertThat(wrong.err().strip()).doesNotContain("\n").contains("needs an rnn --model-dir and an attention");
    for (String oneModel : List.of("--tag-shares", "--reliability")) {
      CliRun ignored = run("evaluate", "--encoder", "cascade", "--data", sample.toString(), oneModel);
      assertThat(ignored.code()).as(oneModel + " is refused, not ignored").isEqualTo(2);
      assertThat(ignored.err().strip()).doesNotContain("\n").contains(oneModel + " reads one model");
    }
  }

  @Test
  void theReliabilityTableCountsEveryMessageOnceInItsConfidenceBand() throws Exception {
    java.nio.file.Path sample = java.nio.file.Path.of(getClass().getResource("/evaluation/sst2-dev-sample.tsv")
        .toURI());
    CliRun r = run("evaluate", "--data", sample.toString(), "--cost-messages", "0", "--reliability");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("Reliability (expected calibration error ", "| confidence | messages |");
    List<String> bands = r.out().lines().filter(l -> l.matches("\\| 0\\.\\d\\d to [01]\\.\\d\\d \\|.*")).toList();
    assertThat(bands).hasSize(6);
    int messages = bands.stream().mapToInt(l -> Integer.parseInt(l.split("\\|")[2].trim().replace(",", ""))).sum();
    assertThat(messages).as("each of the 48 sentences in one band").isEqualTo(48);
    // Right answers over the bands add up to the accuracy printed above.
    double right = 0;
    for (String l : bands) {
      String[] c = l.split("\\|");
      if (!c[4].trim().equals("-")) {
        right += Integer.parseInt(c[2].trim()) * Double.parseDouble(c[4].trim().replace(" %", "")) / 100;
      }
    }
    String accuracy = r.out().lines().filter(l -> l.startsWith("accuracy")).findFirst().orElseThrow();
    int correct = Integer.parseInt(accuracy.replaceAll(".*\\((\\d+)/48\\).*", "$1"));
    assertThat(right).isCloseTo(correct, org.assertj.core.api.Assertions.within(0.6));
  }

  @Test
  void printsEmbeddingSimilarityAndScoresAFileOverItsOwnLabels() throws Exception {
    Path pairs = Files.writeString(dir.resolve("pairs.tsv"), "score\tsentence1\tsentence2\n"
        + "5\tA man is playing a guitar.\tA man plays the guitar.\n"
        + "0\tThe stock market fell today.\tA child is eating a banana.\n"
        + "3\tA dog runs in the park.\tA dog is running on the grass.\n");
    CliRun sim = run("evaluate", "--similarity", pairs.toString());
    assertThat(sim.code()).as(sim.err()).isZero();
    assertThat(sim.out()).contains("embedding similarity on pairs.tsv (3 pairs): Spearman", "Pearson")
        .doesNotContain("accuracy");

    Path positives = Files.writeString(dir.resolve("p.tsv"), "text\tlabel\nI love it\tpositive\n"
        + "What a great day\tpositive\n");
    CliRun r = run("evaluate", "--data", positives.toString(), "--cost-messages", "0");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("scored over the file's labels [positive]", "macro-recall  1.0000",
        "accuracy  1.0000 (2/2)");

    CliRun neither = run("evaluate");
    assertThat(neither.code()).isEqualTo(2);
    assertThat(neither.err()).contains("give --data");
  }

  @Test
  void conversationsAreGeneratedThenEachLastMessageIsReadInItsKeysHistory() throws Exception {
    Path conversations = dir.resolve("c.jsonl");
    CliRun made = run("conversations", "--data", "../models/eval/short-messages.csv", "--out", conversations.toString(),
        "--distances", "0,40", "--per-kind", "6", "--seed", "5");
    assertThat(made.code()).as(made.err()).isZero();
    assertThat(made.out()).contains("wrote 48 conversations (2 distances x 4 kinds x 6)");

    CliRun rnn = run("evaluate", "--encoder", "rnn", "--conversations", conversations.toString());
    assertThat(rnn.code()).as(rnn.err()).isZero();
    assertThat(rnn.out()).contains("gru-sentiment3", "(48 conversations), hidden state carried",
        "| distance (tokens) | replies | reply accuracy in context |").containsPattern("\\| 0 \\| 18 \\| .* \\| 6 \\|")
        .containsPattern("\\| 40 \\| 18 \\| .* \\| 6 \\|");

    // Without a window the attention encoder reads each reply alone: context can neither help nor leak.
    CliRun blind = run("evaluate", "--conversations", conversations.toString(), "--window-tokens", "0");
    assertThat(blind.code()).as(blind.err()).isZero();
    for (String line : blind.out().split("\n")) {
      if (line.matches("\\| \\d+ \\|.*")) {
        String[] cells = line.split("\\|");
        assertThat(cells[3].trim()).as(line).isEqualTo(cells[8].trim()); // in context = alone
        assertThat(cells[10].trim()).as(line).isEqualTo("0.0 %"); // no leak
      }
    }
    CliRun windowed = run("evaluate", "--conversations", conversations.toString(), "--window-tokens", "128");
    assertThat(blind.out()).contains("no context window");
    assertThat(windowed.out()).contains("context window 128 tokens");
    // The window reaches the model: some figure in the table moves.
    assertThat(rows(windowed.out())).isNotEqualTo(rows(blind.out()));

    // The cascade re-reading nothing is the GRU in its state; re-reading everything, the transformer alone.
    CliRun cascade = run("evaluate", "--encoder", "cascade", "--conversations", conversations.toString(),
        "--thresholds", "0,2");
    assertThat(cascade.code()).as(cascade.err()).isZero();
    assertThat(cascade.out()).contains("cascade gru-sentiment3", "threshold 0.0", "threshold 2.0",
        "the rnn's state carried through every message, an unsure reading re-read alone");
    List<String> both = rows(cascade.out());
    List<String> gru = rows(rnn.out());
    assertThat(both).hasSize(2 * gru.size());
    assertThat(both.subList(0, gru.size())).isEqualTo(gru);
    assertThat(both.subList(gru.size(), both.size())).isEqualTo(rows(blind.out()));
  }

  @Test
  void tagSharesCountEveryMessageOnceForAFileWithLabelsOfItsOwn() throws Exception {
    Path intents = dir.resolve("intents.csv");
    Files.writeString(intents, "text,label\nmy card was declined again and nobody helps,card_declined\n"
        + "my card was declined at the shop,card_declined\nhow do I order a new card?,new_card\n"
        + "\"thank you so much, the new card works great\",new_card\nwhat is the fee for a transfer?,fees\n");
    CliRun r = run("evaluate", "--data", intents.toString(), "--tag-shares");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("(5 messages, 3 labels of its own)", "| tag | messages | share | mean score |",
        "| card_declined | 2 | negative | 100 % |");
    int counted = 0;
    for (String tag : new String[] {"negative", "neutral", "positive"}) {
      String row = r.out().lines().filter(l -> l.startsWith("| " + tag + " |")).findFirst().orElseThrow();
      counted += Integer.parseInt(row.split("\\|")[2].trim());
    }
    assertThat(counted).isEqualTo(5);
    assertThat(r.out()).doesNotContain("macro-averaged recall");
  }

  @Test
  void anUnknownLabelIsNamedWithExitCode2() throws Exception {
    Path data = Files.writeString(dir.resolve("m.jsonl"), "{\"text\":\"meh\",\"label\":\"mixed\"}\n");
    CliRun r = run("evaluate", "--encoder", "rnn", "--data", data.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("'mixed' is neither one of the model's labels");
  }

  @Test
  void tokenizeWritesTheStreamsTokenIds() throws Exception {
    Path data = Files.writeString(dir.resolve("t.tsv"), "label\tsentence\n1\thello world\n");
    Path out = dir.resolve("t.ids");
    CliRun r = run("tokenize", "--model-dir", "classpath:models/gru-sentiment3", "--input", data.toString(),
        "--output", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    // [CLS] hello world [SEP] in the bert-base-uncased vocabulary.
    assertThat(Files.readString(out)).isEqualTo("1\t101 7592 2088 102\n");
  }

  @Test
  void benchRnnHistoryPrintsEachHistoryAgainstTheFirst() {
    CliRun r = run("bench", "rnn-history", "--histories", "1,5", "--messages", "8", "--rounds", "1",
        "--batch", "4");
    assertThat(r.code()).as(r.err()).isZero();
    String[] lines = r.out().strip().split("\n");
    assertThat(lines).hasSize(4);
    assertThat(lines[1]).contains("history", "batch 1", "batch 4", "speed-up");
    assertThat(lines[2].trim().split("\\s+")).satisfies(cols -> {
      assertThat(cols[0]).isEqualTo("1");
      assertThat(cols[2]).isEqualTo("1.00");
      assertThat(cols[4]).isEqualTo("1.00");
    });
    assertThat(lines[3].trim()).startsWith("5 ");
  }

  @Test
  void benchAttentionWindowPrintsEachWindowAgainstNoContext() {
    CliRun r = run("bench", "attention-window", "--windows", "0,16", "--messages", "4", "--rounds", "1",
        "--batch", "2");
    assertThat(r.code()).as(r.err()).isZero();
    String[] lines = r.out().strip().split("\n");
    assertThat(lines).hasSize(4);
    assertThat(lines[1]).contains("window", "batch 1", "batch 2", "vs N=0");
    assertThat(lines[2].trim().split("\\s+")).containsSubsequence("0", "1.00", "1.00");
    assertThat(lines[3].trim()).startsWith("16 ");
  }

  @Test
  void benchMemoryPrintsReplyAccuracyAndLeakOfEachEncoderPerDistance() {
    CliRun r = run("bench", "memory", "--keys", "8", "--distances", "0,300", "--window", "64");
    assertThat(r.code()).as(r.err()).isZero();
    String[] lines = r.out().strip().split("\n");
    assertThat(lines).hasSize(6);
    assertThat(lines[0]).contains("8 held-out conversations per distance", "short-messages.csv",
        "attention window 64 tokens");
    assertThat(lines[1]).contains("GRU (state)", "attention (window)", "cascade (state, re-read alone)");
    assertThat(lines[5]).contains("replies: share of context-dependent replies", "leak:");
    for (String line : new String[] {lines[3], lines[4]}) {
      String[] cols = line.replace("|", " ").trim().split("\\s+");
      assertThat(cols).as(line).hasSize(10);
      for (int c = 1; c < 10; c++) {
        assertThat(Double.parseDouble(cols[c].replace("%", ""))).as(line).isBetween(0.0, 100.0);
      }
    }
    assertThat(lines[3].trim()).startsWith("0 ");
    assertThat(lines[4].trim()).startsWith("300 ");
  }

  @Test
  void benchRawPrintsTheCeilingOfBothModels() {
    CliRun r = run("bench", "raw", "--seconds", "0.1", "--batch", "2");
    assertThat(r.code()).as(r.err()).isZero();
    String[] lines = r.out().strip().split("\n");
    assertThat(lines).hasSize(6);
    assertThat(lines[2]).startsWith("gru-sentiment3");
    assertThat(lines[3]).startsWith("gru-sentiment3");
    assertThat(lines[4]).startsWith("minilm-l6-sentiment3");
    assertThat(lines[5]).startsWith("minilm-l6-sentiment3");
    for (int i = 2; i < 6; i++) {
      String[] cols = lines[i].trim().split("\\s+");
      // messages built to 16 and 128 tokens: a word that would overshoot is left out
      assertThat(Double.parseDouble(cols[1])).isBetween(i % 2 == 0 ? 13.0 : 124.0, i % 2 == 0 ? 16.0 : 128.0);
      assertThat(Double.parseDouble(cols[2])).isPositive();
      assertThat(Double.parseDouble(cols[3])).isPositive();
    }
  }

  @Test
  void benchOnAnotherClusterNeedsItsSchemaRegistry() {
    CliRun r = run("bench", "--quick", "--bootstrap-servers", "127.0.0.1:1");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--bootstrap-servers needs --schema-registry-url");
  }

  @Test
  void benchRedrawsAReportFromAnEarlierRunsResults() throws Exception {
    Path first = dir.resolve("first");
    new io.streamnlp.bench.ComparisonReport(io.streamnlp.bench.ComparisonReportTest.results()).write(first);
    Path again = dir.resolve("again");
    CliRun r = run("bench", "--from-results", first.resolve("results.json").toString(), "--out", again.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("Report written to");
    assertThat(Files.readString(again.resolve("report.md"))).isEqualTo(Files.readString(first.resolve("report.md")));
    assertThat(again.resolve("long-range-memory.png")).isNotEmptyFile();
  }
}
