package io.streamnlp.evaluation;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.ToIntFunction;

/**
 * Conversations of one key whose last message only has a sentiment in its context, generated reproducibly from
 * labelled messages: a polar <em>anchor</em> message, about {@code d} tokens of neutral <em>filler</em>
 * messages, then a <em>target</em> message whose gold label follows from the anchor by a fixed rule:
 * <ul>
 *   <li>{@link Kind#AGREE} ("me too", "same here") inherits the anchor's polarity;</li>
 *   <li>{@link Kind#DISAGREE} ("not for me", "I disagree") takes the opposite one;</li>
 *   <li>{@link Kind#QUESTION} ("why do you say that?") is neutral whatever came before;</li>
 *   <li>{@link Kind#STANDALONE}: a real neutral message, whose label must not move with context (the leak
 *       rate measures how often it does).</li>
 * </ul>
 * Replies come from one of two sets of {@link Phrasings}, so that a model trained on one is tested on replies it
 * never saw, each with a random ending; a share of conversations may open with an older, stale opinion that the
 * anchor overrides. Every message carries its gold label in its context (stale message, anchor and fillers
 * their own labels), so a file serves training (a label per step) as well as evaluation (the target). One JSON
 * object per line.
 */
public final class Conversations {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How the target's gold label follows from the anchor. */
  public enum Kind { AGREE, DISAGREE, QUESTION, STANDALONE }

  /**
   * Which replies a file uses: the training set's phrasings, or the held-out ones, which no model was trained on
   * (so a test measures reading the context, not recognising a memorised reply).
   */
  public enum Phrasings {
    TRAIN(List.of("me too", "same here", "+1", "exactly", "totally agree", "so true", "same for me",
        "i feel the same way", "agreed", "you said it", "absolutely", "ditto", "i second that", "same",
        "couldn't have said it better", "yes, this", "i agree", "so much this", "you're right", "you are so right",
        "me as well", "likewise", "i think so too", "i was thinking the same", "that's what i said", "can confirm",
        "facts", "that's right"),
        List.of("not for me", "i disagree", "no way, not at all", "i don't think so", "hard disagree",
            "not my experience at all", "really? not for me", "i see it the other way", "nope", "strongly disagree",
            "that's not true", "couldn't disagree more", "not at all how i see it", "i don't agree", "not really",
            "i'd say the opposite", "you're wrong", "not how i remember it", "not in my opinion",
            "i think you're wrong", "nah", "that's not it at all", "i can't agree", "totally disagree",
            "not the case for me", "not what i found"),
        List.of("why do you say that?", "what do you mean?", "when did that happen?", "which one was it?",
            "how long ago was that?", "where did you get it?", "who told you?", "how much was it?",
            "did you tell them?", "is that the new one?", "how so?", "since when?", "where was that?",
            "which one?", "what brand?", "how come?", "did it?", "what time was that?")),
    HELD_OUT(List.of("couldn't agree more", "agreed, 100%", "my thoughts exactly", "i agree completely",
        "same boat here", "that's exactly how i feel", "yep, same", "true that"),
        List.of("i beg to differ", "not in my experience", "that's not how i see it", "i have to disagree",
            "no, the opposite for me", "not true at all", "nah, disagree"),
        List.of("what happened exactly?", "when was this?", "which store was it?", "how did you find out?",
            "was it the same one?", "who was there?"));

    final List<String> agree;
    final List<String> disagree;
    final List<String> question;

    Phrasings(List<String> agree, List<String> disagree, List<String> question) {
      this.agree = agree;
      this.disagree = disagree;
      this.question = question;
    }

    List<String> of(Kind kind) {
      return switch (kind) {
        case AGREE -> agree;
        case DISAGREE -> disagree;
        case QUESTION -> question;
        case STANDALONE -> List.of();
      };
    }
  }

