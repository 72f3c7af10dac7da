package io.streamnlp;

import io.streamnlp.avro.SentimentWindow;
import io.streamnlp.avro.TextEncoding;
import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.model.ModelDirectory;
import io.streamnlp.model.ModelManifest;
import io.streamnlp.model.OnnxModel;
import io.streamnlp.serde.ConfluentAvroDeserializer;
import io.streamnlp.serde.ConfluentAvroSerializer;
import io.streamnlp.serde.HttpSchemaRegistryClient;
import io.streamnlp.serde.SchemaRegistryClient;
import io.streamnlp.stream.BatchPolicy;
import io.streamnlp.stream.DeadLetterPolicy;
import io.streamnlp.stream.MessageBatchEncoder;
import io.streamnlp.stream.PipelineMeters;
import io.streamnlp.stream.SinkLimits;
import io.streamnlp.stream.SinkRejectionHandler;
import io.streamnlp.stream.RecurrentBatchEncoder;
import io.streamnlp.stream.StatelessBatchEncoder;
import io.streamnlp.stream.SentimentWindows;
import io.streamnlp.stream.StreamNlpTopology;
import io.streamnlp.stream.WindowedAttentionBatchEncoder;
import io.streamnlp.stream.TextEncodings;
import io.streamnlp.text.AvroFieldExtractor;
import io.streamnlp.text.InputGuard;
import io.streamnlp.text.JsonFieldExtractor;
import io.streamnlp.text.PlainTextExtractor;
import io.streamnlp.text.TextExtractor;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;

/**
 * The library entry point. Create one per application (it loads the model once), then either add the
 * pipeline to your own stream with {@link #encode(KStream)}, or build the standalone
 * {@link #topology()} that reads {@code input.topics} and writes {@code output.topic}.
 *
 * <pre>{@code
 * try (StreamNlp nlp = StreamNlp.create(props)) {
 *   StreamsBuilder builder = new StreamsBuilder();
 *   KStream<byte[], byte[]> texts = builder.stream("chat", Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()));
 *   nlp.encode(texts).filter((k, v) -> "negative".equals(v.getLabel())).to("alerts", Produced.valueSerde(nlp.resultSerde()));
 *   ...
 * }
 * }</pre>
 */
public final class StreamNlp implements AutoCloseable {
  private final StreamNlpConfig config;
  private final SchemaRegistryClient registry;
  private final boolean ownsRegistry;
  private final OnnxModel model;
  private final Serde<TextEncoding> resultSerde;
  private final SinkLimits sinkLimits;
  private final CompositeMeterRegistry meterRegistry = new CompositeMeterRegistry();
  private final PipelineMeters meters;

  private StreamNlp(StreamNlpConfig config, SchemaRegistryClient registry, boolean ownsRegistry) {
    this.config = config;
    this.registry = registry;
    this.ownsRegistry = ownsRegistry;
    ModelDirectory dir = ModelDirectory.open(config.modelDir());
    if (!dir.manifest().kind().equals(config.encoder())) {
      throw new ConfigException(StreamNlpConfig.ENCODER_CONFIG, config.encoder(), "model '"
          + dir.manifest().name() + "' in " + dir.location() + " is of kind '" + dir.manifest().kind()
          + "'. Set encoder=" + dir.manifest().kind() + " or point model.dir at a model of kind '"
          + config.encoder() + "'.");
    }
    this.model = OnnxModel.load(dir, new OnnxModel.RuntimeOptions(config.executionProvider(),
        config.getInt(StreamNlpConfig.EXECUTION_DEVICE_ID_CONFIG),
        config.getInt(StreamNlpConfig.ONNX_INTRA_OP_THREADS_CONFIG),
        config.getBoolean(StreamNlpConfig.EXECUTION_PROVIDER_FALLBACK_CONFIG),
        config.getBoolean(StreamNlpConfig.BATCH_GROUP_BY_LENGTH_CONFIG), config.intraOpSpinning()),
        config.getInt(StreamNlpConfig.MAX_TOKENS_CONFIG));
    ConfigException misfit = misfit(config, model);
    if (misfit != null) {
      model.close();
      throw misfit;
    }
    this.sinkLimits = SinkLimits.fromStreamsProperties(config.streamsProperties());
    this.meters = new PipelineMeters(meterRegistry, model.info().labels());
    Gauge.builder("streamnlp.model.load", model, m -> m.loadTime().toNanos() / 1e9).baseUnit("seconds")
        .description("How long loading and checking the model took")
        .tag("model", model.info().name()).tag("version", model.info().version()).register(meterRegistry);
    this.resultSerde = Serdes.serdeFrom(
        new ConfluentAvroSerializer<>(registry, config.valueSubjectNameStrategy(),
            config.getBoolean(StreamNlpConfig.AUTO_REGISTER_SCHEMAS_CONFIG), false),
        new ConfluentAvroDeserializer<>(registry, TextEncoding.getClassSchema()));
  }

