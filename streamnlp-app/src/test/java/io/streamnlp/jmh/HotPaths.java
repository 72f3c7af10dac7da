package io.streamnlp.jmh;

import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH benchmarks of the hot paths and prints, after JMH's own table, each benchmark as a ratio to
 * the baseline of its class (the method named {@code baseline*}, same parameters) measured in the same run.
 * {@code mvn -Pjmh test-compile exec:exec}; arguments after {@code -Djmh.args=...} are JMH's own (e.g.
 * {@code -f 1 -wi 1 -i 2} for a short run).
 */
public final class HotPaths {
  private HotPaths() {}

  public static void main(String[] args) throws Exception {
    // The forked JVMs get the classpath through a manifest-only jar: ONNX Runtime 1.29.0 crashes at load
    // when java.class.path itself is several kilobytes long, as Maven's is (README, Known issues).
    System.setProperty("jmh.separateClasspathJAR", "true");
    Options defaults = new OptionsBuilder().include("io\\.streamnlp\\.jmh\\..*Benchmark")
        .forks(1).warmupIterations(3).warmupTime(TimeValue.seconds(2)).measurementIterations(5)
        .measurementTime(TimeValue.seconds(2)).build();
    Options options = args.length == 0 ? defaults
        : new OptionsBuilder().parent(new org.openjdk.jmh.runner.options.CommandLineOptions(args))
            .include("io\\.streamnlp\\.jmh\\..*Benchmark").build();
    Collection<RunResult> results = new Runner(options).run();
    Map<String, Double> baselines = new HashMap<>();
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      if (name.substring(name.lastIndexOf('.') + 1).startsWith("baseline")) {
        baselines.put(group(r), r.getPrimaryResult().getScore());
      }
    }
    System.out.println();
    System.out.println("Ratio to the baseline of the same class and parameters, measured in this run:");
    for (RunResult r : results) {
      Double base = baselines.get(group(r));
      String name = r.getParams().getBenchmark();
      // The error is JMH's 99.9 % confidence half-width: a ratio inside the baseline's error is no difference.
      System.out.printf(Locale.ROOT, "  %-55s %10.3f ± %-9.3f %-6s %8s%n", shortName(name) + params(r),
          r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError(), r.getPrimaryResult().getScoreUnit(),
          base == null ? "" : String.format(Locale.ROOT, "x%.2f", r.getPrimaryResult().getScore() / base));
    }
  }

  private static String group(RunResult r) {
    String name = r.getParams().getBenchmark();
    return name.substring(0, name.lastIndexOf('.')) + params(r);
  }

  private static String params(RunResult r) {
    StringBuilder p = new StringBuilder();
    for (String key : r.getParams().getParamsKeys()) {
      p.append(' ').append(key).append('=').append(r.getParams().getParam(key));
    }
    return p.toString();
  }

  private static String shortName(String benchmark) {
    return benchmark.substring("io.streamnlp.jmh.".length());
  }
}