  /** Endings a reply is written with (punctuation only: the shipped tokenizer is uncased). */
  private static final List<String> ENDINGS = List.of("", "", "!", ".", "!!");
  /** Sentiment-free openings and closings a reply may be written with, the same for both phrasing sets. */
  private static final List<String> OPENINGS = List.of("", "", "", "", "honestly, ", "well, ", "hmm, ", "tbh ",
      "i mean, ");
  private static final List<String> CLOSINGS = List.of("", "", "", "", " tbh", " imo", " honestly",
      " to be honest");

  /**
   * How conversations are drawn.
   *
   * @param phrasings   which reply phrasings to use
   * @param staleShare  share of conversations that open with an older polar message of random polarity (and a
   *                    little filler) before the anchor: the reply refers to the most recent opinion, so a model
   *                    must overwrite what it kept, not only keep it
   * @param balancePolarity anchors positive and negative in equal shares (else in the pool's shares): a reply's
   *                    label then cannot be guessed from its wording alone, as it can when most opinions in the
   *                    pool are positive (SemEval's tweets: 71 % of the polar ones)
   */
  public record Options(Phrasings phrasings, double staleShare, boolean balancePolarity) {
    public static final Options HELD_OUT = new Options(Phrasings.HELD_OUT, 0.0, true);

    public Options {
      if (staleShare < 0 || staleShare > 1) {
        throw new IllegalArgumentException("the stale share must be between 0 and 1, not " + staleShare);
      }
    }
  }