  /** What in the configuration the loaded model cannot do, or null. */
  private static ConfigException misfit(StreamNlpConfig config, OnnxModel model) {
    ModelManifest m = model.manifest();
    int window = config.getInt(StreamNlpConfig.ATTENTION_WINDOW_TOKENS_CONFIG);
    if (!m.isRecurrent() && window > 0 && m.inputs().poolingMask() == null) {
      return new ConfigException(StreamNlpConfig.ATTENTION_WINDOW_TOKENS_CONFIG, window, "a context window needs "
          + "a model with a pooling mask input (inputs.poolingMask), so that the tag describes the message and "
          + "not its context; model '" + m.name() + "' has none. Set it to 0 or use the default model.");
    }
    if (m.polarity() == null && config.originals().containsKey(StreamNlpConfig.OUTPUT_FIELDS_CONFIG)
        && config.outputFields().contains(StreamNlpConfig.OutputField.POLARITY)) {
      return new ConfigException(StreamNlpConfig.OUTPUT_FIELDS_CONFIG,
          config.getList(StreamNlpConfig.OUTPUT_FIELDS_CONFIG), "'polarity' needs a model whose manifest declares "
          + "its positive and negative labels (\"polarity\": {\"positive\": ..., \"negative\": ...}); model '"
          + m.name() + "' does not. Remove 'polarity' or declare them.");
    }
    if (m.embeddingDim() == 0 && config.outputFields().contains(StreamNlpConfig.OutputField.EMBEDDING)) {
      return new ConfigException(StreamNlpConfig.OUTPUT_FIELDS_CONFIG,
          config.getList(StreamNlpConfig.OUTPUT_FIELDS_CONFIG), "'embedding' needs a model with an embedding "
          + "output; model '" + m.name() + "' gives logits only. Remove 'embedding', or export the model with "
          + "its last_hidden_state too (see README, 'Use your own model').");
    }
    if (config.outputFields().contains(StreamNlpConfig.OutputField.EXPLANATION)
        && (m.isRecurrent() || m.outputs().attention() == null)) {
      return new ConfigException(StreamNlpConfig.OUTPUT_FIELDS_CONFIG,
          config.getList(StreamNlpConfig.OUTPUT_FIELDS_CONFIG), "'explanation' needs an attention model that "
          + "outputs its attention weights; model '" + m.name() + "' does not. Remove 'explanation' or use "
          + "encoder=attention with the default model.");
    }
    return null;
  }

  /** Validates the configuration, connects the registry client and loads the model. */
  public static StreamNlp create(Map<?, ?> properties) {
    StreamNlpConfig config = new StreamNlpConfig(properties);
    return new StreamNlp(config, registryClient(config), true);
  }

  /** As {@link #create(Map)}, with a registry client of your own (which you close). */
  public static StreamNlp create(Map<?, ?> properties, SchemaRegistryClient registry) {
    return new StreamNlp(new StreamNlpConfig(properties), registry, false);
  }

  private static SchemaRegistryClient registryClient(StreamNlpConfig config) {
    if (config.schemaRegistryUrls().isEmpty()) {
      throw new ConfigException(StreamNlpConfig.SCHEMA_REGISTRY_URL_CONFIG, "", "a schema registry is needed "
          + "to write Avro results; set schema.registry.url to its base URL, e.g. http://localhost:8081");
    }
    try {
      return new HttpSchemaRegistryClient(new HttpSchemaRegistryClient.Settings(config.schemaRegistryUrls(),
          Duration.ofMillis(config.getInt(StreamNlpConfig.SCHEMA_REGISTRY_TIMEOUT_MS_CONFIG)),
          config.getInt(StreamNlpConfig.SCHEMA_REGISTRY_RETRIES_CONFIG),
          config.getLong(StreamNlpConfig.SCHEMA_REGISTRY_RETRY_BACKOFF_MS_CONFIG),
          config.schemaRegistryBasicAuth(), config.schemaRegistryBearerToken(),
          config.getLong(StreamNlpConfig.SCHEMA_REGISTRY_OUTAGE_MAX_MS_CONFIG)));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(StreamNlpConfig.SCHEMA_REGISTRY_URL_CONFIG, config.schemaRegistryUrls(),
          e.getMessage());
    }
  }

  /**
   * Adds the pipeline to {@code texts}: records that cannot be encoded go to the dead-letter topic, the
   * returned stream carries one {@link TextEncoding} per encoded record, in input order per partition.
   */
  public KStream<byte[], TextEncoding> encode(KStream<byte[], byte[]> texts) {
    return StreamNlpTopology.encode(texts, parts());
  }

