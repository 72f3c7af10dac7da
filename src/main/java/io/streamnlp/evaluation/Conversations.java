package io.streamnlp.evaluation;

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
 * Every message carries its gold label in its context (anchor and fillers their own labels), so a file serves
 * training (a label per step) as well as evaluation (the target). One JSON object per line.
 */
public final class Conversations {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How the target's gold label follows from the anchor. */
  public enum Kind { AGREE, DISAGREE, QUESTION, STANDALONE }

  static final List<String> AGREE = List.of("me too", "same here", "+1", "exactly", "totally agree",
      "couldn't agree more", "so true", "same for me", "i feel the same way", "agreed, 100%");
  static final List<String> DISAGREE = List.of("not for me", "i disagree", "no way, not at all",
      "i don't think so", "hard disagree", "not my experience at all", "really? not for me",
      "i see it the other way");
  static final List<String> QUESTION = List.of("why do you say that?", "what do you mean?", "when did that "
      + "happen?", "which one was it?", "how long ago was that?", "where did you get it?");

  /** One message of a conversation and its gold label in that context. */
  public record Message(@JsonProperty("text") String text, @JsonProperty("label") String label) {}

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

  /**
   * {@code perKind} conversations of every kind at every distance, drawn from {@code pool} with {@code seed}.
   *
   * @param pool   labelled messages with labels negative, neutral or positive (others are ignored)
   * @param tokens a message's token count, to measure distances as the model will
   */
  public static List<Conversation> generate(List<LabelledText> pool, int[] distances, int perKind, long seed,
                                            ToIntFunction<String> tokens) {
    List<LabelledText> polar = new ArrayList<>();
    List<LabelledText> neutral = new ArrayList<>();
    for (LabelledText t : pool) {
      switch (t.label()) {
        case "positive", "negative" -> polar.add(t);
        case "neutral" -> neutral.add(t);
        default -> { }
      }
    }
    if (polar.isEmpty() || neutral.size() < 2) {
      throw new IllegalArgumentException("conversations need positive or negative messages and at least two "
          + "neutral ones; the pool has " + polar.size() + " polar and " + neutral.size() + " neutral");
    }
    Random random = new Random(seed);
    List<Conversation> out = new ArrayList<>();
    for (int d : distances) {
      for (Kind kind : Kind.values()) {
        for (int i = 0; i < perKind; i++) {
          LabelledText anchor = polar.get(random.nextInt(polar.size()));
          List<Message> messages = new ArrayList<>();
          messages.add(new Message(anchor.text(), anchor.label()));
          LabelledText target = kind == Kind.STANDALONE ? neutral.get(random.nextInt(neutral.size())) : null;
          for (int filled = 0; filled < d; ) {
            LabelledText filler = neutral.get(random.nextInt(neutral.size()));
            if (filler == target) {
              continue;
            }
            messages.add(new Message(filler.text(), "neutral"));
            filled += Math.max(1, tokens.applyAsInt(filler.text()));
          }
          messages.add(switch (kind) {
            case AGREE -> new Message(pick(AGREE, random), anchor.label());
            case DISAGREE -> new Message(pick(DISAGREE, random), opposite(anchor.label()));
            case QUESTION -> new Message(pick(QUESTION, random), "neutral");
            case STANDALONE -> new Message(target.text(), "neutral");
          });
          out.add(new Conversation(String.format("d%d-%s-%d", d, kind.name().toLowerCase(), i), kind, d,
              anchor.label(), List.copyOf(messages)));
        }
      }
    }
    return out;
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