  /** One message of a conversation and its gold label in that context. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Message(@JsonProperty("text") String text, @JsonProperty("label") String label,
                        @JsonProperty("ids") long[] ids) {
    public Message(String text, String label) {
      this(text, label, null);
    }

    /** This message with its token ids (the model's tokenizer, special tokens included), for training. */
    public Message withIds(long[] tokenIds) {
      return new Message(text, label, tokenIds);
    }
  }

  /**
   * @param distance tokens of filler between the anchor and the target (at least; whole messages)
   * @param polarity the anchor's label
   */
  public record Conversation(@JsonProperty("id") String id, @JsonProperty("kind") Kind kind,
                             @JsonProperty("distance") int distance, @JsonProperty("polarity") String polarity,
                             @JsonProperty("messages") List<Message> messages) {
    /** The last message, whose label is what a model reading the key's history should give. */
    public Message target() {
      return messages.get(messages.size() - 1);
    }
  }

  private Conversations() {}

  /** {@link #generate(List, int[], int, long, ToIntFunction, Options)} with the held-out phrasings, no stale opinion. */
  public static List<Conversation> generate(List<LabelledText> pool, int[] distances, int perKind, long seed,
                                            ToIntFunction<String> tokens) {
    return generate(pool, distances, perKind, seed, tokens, Options.HELD_OUT);
  }

  /**
   * {@code perKind} conversations of every kind at every distance, drawn from {@code pool} with {@code seed}.
   *
   * @param pool   labelled messages with labels negative, neutral or positive (others are ignored)
   * @param tokens a message's token count, to measure distances as the model will
   */
  public static List<Conversation> generate(List<LabelledText> pool, int[] distances, int perKind, long seed,
                                            ToIntFunction<String> tokens, Options options) {
    List<LabelledText> polar = new ArrayList<>();
    List<LabelledText> positive = new ArrayList<>();
    List<LabelledText> negative = new ArrayList<>();
    List<LabelledText> neutral = new ArrayList<>();
    for (LabelledText t : pool) {
      switch (t.label()) {
        case "positive" -> positive.add(t);
        case "negative" -> negative.add(t);
        case "neutral" -> neutral.add(t);
        default -> { }
      }
      if (!options.balancePolarity() && (t.label().equals("positive") || t.label().equals("negative"))) {
        polar.add(t);
      }
    }
    if (options.balancePolarity()) {
      // Each mode keeps the order its files were first drawn with, so a seed gives the same conversations.
      polar.addAll(positive);
      polar.addAll(negative);
    }
    boolean balance = options.balancePolarity() && !positive.isEmpty() && !negative.isEmpty();
    if (polar.isEmpty() || neutral.size() < 2) {
      throw new IllegalArgumentException("conversations need positive or negative messages and at least two "
          + "neutral ones; the pool has " + polar.size() + " polar and " + neutral.size() + " neutral");
    }
    Random random = new Random(seed);
    List<Conversation> out = new ArrayList<>();
    for (int d : distances) {
      for (Kind kind : Kind.values()) {
        for (int i = 0; i < perKind; i++) {
          List<Message> messages = new ArrayList<>();
          LabelledText target = kind == Kind.STANDALONE ? neutral.get(random.nextInt(neutral.size())) : null;
          if (random.nextDouble() < options.staleShare()) {
            LabelledText stale = polar.get(random.nextInt(polar.size()));
            messages.add(new Message(stale.text(), stale.label()));
            addFiller(messages, neutral, target, random.nextInt(3), random, t -> 1);
          }
          List<LabelledText> anchors = !balance ? polar : random.nextBoolean() ? positive : negative;
          LabelledText anchor = anchors.get(random.nextInt(anchors.size()));
          messages.add(new Message(anchor.text(), anchor.label()));
          addFiller(messages, neutral, target, d, random, tokens);
          String reply = kind == Kind.STANDALONE ? null : kind == Kind.QUESTION
              ? pick(OPENINGS, random) + pick(options.phrasings().of(kind), random)
              : pick(OPENINGS, random) + pick(options.phrasings().of(kind), random) + pick(CLOSINGS, random)
                  + pick(ENDINGS, random);
          messages.add(switch (kind) {
            case AGREE -> new Message(reply, anchor.label());
            case DISAGREE -> new Message(reply, opposite(anchor.label()));
            case QUESTION -> new Message(reply, "neutral");
            case STANDALONE -> new Message(target.text(), "neutral");
          });
          out.add(new Conversation(String.format("d%d-%s-%d", d, kind.name().toLowerCase(), i), kind, d,
              anchor.label(), List.copyOf(messages)));
        }
      }
    }
    return out;
  }

  /** Neutral messages (never {@code target}) until they hold at least {@code amount} of {@code measure}. */
  private static void addFiller(List<Message> messages, List<LabelledText> neutral, LabelledText target, int amount,
                                Random random, ToIntFunction<String> measure) {
    for (int filled = 0; filled < amount; ) {
      LabelledText filler = neutral.get(random.nextInt(neutral.size()));
      if (filler == target) {
        continue;
      }
      messages.add(new Message(filler.text(), "neutral"));
      filled += Math.max(1, measure.applyAsInt(filler.text()));
    }
  }

  static String opposite(String polarity) {
    return "positive".equals(polarity) ? "negative" : "positive";
  }

  private static String pick(List<String> options, Random random) {
    return options.get(random.nextInt(options.size()));
  }

  public static void write(List<Conversation> conversations, Path file) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (Conversation c : conversations) {
        w.write(JSON.writeValueAsString(c));
        w.newLine();
      }
    }
  }

  /** Reads a file {@link #write} wrote (or a user's own, in the same shape: one conversation per line). */
  public static List<Conversation> read(Path file) throws IOException {
    List<Conversation> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      int n = 0;
      for (String line; (line = r.readLine()) != null; ) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        Conversation c;
        try {
          c = JSON.readValue(line, Conversation.class);
        } catch (JsonProcessingException e) {
          throw new IOException(file + " line " + n + ": not a conversation (" + e.getOriginalMessage() + ")", e);
        }
        if (c.messages() == null || c.messages().isEmpty() || c.kind() == null) {
          throw new IOException(file + " line " + n + ": a conversation needs a kind and at least one message");
        }
        out.add(c);
      }
    }
    return out;
  }
}
