package io.streamnlp.bench;

import io.streamnlp.bench.BenchResults.CostPoint;
import io.streamnlp.bench.BenchResults.EndToEndPoint;
import io.streamnlp.bench.BenchResults.MemoryPoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

/** The report's plots, drawn with XChart as PNG files. */
public final class Charts {
  private static final int WIDTH = 900;
  private static final int HEIGHT = 480;

  private Charts() {}

  /** Every plot of {@code r} into {@code dir}; returns the files' names, in the order the report shows them. */
  public static List<String> write(BenchResults r, Path dir) throws IOException {
    System.setProperty("java.awt.headless", "true"); // no display on servers; PNGs only
    List<String> files = new ArrayList<>();
    save(throughput(r.endToEnd()), dir, "throughput.png", files);
    save(ceiling(r.endToEnd()), dir, "ceiling-ratio.png", files);
    save(latency(r.endToEnd()), dir, "latency.png", files);
    save(cost("Cost per message vs the key's history (encoder=rnn)", "messages of history (log scale)",
        r.rnnHistory(), true), dir, "cost-rnn-history.png", files);
    save(cost("Cost per message vs the context window (encoder=attention)", "context tokens",
        r.attentionWindow(), false), dir, "cost-attention-window.png", files);
    save(memory(r.memory().points(), r.memory().window()), dir, "long-range-memory.png", files);
    return files;
  }

  static String label(EndToEndPoint p) {
    return p.encoder() + " " + p.messages() + " b" + p.batch();
  }

  private static CategoryChart throughput(List<EndToEndPoint> points) {
    CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Throughput end to end through Kafka (exactly-once)").xAxisTitle("encoder, messages, batch")
        .yAxisTitle("messages/s").build();
    style(c);
    List<String> labels = points.stream().map(Charts::label).toList();
    c.addSeries("end to end", labels, points.stream().map(p -> (Number) p.messagesPerSecond()).toList());
    return c;
  }

  private static CategoryChart ceiling(List<EndToEndPoint> points) {
    CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
        .title("End to end as a share of ONNX Runtime alone (same model, messages and batch)")
        .xAxisTitle("encoder, messages, batch").yAxisTitle("% of the ceiling").build();
    style(c);
    c.getStyler().setYAxisMin(0.0);
    List<String> labels = points.stream().map(Charts::label).toList();
    c.addSeries("end to end / ONNX Runtime alone", labels,
        points.stream().map(p -> (Number) (100 * p.ratioToRaw())).toList());
    return c;
  }

  private static CategoryChart latency(List<EndToEndPoint> points) {
    CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Latency end to end at half the measured throughput").xAxisTitle("encoder, messages, batch")
        .yAxisTitle("ms, record created to result readable").build();
    style(c);
    List<String> labels = points.stream().map(Charts::label).toList();
    c.addSeries("p50", labels, points.stream().map(p -> (Number) p.p50Ms()).toList());
    c.addSeries("p95", labels, points.stream().map(p -> (Number) p.p95Ms()).toList());
    c.addSeries("p99", labels, points.stream().map(p -> (Number) p.p99Ms()).toList());
    return c;
  }

  private static XYChart cost(String title, String xTitle, List<CostPoint> points, boolean logX) {
    XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
        .yAxisTitle("ms per message").build();
    c.getStyler().setXAxisLogarithmic(logX);
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    c.getStyler().setYAxisMin(0.0);
    List<Number> x = points.stream().map(p -> (Number) p.length()).toList();
    c.addSeries("batch 1", x, points.stream().map(p -> (Number) p.msBatch1()).toList());
    if (!points.isEmpty()) {
      c.addSeries("batch " + points.get(0).batch(), x, points.stream().map(p -> (Number) p.msBatched()).toList());
    }
    return c;
  }

  private static CategoryChart memory(List<MemoryPoint> points, int window) {
    CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Long-range memory: context-dependent replies tagged right, d tokens after the message they answer")
        .xAxisTitle("d, tokens between the polar message and the reply").yAxisTitle("% of replies / leak").build();
    style(c);
    c.getStyler().setYAxisMin(0.0);
    c.getStyler().setYAxisMax(100.0);
    List<String> x = points.stream().map(p -> String.valueOf(p.distance())).toList();
    c.addSeries("rnn (state)", x, points.stream().map(p -> (Number) (100 * p.rnnReplies())).toList());
    c.addSeries("attention (window " + window + " tokens)", x,
        points.stream().map(p -> (Number) (100 * p.attentionReplies())).toList());
    if (points.stream().allMatch(p -> p.cascadeReplies() != null)) {
      c.addSeries("cascade (state, unsure replies re-read alone)", x,
          points.stream().map(p -> (Number) (100 * p.cascadeReplies())).toList());
    }
    c.addSeries("rnn, replies alone", x, points.stream().map(p -> (Number) (100 * p.rnnRepliesAlone())).toList());
    c.addSeries("attention, replies alone", x,
        points.stream().map(p -> (Number) (100 * p.attentionRepliesAlone())).toList());
    c.addSeries("rnn leak", x, points.stream().map(p -> (Number) (100 * p.rnnLeak())).toList());
    c.addSeries("attention leak", x, points.stream().map(p -> (Number) (100 * p.attentionLeak())).toList());
    return c;
  }

  private static void style(CategoryChart c) {
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    c.getStyler().setXAxisLabelRotation(20);
  }

  private static void save(Chart<?, ?> chart, Path dir, String name, List<String> files) throws IOException {
    BitmapEncoder.saveBitmap(chart, dir.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
    files.add(name);
  }
}