  private StreamNlpTopology.Parts parts() {
    int maxBytes = config.getInt(StreamNlpConfig.INPUT_MAX_BYTES_CONFIG);
    int batchSize = config.getInt(StreamNlpConfig.BATCH_SIZE_CONFIG);
    boolean rnn = model.manifest().isRecurrent();
    boolean explain = config.outputFields().contains(StreamNlpConfig.OutputField.EXPLANATION);
    int window = config.getInt(StreamNlpConfig.ATTENTION_WINDOW_TOKENS_CONFIG);
    boolean windowed = !rnn && window > 0;
    Supplier<MessageBatchEncoder> encoders = rnn
        ? () -> new RecurrentBatchEncoder(model.newRecurrentEncoder(batchSize), rnnSettings(), meters)
        : windowed ? () -> new WindowedAttentionBatchEncoder(model.newContextualEncoder(batchSize, explain),
            new WindowedAttentionBatchEncoder.Settings(StreamNlpTopology.CONTEXT_STORE, window,
                Duration.ofMillis(config.getLong(StreamNlpConfig.ATTENTION_WINDOW_MS_CONFIG)), model.maxTokens()),
            meters)
        : explain ? () -> new StatelessBatchEncoder(model.newExplainingEncoder(batchSize))
        : () -> new StatelessBatchEncoder(model.newEncoder(batchSize));
    StreamNlpTopology.Parts parts = new StreamNlpTopology.Parts(
        () -> new InputGuard(newExtractor(), maxBytes),
        model.tokenizer(),
        encoders,
        rnn ? Set.of(StreamNlpTopology.rnnStateStore())
            : windowed ? Set.of(StreamNlpTopology.contextStore()) : Set.of(),
        rnn && "dead-letter".equalsIgnoreCase(config.getString(StreamNlpConfig.RNN_NULL_KEY_CONFIG)),
        new TextEncodings(model.info(), config.outputFields(), model.tokenizer(),
            config.getInt(StreamNlpConfig.EXPLANATION_TOP_K_CONFIG)),
        new BatchPolicy(batchSize, Duration.ofMillis(config.getLong(StreamNlpConfig.BATCH_MAX_WAIT_MS_CONFIG)),
            config.lowLatency()),
        deadLetterPolicy(), sinkLimits, meters);
    return parts;
  }

  private DeadLetterPolicy deadLetterPolicy() {
    return new DeadLetterPolicy(config.dlqTopic(), config.getInt(StreamNlpConfig.DLQ_MAX_VALUE_BYTES_CONFIG),
        config.getInt(StreamNlpConfig.DLQ_MAX_HEADERS_BYTES_CONFIG));
  }

  private RecurrentBatchEncoder.Settings rnnSettings() {
    String header = config.getString(StreamNlpConfig.RNN_RESET_HEADER_CONFIG).trim();
    return new RecurrentBatchEncoder.Settings(StreamNlpTopology.RNN_STATE_STORE,
        Duration.ofMillis(config.getLong(StreamNlpConfig.RNN_STATE_TTL_MS_CONFIG)),
        Duration.ofMillis(config.getLong(StreamNlpConfig.RNN_STATE_SWEEP_INTERVAL_MS_CONFIG)),
        config.getInt(StreamNlpConfig.RNN_STATE_SWEEP_MAX_KEYS_CONFIG), header.isEmpty() ? null : header);
  }

  private TextExtractor newExtractor() {
    switch (config.inputFormat()) {
      case JSON:
        return new JsonFieldExtractor(config.getString(StreamNlpConfig.INPUT_JSON_FIELD_CONFIG));
      case AVRO:
        return new AvroFieldExtractor(registry, config.getString(StreamNlpConfig.INPUT_AVRO_FIELD_CONFIG));
      default:
        return new PlainTextExtractor();
    }
  }

  /**
   * Per-key sentiment summaries over the configured time windows, from a stream {@link #encode} returned;
   * one {@link SentimentWindow} per key and window, when the window closes.
   */
  public KStream<byte[], SentimentWindow> summarize(KStream<byte[], TextEncoding> results) {
    long size = config.getLong(StreamNlpConfig.AGGREGATES_WINDOW_MS_CONFIG);
    long advance = config.getLong(StreamNlpConfig.AGGREGATES_ADVANCE_MS_CONFIG);
    io.streamnlp.model.ModelInfo info = model.info();
    return SentimentWindows.summarize(results, resultSerde,
        new io.streamnlp.avro.ModelInfo(info.name(), info.version(), info.kind()), info.labels(),
        new SentimentWindows.Settings(Duration.ofMillis(size), Duration.ofMillis(advance == 0 ? size : advance),
            Duration.ofMillis(config.getLong(StreamNlpConfig.AGGREGATES_GRACE_MS_CONFIG)), info.polarity()));
  }

