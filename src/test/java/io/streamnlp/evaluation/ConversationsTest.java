package io.streamnlp.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnlp.evaluation.Conversations.Conversation;
import io.streamnlp.evaluation.Conversations.Kind;
import io.streamnlp.evaluation.Conversations.Message;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConversationsTest {
  @TempDir
  Path dir;

  /** Word count stands in for a tokenizer: the generator only needs a length. */
  private static final ToIntFunction<String> WORDS = s -> s.split(" ").length;

  private static List<LabelledText> pool() {
    List<LabelledText> pool = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      pool.add(new LabelledText("great product number " + i, "positive"));
      pool.add(new LabelledText("awful service number " + i, "negative"));
      pool.add(new LabelledText("the parcel number " + i + " arrives on monday", "neutral"));
    }
    pool.add(new LabelledText("ignored, not a sentiment label", "spam"));
    return pool;
  }

  @Test
  void theTargetsGoldLabelFollowsFromTheEarlierMessageByItsKind() {
    List<Conversation> all = Conversations.generate(pool(), new int[] {0, 7, 30}, 6, 13, WORDS);
    assertThat(all).hasSize(3 * 4 * 6);
    Set<String> neutralTexts = pool().stream().filter(t -> t.label().equals("neutral")).map(LabelledText::text)
        .collect(Collectors.toSet());
    for (Conversation c : all) {
      Message anchor = c.messages().get(0);
      assertThat(anchor.label()).isIn("positive", "negative").isEqualTo(c.polarity());
      List<Message> fillers = c.messages().subList(1, c.messages().size() - 1);
      assertThat(fillers).allSatisfy(f -> {
        assertThat(f.label()).isEqualTo("neutral");
        assertThat(neutralTexts).contains(f.text());
      });
      // at least d tokens of filler, and no more whole messages than needed
      int filled = fillers.stream().mapToInt(f -> WORDS.applyAsInt(f.text())).sum();
      assertThat(filled).isGreaterThanOrEqualTo(c.distance());
      if (!fillers.isEmpty()) {
        assertThat(filled - WORDS.applyAsInt(fillers.get(fillers.size() - 1).text())).isLessThan(c.distance());
      } else {
        assertThat(c.distance()).isZero();
      }
      String gold = c.target().label();
      switch (c.kind()) {
        case AGREE -> {
          assertThat(gold).isEqualTo(c.polarity());
          assertThat(Conversations.AGREE).contains(c.target().text());
        }
        case DISAGREE -> {
          assertThat(gold).isEqualTo(Conversations.opposite(c.polarity())).isNotEqualTo(c.polarity());
          assertThat(Conversations.DISAGREE).contains(c.target().text());
        }
        case QUESTION -> {
          assertThat(gold).isEqualTo("neutral");
          assertThat(Conversations.QUESTION).contains(c.target().text());
        }
        case STANDALONE -> {
          assertThat(gold).isEqualTo("neutral");
          assertThat(neutralTexts).contains(c.target().text());
          assertThat(fillers).extracting(Message::text).doesNotContain(c.target().text());
        }
      }
    }
    assertThat(all).extracting(Conversation::kind).containsOnly(Kind.values());
  }

  @Test
  void theSameSeedGivesTheSameConversationsAndAFileKeepsThem() throws IOException {
    List<Conversation> a = Conversations.generate(pool(), new int[] {0, 12}, 5, 7, WORDS);
    assertThat(Conversations.generate(pool(), new int[] {0, 12}, 5, 7, WORDS)).isEqualTo(a);
    assertThat(Conversations.generate(pool(), new int[] {0, 12}, 5, 8, WORDS)).isNotEqualTo(a);
    Path file = dir.resolve("c.jsonl");
    Conversations.write(a, file);
    assertThat(Conversations.read(file)).isEqualTo(a);
  }

  @Test
  void badInputSaysWhatIsWrong() throws IOException {
    assertThatThrownBy(() -> Conversations.generate(List.of(new LabelledText("nice", "positive")), new int[] {0},
        1, 1, WORDS)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("neutral");
    Path file = Files.writeString(dir.resolve("bad.jsonl"), "{\"id\":\"x\",\"kind\":\"AGREE\",\"distance\":0,"
        + "\"polarity\":\"positive\",\"messages\":[{\"text\":\"a\",\"label\":\"positive\"}]}\n\nnot json\n");
    assertThatThrownBy(() -> Conversations.read(file)).isInstanceOf(IOException.class)
        .hasMessageContaining("line 3");
  }
}
