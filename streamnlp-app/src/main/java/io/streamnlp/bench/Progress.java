package io.streamnlp.bench;

import java.io.PrintWriter;
import java.util.Locale;

/** Progress lines while a bench runs: which step of how many, and the time since it started. */
public final class Progress {
  private final PrintWriter out;
  private final int steps;
  private final long start = System.nanoTime();
  private int step;

  public Progress(PrintWriter out, int steps) {
    this.out = out;
    this.steps = steps;
  }

  /** A new step begins. */
  public void step(String what) {
    step++;
    out.printf(Locale.ROOT, "[%2d/%d %s] %s%n", step, steps, elapsed(), what);
    out.flush();
  }

  /** A figure or a sign of life within the current step. */
  public void detail(String format, Object... args) {
    out.printf(Locale.ROOT, "           " + format + "%n", args);
    out.flush();
  }

  public double seconds() {
    return (System.nanoTime() - start) / 1e9;
  }

  private String elapsed() {
    long s = (long) seconds();
    return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
