package io.streamnlp.stream.internals;

import io.streamnlp.avro.ModelInfo;
import io.streamnlp.avro.SentimentWindow;
import io.streamnlp.avro.TextEncoding;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Per-key sentiment over time windows, with Kafka Streams' own windowing: tumbling or hopping windows on
 * record time, late records accepted until the grace period ends, and one final summary per key and window
 * emitted when it closes (suppression), so consumers never see partial counts.
 */
public final class SentimentWindows {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SentimentWindows.class);

  /**
   * @param advance  how far consecutive windows start apart; equal to {@code size} for tumbling windows
   * @param polarity the model's positive and negative labels, for the mean polarity; null for none
   */
  public record Settings(Duration size, Duration advance, Duration grace,
                         io.streamnlp.model.ModelInfo.PolarLabels polarity) {}

  private SentimentWindows() {}

  public static KStream<byte[], SentimentWindow> summarize(PipelineNames names, KStream<byte[], TextEncoding> results,
                                                           Serde<TextEncoding> resultSerde, ModelInfo model,
                                                           List<String> labels, Settings settings) {
    TimeWindows windows = TimeWindows.ofSizeAndGrace(settings.size(), settings.grace())
        .advanceBy(settings.advance());
    return results
        .groupByKey(Grouped.with(names.processor("windows-by-key"), Serdes.ByteArray(), resultSerde))
        .windowedBy(windows)
        .aggregate(() -> WindowTally.empty(labels.size()),
            (key, result, tally) -> continuable(tally, labels.size()).add(result, labels),
            Named.as(names.processor("windows-tally")),
            Materialized.<byte[], WindowTally, WindowStore<Bytes, byte[]>>as(names.windowsStore())
                .withKeySerde(Serdes.ByteArray()).withValueSerde(new WindowTally.WindowTallySerde()))
        .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded())
            .withName(names.processor("windows-until-closed")))
        .toStream(Named.as(names.processor("windows-closed")))
        .filter((window, tally) -> tally != null && tally.fits(labels.size()), Named.as(names.processor("windows-readable")))
        .map((Windowed<byte[]> window, WindowTally tally) -> KeyValue.pair(window.key(),
            summary(window, tally, model, labels, settings.polarity())), Named.as(names.processor("windows-summary")));
  }

  /**
   * The stored tally, or a new one when it cannot be continued (unreadable, or made for another label set): a
   * damaged or outdated aggregate costs that window's earlier counts, never the task.
   */
  static WindowTally continuable(WindowTally tally, int labels) {
    if (tally.fits(labels)) {
      return tally;
    }
    LOG.warn("A stored window tally {}; the key's window starts counting again",
        tally == WindowTally.UNREADABLE ? "could not be read" : "was made for " + tally.scoreSums().length
            + " labels, not " + labels);
    return WindowTally.empty(labels);
  }

  static SentimentWindow summary(Windowed<byte[]> window, WindowTally tally, ModelInfo model, List<String> labels,
                                 io.streamnlp.model.ModelInfo.PolarLabels polarity) {
    Map<String, Double> means = new LinkedHashMap<>();
    Map<String, Long> counts = new LinkedHashMap<>();
    double[] meanScores = new double[labels.size()];
    for (int i = 0; i < labels.size(); i++) {
      meanScores[i] = tally.count() == 0 ? 0.0 : tally.scoreSums()[i] / tally.count();
      means.put(labels.get(i), meanScores[i]);
      counts.put(labels.get(i), tally.labelCounts()[i]);
    }
    return SentimentWindow.newBuilder()
        .setKey(ByteBuffer.wrap(window.key()))
        .setWindowStart(Instant.ofEpochMilli(window.window().start()))
        .setWindowEnd(Instant.ofEpochMilli(window.window().end()))
        .setModel(model)
        .setCount(tally.count())
        .setMeanScores(means)
        .setLabelCounts(counts)
        // Polarity is linear in the scores: its mean is the difference of the two mean scores.
        .setMeanPolarity(polarity == null ? null : polarity.of(meanScores))
        .build();
  }
}
