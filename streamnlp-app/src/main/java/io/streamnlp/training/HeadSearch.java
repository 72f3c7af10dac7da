package io.streamnlp.training;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Chooses a head on the held-out messages: for each candidate (a way of building the training features), the
 * regularisation grid is walked in increasing C while held-out accuracy grows, and the best fit of all candidates
 * is kept. A larger C takes the solver longer and, past the knee, buys a fraction of a point, so the walk stops
 * at the first C that gains nothing, or less than {@code minGain} points when its fit was slow.
 */
public final class HeadSearch {
  /** One fit: the candidate, its C, its held-out accuracy and the seconds the fit took. */
  public record Trial(String candidate, double c, double accuracy, double seconds) {}

  /** The training and held-out features of one candidate; {@code x}/{@code y} may hold rows the dev has not. */
  public record Candidate(String name, float[][] x, int[] y, float[][] devX) {}

  /** The best fit of one candidate. */
  public record Best(Candidate candidate, LinearHeadTrainer.Weights weights, double c, double accuracy) {}

  private final LinearHeadTrainer trainer;
  private final double[] grid;
  private final double minGain;
  private final double quickFitSeconds;
  private final boolean balanced;
  private final PrintWriter log;
  private final List<Trial> trials = new ArrayList<>();

  /**
   * @param grid C values in increasing order
   * @param minGain percentage points a slow fit must add for the walk to go on
   * @param quickFitSeconds a fit quicker than this is cheap enough to try the next C whatever it gained
   */
  public HeadSearch(LinearHeadTrainer trainer, double[] grid, double minGain, double quickFitSeconds,
                    boolean balanced, PrintWriter log) {
    this.trainer = trainer;
    this.grid = grid.clone();
    this.minGain = minGain;
    this.quickFitSeconds = quickFitSeconds;
    this.balanced = balanced;
    this.log = log;
  }

  /** Walks the grid for one candidate and returns its best fit. */
  public Best walk(Candidate candidate, int labels, int[] devY) {
    Best best = null;
    for (double c : grid) {
      long t0 = System.nanoTime();
      LinearHeadTrainer.Weights weights = trainer.fit(candidate.x(), candidate.y(), labels, c, balanced);
      double accuracy = LinearHeadTrainer.accuracy(weights, candidate.devX(), devY);
      double seconds = (System.nanoTime() - t0) / 1e9;
      trials.add(new Trial(candidate.name(), c, accuracy, seconds));
      log.printf(Locale.ROOT, "  %s, C=%s: held-out accuracy %.1f %% (%.1f s)%n", candidate.name(), format(c),
          100 * accuracy, seconds);
      log.flush();
      double gain = best == null ? accuracy : accuracy - best.accuracy();
      if (best == null || accuracy > best.accuracy()) {
        best = new Best(candidate, weights, c, accuracy);
      }
      if (gain <= 0 || (gain * 100 < minGain && seconds > quickFitSeconds)) {
        break;
      }
    }
    return best;
  }

  /** Whether the last fit so far was quick enough to try further candidates. */
  public boolean lastFitWasQuick() {
    return !trials.isEmpty() && trials.get(trials.size() - 1).seconds() <= quickFitSeconds;
  }

  /** Every fit so far, in order. */
  public List<Trial> trials() {
    return List.copyOf(trials);
  }

  /** C as written in reports: 10, not 10.0. */
  public static String format(double c) {
    return c == Math.rint(c) ? Long.toString((long) c) : Double.toString(c);
  }
}