  /** The Confluent wire-format serde of {@link SentimentWindow}, bound to the configured registry. */
  public Serde<SentimentWindow> windowSerde() {
    return Serdes.serdeFrom(
        new ConfluentAvroSerializer<>(registry, config.valueSubjectNameStrategy(),
            config.getBoolean(StreamNlpConfig.AUTO_REGISTER_SCHEMAS_CONFIG), false),
        new ConfluentAvroDeserializer<>(registry, SentimentWindow.getClassSchema()));
  }

  /**
   * The standalone topology: input.topics → pipeline → output.topic (and the dead-letter and aggregates
   * topics). Every record it writes is checked against what its topic accepts first ({@link #sinkLimits()}).
   */
  public Topology topology() {
    StreamsBuilder builder = new StreamsBuilder();
    KStream<byte[], byte[]> texts = builder.stream(config.inputTopics(),
        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()));
    StreamNlpTopology.Parts parts = parts();
    KStream<byte[], TextEncoding> results = StreamNlpTopology.encode(texts, parts);
    StreamNlpTopology.write(results, config.outputTopic(), resultSerde.serializer(), StreamNlp::sourceOf,
        "streamnlp-output", parts);
    if (!config.aggregatesTopic().isEmpty()) {
      StreamNlpTopology.write(summarize(results), config.aggregatesTopic(), windowSerde().serializer(), null,
          "streamnlp-aggregates", parts);
    }
    return builder.build();
  }

  /**
   * Writes results (from {@link #encode}, filtered or not) to {@code topic} in the Confluent wire format, as the
   * standalone topology does: a result the topic would refuse becomes an OUTPUT_REJECTED dead letter instead
   * of failing the transaction. {@code name} prefixes the processor names and must be unique in the topology.
   */
  public void write(KStream<byte[], TextEncoding> results, String topic, String name) {
    StreamNlpTopology.write(results, topic, resultSerde.serializer(), StreamNlp::sourceOf, name, parts());
  }

  private static io.streamnlp.stream.SourcePosition sourceOf(TextEncoding result) {
    var s = result.getSource();
    return new io.streamnlp.stream.SourcePosition(s.getTopic(), s.getPartition(), s.getOffset(),
        s.getTimestamp().toEpochMilli());
  }

  /**
   * What the topics this pipeline writes accept, shared by its tasks and its production exception handler;
   * {@code StreamsRunner} teaches it each topic's limits from the broker before it starts.
   */
  public SinkLimits sinkLimits() {
    return sinkLimits;
  }

  /**
   * Where streamnlp's meters ({@code streamnlp.*}) are registered: a composite registry, so an application
   * adds the registry it exports from (Prometheus, JMX, ...) with {@code meters().add(registry)}.
   */
  public CompositeMeterRegistry meters() {
    return meterRegistry;
  }

  /** Serde of the results in the Confluent wire format, bound to this pipeline's registry. */
  public Serde<TextEncoding> resultSerde() {
    return resultSerde;
  }

  /**
   * The Kafka Streams settings: every property that is not a streamnlp key, plus streamnlp's production
   * exception handler (unless one is configured) and the shared objects it needs; with latency.mode=low, a
   * short commit.interval.ms and poll.ms unless they are set.
   */
  public Properties streamsProperties() {
    Properties props = new Properties();
    props.putAll(config.streamsProperties());
    props.putIfAbsent(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, SinkRejectionHandler.class.getName());
    if (config.inputFormat() == StreamNlpConfig.InputFormat.AVRO && !setsMaxPollInterval(props)) {
      // A stream thread waiting out a registry outage must not be taken for a stuck one and leave the group.
      props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG), Long.toString(
          Math.max(300_000L, config.getLong(StreamNlpConfig.SCHEMA_REGISTRY_OUTAGE_MAX_MS_CONFIG) + 60_000L)));
    }
    if (config.lowLatency()) {
      props.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, StreamNlpConfig.LOW_LATENCY_COMMIT_INTERVAL_MS);
      props.putIfAbsent(StreamsConfig.POLL_MS_CONFIG, StreamNlpConfig.LOW_LATENCY_POLL_MS);
    }
    props.put(SinkRejectionHandler.LIMITS_CONFIG, sinkLimits);
    return props;
  }

  private static boolean setsMaxPollInterval(Properties props) {
    String key = ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG;
    return props.containsKey(key) || props.containsKey(StreamsConfig.consumerPrefix(key))
        || props.containsKey(StreamsConfig.mainConsumerPrefix(key));
  }

  public StreamNlpConfig config() {
    return config;
  }

  public OnnxModel model() {
    return model;
  }

  public SchemaRegistryClient registry() {
    return registry;
  }

  @Override
  public void close() {
    model.close();
    if (ownsRegistry) {
      registry.close();
    }
  }
}
