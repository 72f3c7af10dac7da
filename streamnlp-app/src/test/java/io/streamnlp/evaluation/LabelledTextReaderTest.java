package io.streamnlp.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelledTextReaderTest {
  @TempDir
  Path dir;

  private Path write(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content);
  }

  @Test
  void readsGlueStyleTsvWithQuotesKeptAsText() throws Exception {
    Path f = write("dev.tsv", "label\tsentence\n1\tit 's \"great\" , really\n0\tdull\n");
    assertThat(LabelledTextReader.read(f, null, "label")).containsExactly(
        new LabelledText("it 's \"great\" , really", "1"), new LabelledText("dull", "0"));
  }

  @Test
  void readsQuotedCsvWithCommasAndNewlines() throws Exception {
    Path f = write("m.csv", "id,text,label\n7,\"Love it, truly\",positive\n8,\"two\nlines\",negative\n");
    assertThat(LabelledTextReader.read(f, null, "label")).containsExactly(
        new LabelledText("Love it, truly", "positive"), new LabelledText("two\nlines", "negative"));
  }

  @Test
  void readsJsonLinesAndSkipsBlankLines() throws Exception {
    Path f = write("m.jsonl", "{\"body\":\"so good\",\"sentiment\":\"positive\"}\n\n"
        + "{\"body\":\"so bad\",\"sentiment\":0}\n");
    List<LabelledText> rows = LabelledTextReader.read(f, "body", "sentiment");
    assertThat(rows).containsExactly(new LabelledText("so good", "positive"), new LabelledText("so bad", "0"));
  }

  @Test
  void namesTheMissingColumnAndTheBadLine() throws Exception {
    assertThatThrownBy(() -> LabelledTextReader.read(write("a.csv", "text,stars\nok,5\n"), null, "label"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no column 'label'")
        .hasMessageContaining("stars");
    assertThatThrownBy(() -> LabelledTextReader.read(write("b.csv", "body,label\nok,1\n"), null, "label"))
        .hasMessageContaining("--text-field");
    assertThatThrownBy(() -> LabelledTextReader.read(write("c.jsonl", "{\"text\":\"a\",\"label\":1}\n{oops\n"),
        null, "label")).hasMessageContaining("line 2 is not JSON");
    assertThatThrownBy(() -> LabelledTextReader.read(write("d.tsv", "label\ttext\n\tno label\n"), null, "label"))
        .hasMessageContaining("line 2 lacks a text or a label");
    assertThatThrownBy(() -> LabelledTextReader.read(write("e.txt", "x"), null, "label"))
        .hasMessageContaining(".tsv, .csv or .jsonl");
  }

  @Test
  void readsAStreamInTheFormatItsNameGivesAndNamesItInErrors() throws Exception {
    assertThat(LabelledTextReader.read("models/eval/x.csv",
        new BufferedReader(new StringReader("text,label\n\"a, b\",positive\n")), null, "label"))
        .containsExactly(new LabelledText("a, b", "positive"));
    assertThatThrownBy(() -> LabelledTextReader.read("pool.jsonl",
        new BufferedReader(new StringReader("{\"text\":\"a\",\"label\":1}\n{oops\n")), null, "label"))
        .hasMessageStartingWith("pool.jsonl: line 2 is not JSON");
  }
}
