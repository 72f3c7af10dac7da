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

  /** A reply without the opening, closing and ending it was written with. */
  private static String phrasing(String reply) {
    return reply.replaceAll("[!.]+$", "").replaceAll("^(honestly, |well, |hmm, |tbh |i mean, )", "")
        .replaceAll("( tbh| imo| honestly| to be honest)$", "");
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
          assertThat(Conversations.Phrasings.HELD_OUT.of(Kind.AGREE)).contains(phrasing(c.target().text()));
        }
        case DISAGREE -> {
          assertThat(gold).isEqualTo(Conversations.opposite(c.polarity())).isNotEqualTo(c.polarity());
          assertThat(Conversations.Phrasings.HELD_OUT.of(Kind.DISAGREE)).contains(phrasing(c.target().text()));
        }
        case QUESTION -> {
          assertThat(gold).isEqualTo("neutral");
          assertThat(Conversations.Phrasings.HELD_OUT.of(Kind.QUESTION)).contains(phrasing(c.target().text()));
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

  @Test
  void trainingAndHeldOutPhrasingsNeverShareAReplyAndAFileUsesOnlyItsOwn() {
    for (Kind kind : List.of(Kind.AGREE, Kind.DISAGREE, Kind.QUESTION)) {
      assertThat(Conversations.Phrasings.TRAIN.of(kind)).isNotEmpty()
          .doesNotContainAnyElementsOf(Conversations.Phrasings.HELD_OUT.of(kind));
    }
    List<Conversation> train = Conversations.generate(pool(), new int[] {0, 5}, 20, 3, WORDS,
        new Conversations.Options(Conversations.Phrasings.TRAIN, 0.0, true));
    for (Conversation c : train) {
      if (c.kind() != Kind.STANDALONE) {
        assertThat(Conversations.Phrasings.TRAIN.of(c.kind())).contains(phrasing(c.target().text()));
      }
    }
  }

  @Test
  void balancedAnchorsAreHalfPositiveWhateverThePoolsShares() {
    List<LabelledText> skewed = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      skewed.add(new LabelledText("lovely thing " + i, "positive"));
    }
    for (int i = 0; i < 5; i++) {
      skewed.add(new LabelledText("dreadful thing " + i, "negative"));
      skewed.add(new LabelledText("a plain fact " + i, "neutral"));
    }
    double balanced = positiveShare(Conversations.generate(skewed, new int[] {0}, 100, 1, WORDS));
    double natural = positiveShare(Conversations.generate(skewed, new int[] {0}, 100, 1, WORDS,
        new Conversations.Options(Conversations.Phrasings.HELD_OUT, 0.0, false)));
    assertThat(balanced).isBetween(0.4, 0.6);
    assertThat(natural).isGreaterThan(0.8);
  }

  private static double positiveShare(List<Conversation> conversations) {
    return conversations.stream().filter(c -> c.polarity().equals("positive")).count()
        / (double) conversations.size();
  }

  @Test
  void aStaleOpinionOpensTheConversationAndTheReplyFollowsTheNewerOne() {
    List<Conversation> all = Conversations.generate(pool(), new int[] {0, 9}, 10, 11, WORDS,
        new Conversations.Options(Conversations.Phrasings.TRAIN, 1.0, true));
    for (Conversation c : all) {
      List<Message> earlier = c.messages().subList(0, c.messages().size() - 1);
      List<Message> polar = earlier.stream().filter(m -> !m.label().equals("neutral")).toList();
      assertThat(polar).as(c.id()).hasSize(2);
      assertThat(earlier.get(0)).isSameAs(polar.get(0));
      assertThat(polar.get(1).label()).isEqualTo(c.polarity()); // the newest opinion is the anchor
      if (c.kind() == Kind.DISAGREE) {
        assertThat(c.target().label()).isEqualTo(Conversations.opposite(c.polarity()));
      }
    }
  }

  @Test
  void tokenIdsTravelWithEachMessageForTraining() throws IOException {
    List<Conversation> all = Conversations.generate(pool(), new int[] {3}, 2, 5, WORDS).stream()
        .map(c -> new Conversation(c.id(), c.kind(), c.distance(), c.polarity(), c.messages().stream()
            .map(m -> m.withIds(new long[] {101, m.text().length(), 102})).toList())).toList();
    Path file = dir.resolve("ids.jsonl");
    Conversations.write(all, file);
    assertThat(Files.readString(file)).contains("\"ids\":[101,");
    List<Conversation> back = Conversations.read(file);
    for (int i = 0; i < all.size(); i++) {
      for (int m = 0; m < all.get(i).messages().size(); m++) {
        assertThat(back.get(i).messages().get(m).ids()).containsExactly(all.get(i).messages().get(m).ids());
      }
    }
    // without ids, no ids field is written
    Conversations.write(Conversations.generate(pool(), new int[] {3}, 2, 5, WORDS), file);
    assertThat(Files.readString(file)).doesNotContain("\"ids\"");
  }
}
