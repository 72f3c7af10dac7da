package io.streamnlp.training;

import io.streamnlp.evaluation.LabelledText;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * The labelled messages a head is trained and checked on: the label set (sorted, so that a model's label order
 * does not depend on the file's), the training messages and the held-out ones (a dev file, or a seeded,
 * stratified tenth of the training file), with every refusal a newcomer can meet said in one line.
 *
 * @param heldOutFromTraining whether {@code dev} was split off the training file (no dev file was given)
 */
public record TrainingData(List<String> labels, List<LabelledText> train, List<LabelledText> dev,
                           boolean heldOutFromTraining) {
  /** Share of each label held out when there is no dev file. */
  static final double HOLD_OUT = 0.1;

  /**
   * @param train the training file's messages
   * @param dev the dev file's messages, or null to hold out a tenth of {@code train}
   * @param only the labels to keep (the others' messages are left out), or empty for all
   * @param perLabel at most this many training messages per label, drawn with {@code seed}; 0 for all
   * @throws IllegalArgumentException saying what is wrong with the data and what to do
   */
  public static TrainingData of(String trainName, List<LabelledText> train, String devName, List<LabelledText> dev,
                                Set<String> only, int perLabel, long seed) {
    if (train.isEmpty()) {
      throw new IllegalArgumentException(trainName + " has no labelled messages");
    }
    Set<String> present = new TreeSet<>();
    train.forEach(t -> present.add(t.label()));
    if (!only.isEmpty()) {
      Set<String> unknown = new TreeSet<>(only);
      unknown.removeAll(present);
      if (!unknown.isEmpty()) {
        throw new IllegalArgumentException("--labels names labels " + unknown + " that " + trainName
            + " does not have; it has " + abbreviate(present));
      }
      present.retainAll(only);
    }
    if (present.size() < 2) {
      throw new IllegalArgumentException(trainName + " has only one label (" + String.join(", ", present)
          + "): a classifier needs messages of at least two");
    }
    List<LabelledText> kept = new ArrayList<>();
    train.stream().filter(t -> present.contains(t.label())).forEach(kept::add);
    if (perLabel > 0) {
      kept = sample(kept, perLabel, seed);
    }
    Map<String, Integer> counts = counts(kept);
    List<String> single = counts.entrySet().stream().filter(e -> e.getValue() < 2).map(Map.Entry::getKey).toList();
    if (!single.isEmpty()) {
      throw new IllegalArgumentException("labels with a single training message cannot be learnt and checked: "
          + abbreviate(single) + ". Give each label at least 2 (10 or more is better), or leave it out with --labels");
    }
    List<String> labels = List.copyOf(present);
    if (dev != null) {
      List<LabelledText> devKept = new ArrayList<>();
      Set<String> unknown = new TreeSet<>();
      for (LabelledText t : dev) {
        if (present.contains(t.label())) {
          devKept.add(t);
        } else if (only.isEmpty()) {
          unknown.add(t.label());
        }
      }
      if (!unknown.isEmpty()) {
        throw new IllegalArgumentException(devName + " has labels " + abbreviate(unknown) + " that " + trainName
            + " does not; the head could never predict them. Give them training messages, or drop them from "
            + devName);
      }
      if (devKept.isEmpty()) {
        throw new IllegalArgumentException(devName + " has no messages of the labels trained on");
      }
      return new TrainingData(labels, kept, devKept, false);
    }
    return holdOut(labels, kept, seed);
  }

  /** A seeded tenth of each label (at least one message, never its last) as dev; the rest to train on. */
  private static TrainingData holdOut(List<String> labels, List<LabelledText> all, long seed) {
    Map<String, List<LabelledText>> byLabel = byLabel(all);
    List<LabelledText> train = new ArrayList<>();
    List<LabelledText> dev = new ArrayList<>();
    Random random = new Random(seed);
    for (List<LabelledText> group : byLabel.values()) {
      List<LabelledText> shuffled = new ArrayList<>(group);
      Collections.shuffle(shuffled, random);
      int held = Math.max(1, (int) Math.round(group.size() * HOLD_OUT));
      dev.addAll(shuffled.subList(0, held));
      train.addAll(shuffled.subList(held, shuffled.size()));
    }
    return new TrainingData(labels, train, dev, true);
  }

  /** At most {@code perLabel} messages of each label, drawn with {@code seed}, in the file's order. */
  static List<LabelledText> sample(List<LabelledText> all, int perLabel, long seed) {
    Random random = new Random(seed);
    List<LabelledText> out = new ArrayList<>();
    for (List<LabelledText> group : byLabel(all).values()) {
      List<LabelledText> shuffled = new ArrayList<>(group);
      Collections.shuffle(shuffled, random);
      out.addAll(shuffled.subList(0, Math.min(perLabel, shuffled.size())));
    }
    return out;
  }

  private static Map<String, List<LabelledText>> byLabel(List<LabelledText> all) {
    Map<String, List<LabelledText>> byLabel = new java.util.TreeMap<>();
    for (LabelledText t : all) {
      byLabel.computeIfAbsent(t.label(), k -> new ArrayList<>()).add(t);
    }
    return byLabel;
  }

  private static Map<String, Integer> counts(List<LabelledText> all) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (LabelledText t : all) {
      counts.merge(t.label(), 1, Integer::sum);
    }
    return counts;
  }

  /** Each message's label as an index into {@link #labels()}. */
  public static int[] indexes(List<String> labels, List<LabelledText> messages) {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < labels.size(); i++) {
      index.put(labels.get(i), i);
    }
    int[] y = new int[messages.size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = index.get(messages.get(i).label());
    }
    return y;
  }

  public static List<String> texts(List<LabelledText> messages) {
    return messages.stream().map(LabelledText::text).toList();
  }

  private static String abbreviate(java.util.Collection<String> labels) {
    List<String> l = new ArrayList<>(labels);
    return l.size() <= 8 ? String.join(", ", l) : String.join(", ", l.subList(0, 8)) + " and " + (l.size() - 8)
        + " more";
  }
}
