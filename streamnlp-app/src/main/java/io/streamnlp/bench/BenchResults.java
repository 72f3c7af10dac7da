package io.streamnlp.bench;

import java.util.List;

/**
 * Everything one {@code bench} run measured, as written to {@code results.json} and read by the report. Every
 * number here comes from the run itself or from a file the model ships (its training record).
 */
public record BenchResults(
    Environment environment,
    List<ModelFacts> models,
    List<RawPoint> raw,
    List<EndToEndPoint> endToEnd,
    List<CostPoint> rnnHistory,
    List<CostPoint> attentionWindow,
    MemoryCurve memory,
    List<StateSize> stateSizes,
    List<Footprint> footprints,
    List<ExplanationCost> explanations,
    List<RawVariant> rawVariants,
    List<EndToEndVariant> endToEndVariants) {

  /** Where and how the run happened. */
  public record Environment(String started, double durationSeconds, boolean quick, long seed, int cores,
                            String jvm, String os, long maxHeapBytes, String broker, int configuredBatch,
                            long batchMaxWaitMs, String processingGuarantee) {}

  /** What a model is, from its manifest, its ONNX file and its training record (when it ships one). */
  public record ModelFacts(String encoder, String name, String version, String kind, long onnxBytes,
                           String architecture, Double trainSeconds, Integer trainExamples, Double epochs,
                           Double devAccuracy, boolean explains) {}

  /** Messages/s through ONNX Runtime alone: the ceiling. */
  public record RawPoint(String encoder, String messages, double meanTokens, int batch, double messagesPerSecond) {}

  /**
   * A ceiling measured another way than the plain {@link RawPoint} of the same encoder, messages and batch:
   * {@code variant} "padded" (each batch one call padded to its longest message, no length grouping) or "int8"
   * (the int8 attention model).
   */
  public record RawVariant(String variant, RawPoint point) {
    /** The points of {@code variants} measured as {@code name}, in order. */
    public static List<RawPoint> points(List<RawVariant> variants, String name) {
      return variants.stream().filter(v -> v.variant().equals(name)).map(RawVariant::point).toList();
    }
  }

  /**
   * An end-to-end point of another pipeline configuration than the default one: {@code variant} "low-latency"
   * (latency.mode=low), "int8" (the int8 attention model), "kafka-alone" (the GRU's pipeline with a model that
   * does no work), "cascade" (encoder=cascade, the float transformer re-reading) or "cascade-int8" (the int8
   * transformer re-reading).
   */
  public record EndToEndVariant(String variant, EndToEndPoint point) {}

  /**
   * Through a real broker with exactly-once processing: throughput with a backlog, then latency (record
   * creation to the result being readable by a read_committed consumer) at {@code latencyRate} messages/s;
   * {@code rereadShare}: for the cascade, the share of the throughput step's results the attention model re-read.
   */
  public record EndToEndPoint(String encoder, String messages, double meanTokens, int batch, int throughputMessages,
                              double messagesPerSecond, double meanBatch, double latencyRate, int latencyMessages,
                              double p50Ms, double p95Ms, double p99Ms, int deadLettered,
                              double rawMessagesPerSecond, double rereadShare) {
    /** A point of a pipeline that re-reads nothing. */
    public EndToEndPoint(String encoder, String messages, double meanTokens, int batch, int throughputMessages,
                         double messagesPerSecond, double meanBatch, double latencyRate, int latencyMessages,
                         double p50Ms, double p95Ms, double p99Ms, int deadLettered, double rawMessagesPerSecond) {
      this(encoder, messages, meanTokens, batch, throughputMessages, messagesPerSecond, meanBatch, latencyRate,
          latencyMessages, p50Ms, p95Ms, p99Ms, deadLettered, rawMessagesPerSecond, 0);
    }

    /** End to end as a share of the ceiling. */
    public double ratioToRaw() {
      return rawMessagesPerSecond > 0 ? messagesPerSecond / rawMessagesPerSecond : Double.NaN;
    }
  }

  /** ms per message at a history (RNN, in messages) or window (attention, in tokens) length. */
  public record CostPoint(int length, double msBatch1, double msBatched, int batch) {}

  /**
   * Long-range memory on held-out conversations ({@link LongRangeMemory}).
   *
   * @param pool where the conversations' messages were drawn from
   */
  public record MemoryCurve(int window, int conversationsPerDistance, long seed, String pool,
                            List<MemoryPoint> points) {}

  /**
   * At distance d: accuracy on context-dependent replies in context and alone (what the wording alone gives),
   * and the leak rate on standalone neutral messages, for each encoder; the cascade's (the rnn's state, unsure
   * readings re-read alone by the transformer at the default threshold) are null in results written before it was
   * measured.
   */
  public record MemoryPoint(int distance, double rnnReplies, double attentionReplies, double rnnRepliesAlone,
                            double attentionRepliesAlone, double rnnLeak, double attentionLeak, Double cascadeReplies,
                            Double cascadeRepliesAlone, Double cascadeLeak) {}

  /** Bytes one key's state takes in its store (and changelog record value). */
  public record StateSize(String encoder, String what, int tokens, int bytes) {}

  /** Memory a model takes in this JVM once loaded and used: resident (native ONNX Runtime included) and heap. */
  public record Footprint(String encoder, String model, long residentBytes, long heapBytes) {}

  /** Explanations: available or not, and ms per message with and without them. */
  public record ExplanationCost(String encoder, boolean available, String why, int batch, double msWithout,
                                double msWith) {}
}
