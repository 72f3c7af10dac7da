package io.streamnlp;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.streamnlp.avro.SentimentWindow;
import io.streamnlp.avro.TextEncoding;
import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.internals.GuardedStreams;
import io.streamnlp.model.ModelInfo;
import io.streamnlp.model.ModelLoadException;
import io.streamnlp.model.internals.CascadeChecks;
import io.streamnlp.model.internals.CascadeRule;
import io.streamnlp.model.internals.ModelDirectory;
import io.streamnlp.model.internals.ModelManifest;
import io.streamnlp.model.internals.OnnxModel;
import io.streamnlp.serde.ConfluentAvroDeserializer;
import io.streamnlp.serde.ConfluentAvroSerializer;
import io.streamnlp.serde.HttpSchemaRegistryClient;
import io.streamnlp.serde.SchemaRegistryClient;
import io.streamnlp.stream.SinkRejectionHandler;
import io.streamnlp.stream.internals.BatchPolicy;
import io.streamnlp.stream.internals.CascadeBatchEncoder;
import io.streamnlp.stream.internals.DeadLetterPolicy;
import io.streamnlp.stream.internals.MessageBatchEncoder;
import io.streamnlp.stream.internals.PipelineMeters;
import io.streamnlp.stream.internals.PipelineNames;
import io.streamnlp.stream.internals.RecurrentBatchEncoder;
import io.streamnlp.stream.internals.SentimentWindows;
import io.streamnlp.stream.internals.SinkLimits;
import io.streamnlp.stream.internals.SourcePosition;
import io.streamnlp.stream.internals.StatelessBatchEncoder;
import io.streamnlp.stream.internals.StreamNlpTopology;
import io.streamnlp.stream.internals.TextEncodings;
import io.streamnlp.stream.internals.WindowedAttentionBatchEncoder;
import io.streamnlp.text.internals.AvroFieldExtractor;
import io.streamnlp.text.internals.InputGuard;
import io.streamnlp.text.internals.JsonFieldExtractor;
import io.streamnlp.text.internals.PlainTextExtractor;
import io.streamnlp.text.internals.TextExtractor;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;

/**
 * The library entry point: one model, loaded once, and the pipeline that runs it on Kafka records. Create one
 * per model ({@link #create(Map)}), add the pipeline to streams of your own with {@link #encode(String, KStream)}
 * (or build the standalone {@link #topology()}), write results with {@link #write}, and build the
 * {@link KafkaStreams} instance with {@link #kafkaStreams(Topology, Properties)}, which gives the pipeline its
 * guarantees:
 *
 * <pre>{@code
 * try (StreamNlp nlp = StreamNlp.create(Map.of("schema.registry.url", url, "dlq.topic", "chat-dlq"))) {
 *   StreamsBuilder builder = new StreamsBuilder();
 *   KStream<byte[], TextEncoding> tagged = nlp.encode("chat",
 *       builder.stream("chat", Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())));
 *   nlp.write(tagged.filter((key, result) -> "negative".equals(result.getLabel())), "escalations", "escalations");
 *   KafkaStreams streams = nlp.kafkaStreams(builder.build(), streamsProps);
 *   streams.start();
 *   ...
 * }
 * }</pre>
 *
 * <p>What the pipeline guarantees: a record that cannot be decoded, tokenized or encoded goes to the dead-letter
 * topic with the reason in headers, and the application keeps running; records of one key keep their order; with
 * {@code processing.guarantee=exactly_once_v2} each input is encoded (and advances its key's state) once, also
 * across crashes, because the micro-batch buffer and the state stores are changelogged with the input offsets;
 * and a result written with {@link #write} that its topic would refuse (too large, or keyless on a compacted topic)
 * becomes a dead letter (reason OUTPUT_REJECTED) instead of failing the transaction. That last guarantee needs the
 * instance built by {@link #kafkaStreams(Topology, Properties)}: it reads every written topic's limits from the
 * broker at start, installs {@link SinkRejectionHandler}, and replaces a failed stream thread within a budget.
 * Several pipelines (an attention model on one topic, an rnn model on another) share one topology when each
 * {@code encode} call is given its own name.
 */
public final class StreamNlp implements AutoCloseable {
  private final StreamNlpConfig config;
  private final SchemaRegistryClient registry;
  private final boolean ownsRegistry;
  private final OnnxModel model;
  /** encoder=cascade: the attention model that re-reads; null for the other encoders. */
  private final OnnxModel rereader;
  private final Serde<TextEncoding> resultSerde;
  private final CompositeMeterRegistry meterRegistry = new CompositeMeterRegistry();
  private final Map<String, PipelineMeters> meters = new ConcurrentHashMap<>();

  private StreamNlp(StreamNlpConfig config, SchemaRegistryClient registry, boolean ownsRegistry) {
    this.config = config;
    this.registry = registry;
    this.ownsRegistry = ownsRegistry;
    ModelDirectory dir = openModel(config, config.modelDir(), StreamNlpConfig.MODEL_DIR_CONFIG);
    String kind = config.cascade() ? "rnn" : config.encoder();
    if (!dir.manifest().kind().equals(kind)) {
      throw new ConfigException(StreamNlpConfig.MODEL_DIR_CONFIG, config.modelDir(), "encoder=" + config.encoder()
          + " needs a model of kind '" + kind + "', but model '" + dir.manifest().name() + "' in " + dir.location()
          + " is of kind '" + dir.manifest().kind() + "'. " + (config.cascade()
              ? "Point model.dir at an rnn model (or leave it empty for the shipped GRU), and cascade.model.dir at "
              + "the attention model." : "Set encoder=" + dir.manifest().kind() + " or point model.dir at a model "
              + "of kind '" + kind + "'."));
    }
    OnnxModel.RuntimeOptions runtime = new OnnxModel.RuntimeOptions(config.executionProvider(),
        config.getInt(StreamNlpConfig.EXECUTION_DEVICE_ID_CONFIG),
        config.getInt(StreamNlpConfig.ONNX_INTRA_OP_THREADS_CONFIG),
        config.getBoolean(StreamNlpConfig.EXECUTION_PROVIDER_FALLBACK_CONFIG),
        config.getBoolean(StreamNlpConfig.BATCH_GROUP_BY_LENGTH_CONFIG), config.intraOpSpinning());
    int maxTokens = config.getInt(StreamNlpConfig.MAX_TOKENS_CONFIG);
    ModelDirectory cascadeDir = null;
    if (config.cascade()) {
      cascadeDir = openModel(config, config.getString(StreamNlpConfig.CASCADE_MODEL_DIR_CONFIG).trim(),
          StreamNlpConfig.CASCADE_MODEL_DIR_CONFIG);
      ConfigException unfit = CascadeChecks.unfit(config, dir, cascadeDir);
      if (unfit != null) {
        throw unfit;
      }
    }
    this.model = OnnxModel.load(dir, runtime, maxTokens);
    OnnxModel second = null;
    try {
      second = cascadeDir == null ? null : OnnxModel.load(cascadeDir, runtime, maxTokens);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    this.rereader = second;
    ConfigException misfit = misfit(config, model, rereader);
    if (misfit != null) {
      close(model, rereader);
      throw misfit;
    }
    registerLoadTime(model);
    if (rereader != null) {
      registerLoadTime(rereader);
    }
    this.resultSerde = Serdes.serdeFrom(
        new ConfluentAvroSerializer<>(registry, config.valueSubjectNameStrategy(),
            config.getBoolean(StreamNlpConfig.AUTO_REGISTER_SCHEMAS_CONFIG), false),
        new ConfluentAvroDeserializer<>(registry, TextEncoding.getClassSchema()));
  }

  private void registerLoadTime(OnnxModel loaded) {
    Gauge.builder("streamnlp.model.load", loaded, m -> m.loadTime().toNanos() / 1e9).baseUnit("seconds")
        .description("How long loading and checking the model took")
        .tag("model", loaded.info().name()).tag("version", loaded.info().version()).register(meterRegistry);
  }

  /** The model directory; a default model whose artifact is missing says which artifact to add, in one line. */
  private static ModelDirectory openModel(StreamNlpConfig config, String location, String key) {
    try {
      return ModelDirectory.open(location);
    } catch (ModelLoadException e) {
      String artifact = ModelDirectory.shippedArtifact(location);
      if (!config.originals().containsKey(key) || String.valueOf(config.originals().get(key)).isBlank()) {
        if (artifact != null) {
          throw new ModelLoadException(key + " is not set, so encoder=" + config.encoder() + " uses the default "
              + "model " + location + ", which is not on the classpath: add the dependency " + artifact
              + ", or set " + key + " to a model directory.", e);
        }
      }
      throw e;
    }
  }

  private static void close(OnnxModel first, OnnxModel second) {
    first.close();
    if (second != null) {
      second.close();
    }
  }

  /** What in the configuration the loaded model cannot do, or null. */
  private static ConfigException misfit(StreamNlpConfig config, OnnxModel model, OnnxModel rereader) {
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
    if (rereader != null) {
      ModelManifest r = rereader.manifest();
      if (config.outputFields().contains(StreamNlpConfig.OutputField.EXPLANATION) && r.outputs().attention() == null) {
        return new ConfigException(StreamNlpConfig.OUTPUT_FIELDS_CONFIG,
            config.getList(StreamNlpConfig.OUTPUT_FIELDS_CONFIG), "'explanation' with encoder=cascade explains the "
            + "re-read messages with the attention model's weights; model '" + r.name() + "' outputs none. Remove "
            + "'explanation' or set cascade.model.dir to the default model.");
      }
      return null;
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

  /**
   * Validates the configuration, connects the registry client and loads the model.
   *
   * @param properties streamnlp keys (see {@link StreamNlpConfig}) and, for the standalone topology, Kafka
   *                   Streams settings; unknown keys are passed on to Kafka Streams
   * @return the pipeline, which owns the model and the registry client: close it
   * @throws ConfigException when a setting is wrong, naming the key and what to set
   * @throws ModelLoadException when the model cannot be loaded, naming the file or the artifact to add
   */
  public static StreamNlp create(Map<?, ?> properties) {
    StreamNlpConfig config = new StreamNlpConfig(properties);
    return new StreamNlp(config, registryClient(config), true);
  }

  /**
   * As {@link #create(Map)}, with a registry client of your own (which you close).
   *
   * @param properties streamnlp keys and Kafka Streams settings
   * @param registry the schema registry client the serdes use
   * @return the pipeline, which owns the model: close it
   */
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
   * Adds the pipeline to {@code texts} under the name {@value PipelineNames#DEFAULT}, as the standalone topology
   * does; see {@link #encode(String, KStream)}.
   *
   * @param texts the text records, key and value as bytes
   * @return one {@link TextEncoding} per encoded record
   */
  public KStream<byte[], TextEncoding> encode(KStream<byte[], byte[]> texts) {
    return encode(PipelineNames.DEFAULT, texts);
  }

  /**
   * Adds the pipeline to {@code texts}: records that cannot be encoded go to the dead-letter topic, the returned
   * stream carries one {@link TextEncoding} per encoded record, in input order per key. The pipeline's processors
   * are named {@code <name>-*}, its state stores {@code <name>-batch-buffer}, {@code <name>-rnn-state} (rnn) or
   * {@code <name>-attention-context} (windowed attention), so their changelog topics are
   * {@code <application.id>-<store>-changelog}: give each pipeline of a topology its own name, and keep a
   * pipeline's name across deployments to keep its state.
   *
   * @param name 1 to 100 of a-z, A-Z, 0-9, '.', '_' and '-'
   * @param texts the text records, key and value as bytes
   * @return one {@link TextEncoding} per encoded record
   * @throws IllegalArgumentException when the name is not a legal part of a topic name
   */
  public KStream<byte[], TextEncoding> encode(String name, KStream<byte[], byte[]> texts) {
    return StreamNlpTopology.encode(texts, parts(new PipelineNames(name)));
  }

  private StreamNlpTopology.Parts parts(PipelineNames names) {
    int maxBytes = config.getInt(StreamNlpConfig.INPUT_MAX_BYTES_CONFIG);
    int batchSize = config.getInt(StreamNlpConfig.BATCH_SIZE_CONFIG);
    boolean rnn = model.manifest().isRecurrent();
    boolean explain = config.outputFields().contains(StreamNlpConfig.OutputField.EXPLANATION);
    int window = config.getInt(StreamNlpConfig.ATTENTION_WINDOW_TOKENS_CONFIG);
    boolean windowed = !rnn && window > 0;
    PipelineMeters pipelineMeters = meters(names);
    Supplier<MessageBatchEncoder> encoders;
    if (rereader != null) {
      CascadeRule rule = new CascadeRule(config.getDouble(StreamNlpConfig.CASCADE_THRESHOLD_CONFIG),
          CascadeRule.Combine.valueOf(config.getString(StreamNlpConfig.CASCADE_COMBINE_CONFIG).trim()
              .toUpperCase(java.util.Locale.ROOT)));
      var cascadeMeters = pipelineMeters.cascade(model.info().name(), rereader.info().name());
      encoders = () -> new CascadeBatchEncoder(
          new RecurrentBatchEncoder(model.newRecurrentEncoder(batchSize), rnnSettings(names), pipelineMeters),
          explain ? rereader.newExplainingEncoder(batchSize) : rereader.newEncoder(batchSize), rule, cascadeMeters);
    } else if (rnn) {
      encoders = () -> new RecurrentBatchEncoder(model.newRecurrentEncoder(batchSize), rnnSettings(names),
          pipelineMeters);
    } else if (windowed) {
      encoders = () -> new WindowedAttentionBatchEncoder(model.newContextualEncoder(batchSize, explain),
          new WindowedAttentionBatchEncoder.Settings(names, window,
              Duration.ofMillis(config.getLong(StreamNlpConfig.ATTENTION_WINDOW_MS_CONFIG)), model.maxTokens()),
          pipelineMeters);
    } else {
      encoders = explain ? () -> new StatelessBatchEncoder(model.newExplainingEncoder(batchSize))
          : () -> new StatelessBatchEncoder(model.newEncoder(batchSize));
    }
    return new StreamNlpTopology.Parts(names,
        () -> new InputGuard(newExtractor(), maxBytes),
        model.tokenizer(),
        encoders,
        rnn ? Set.of(StreamNlpTopology.rnnStateStore(names))
            : windowed ? Set.of(StreamNlpTopology.contextStore(names)) : Set.of(),
        rnn && "dead-letter".equalsIgnoreCase(config.getString(StreamNlpConfig.RNN_NULL_KEY_CONFIG)),
        new TextEncodings(model.info(), config.outputFields(), model.tokenizer(),
            config.getInt(StreamNlpConfig.EXPLANATION_TOP_K_CONFIG), rereader == null ? null : rereader.info()),
        new BatchPolicy(batchSize, Duration.ofMillis(config.getLong(StreamNlpConfig.BATCH_MAX_WAIT_MS_CONFIG)),
            config.lowLatency()),
        new DeadLetterPolicy(config.dlqTopic(), config.getInt(StreamNlpConfig.DLQ_MAX_VALUE_BYTES_CONFIG),
            config.getInt(StreamNlpConfig.DLQ_MAX_HEADERS_BYTES_CONFIG)),
        pipelineMeters);
  }

  /** One set of meters per pipeline name, shared by every task and by every topology built with that name. */
  private PipelineMeters meters(PipelineNames names) {
    return meters.computeIfAbsent(names.pipeline(),
        pipeline -> new PipelineMeters(meterRegistry, pipeline, model.info().labels()));
  }

  private RecurrentBatchEncoder.Settings rnnSettings(PipelineNames names) {
    String header = config.getString(StreamNlpConfig.RNN_RESET_HEADER_CONFIG).trim();
    return new RecurrentBatchEncoder.Settings(names,
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
   * Per-key sentiment summaries of a stream {@link #encode(KStream)} returned, under the name
   * {@value PipelineNames#DEFAULT}; see {@link #summarize(String, KStream)}.
   *
   * @param results results of this pipeline
   * @return one summary per key and window, when the window closes
   */
  public KStream<byte[], SentimentWindow> summarize(KStream<byte[], TextEncoding> results) {
    return summarize(PipelineNames.DEFAULT, results);
  }

  /**
   * Per-key sentiment summaries over the configured time windows ({@code aggregates.*}): one
   * {@link SentimentWindow} per key and window, when the window closes (Kafka Streams' suppression), with the count,
   * mean score per label, label counts and mean polarity. Its window store is {@code <name>-sentiment-windows}.
   *
   * @param name names the summary's processors and store, as in {@link #encode(String, KStream)}
   * @param results results of this pipeline (filtered or not)
   * @return one summary per key and window, when the window closes
   */
  public KStream<byte[], SentimentWindow> summarize(String name, KStream<byte[], TextEncoding> results) {
    long size = config.getLong(StreamNlpConfig.AGGREGATES_WINDOW_MS_CONFIG);
    long advance = config.getLong(StreamNlpConfig.AGGREGATES_ADVANCE_MS_CONFIG);
    ModelInfo info = model.info();
    return SentimentWindows.summarize(new PipelineNames(name), results, resultSerde,
        new io.streamnlp.avro.ModelInfo(info.name(), info.version(), info.kind()), info.labels(),
        new SentimentWindows.Settings(Duration.ofMillis(size), Duration.ofMillis(advance == 0 ? size : advance),
            Duration.ofMillis(config.getLong(StreamNlpConfig.AGGREGATES_GRACE_MS_CONFIG)), info.polarity()));
  }

  /**
   * The Confluent wire-format serde of {@link SentimentWindow}, bound to the configured registry.
   *
   * @return a serde for summaries
   */
  public Serde<SentimentWindow> windowSerde() {
    return Serdes.serdeFrom(
        new ConfluentAvroSerializer<>(registry, config.valueSubjectNameStrategy(),
            config.getBoolean(StreamNlpConfig.AUTO_REGISTER_SCHEMAS_CONFIG), false),
        new ConfluentAvroDeserializer<>(registry, SentimentWindow.getClassSchema()));
  }

  /**
   * The standalone topology: {@code input.topics} → pipeline → {@code output.topic} (and the dead-letter and
   * aggregates topics). Every record it writes is checked against what its topic accepts first.
   *
   * @return a new topology
   * @throws ConfigException when input.topics or output.topic is not set
   */
  public Topology topology() {
    config.requireStandaloneTopics();
    StreamsBuilder builder = builder();
    KStream<byte[], byte[]> texts = builder.stream(config.inputTopics(),
        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()));
    PipelineNames names = new PipelineNames(PipelineNames.DEFAULT);
    StreamNlpTopology.Parts parts = parts(names);
    KStream<byte[], TextEncoding> results = StreamNlpTopology.encode(texts, parts);
    StreamNlpTopology.write(results, config.outputTopic(), resultSerde.serializer(), StreamNlp::sourceOf,
        names.processor("output"), parts);
    if (!config.aggregatesTopic().isEmpty()) {
      StreamNlpTopology.write(summarize(results), config.aggregatesTopic(), windowSerde().serializer(), null,
          names.processor("aggregates"), parts);
    }
    return builder.build();
  }

  /**
   * A builder configured as the instance will be (when the settings name the application and the cluster): a
   * builder made without them reads Kafka Streams' defaults, and warns about them, a second time.
   */
  private StreamsBuilder builder() {
    Properties props = streamsProperties();
    if (props.containsKey(StreamsConfig.APPLICATION_ID_CONFIG)
        && props.containsKey(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)) {
      return new StreamsBuilder(new TopologyConfig(new StreamsConfig(props)));
    }
    return new StreamsBuilder();
  }

  /**
   * Writes results (from {@link #encode(String, KStream)}, filtered or not) to {@code topic} in the Confluent wire
   * format, as the standalone topology does: a result the topic would refuse becomes an OUTPUT_REJECTED dead
   * letter instead of failing the transaction (in an instance built by {@link #kafkaStreams(Topology, Properties)}).
   * A plain {@code to(topic)} bypasses that guard.
   *
   * @param results the results to write
   * @param topic where to write them
   * @param name prefix of the processor names, unique in the topology
   */
  public void write(KStream<byte[], TextEncoding> results, String topic, String name) {
    StreamNlpTopology.write(results, topic, resultSerde.serializer(), StreamNlp::sourceOf, name,
        parts(new PipelineNames(name)));
  }

  /**
   * Writes summaries from {@link #summarize(String, KStream)} to {@code topic}, with the same guard as
   * {@link #write(KStream, String, String)}.
   *
   * @param summaries the summaries to write
   * @param topic where to write them
   * @param name prefix of the processor names, unique in the topology
   */
  public void writeSummaries(KStream<byte[], SentimentWindow> summaries, String topic, String name) {
    StreamNlpTopology.write(summaries, topic, windowSerde().serializer(), null, name, parts(new PipelineNames(name)));
  }

  private static SourcePosition sourceOf(TextEncoding result) {
    var s = result.getSource();
    return new SourcePosition(s.getTopic(), s.getPartition(), s.getOffset(), s.getTimestamp().toEpochMilli());
  }

  /**
   * Builds the {@link KafkaStreams} instance for a topology that holds streamnlp pipelines, with the guarantees
   * streamnlp's guards rely on (the one call a service needs; call it on any one pipeline of the topology):
   * <ul>
   *   <li>the Kafka Streams settings this pipeline recommends ({@link #streamsProperties()}), under
   *       {@code props}, which win;</li>
   *   <li>{@link SinkRejectionHandler} as the production exception handler, unless {@code props} names another,
   *       and the limits every streamnlp processor of this instance shares;</li>
   *   <li>every topic the topology reads checked to exist (and every topic it writes, where the brokers do not
   *       create topics), so a missing one fails here in one line instead of stream threads failing on it;</li>
   *   <li>each topic the topology writes to asked, before start, for its {@code max.message.bytes} and
   *       {@code cleanup.policy}, so a result or dead letter it would refuse is dead-lettered (in headers only)
   *       rather than failing the transaction;</li>
   *   <li>an uncaught exception handler that replaces a failed stream thread at most
   *       {@code stream.thread.replacements.max} times in {@code stream.thread.replacements.window.ms} (reading
   *       the topics' limits again first, as a refused record is the usual cause) and then shuts the instance
   *       down (state ERROR). Setting another handler afterwards replaces it.</li>
   * </ul>
   *
   * @param topology a topology with this pipeline (and others) in it
   * @param props Kafka Streams settings: application.id, bootstrap.servers, processing.guarantee, ...
   * @return a new instance, not started
   * @throws ConfigException when {@code props} set Kafka's dead-letter topic and this pipeline was created
   *         without it, so its dead letters would go elsewhere
   * @throws io.streamnlp.stream.MissingTopicException when a topic the topology reads does not exist, or one it
   *         writes does not and the brokers do not create topics (a cluster that cannot be reached is only
   *         logged: the service may start before its brokers)
   */
  public KafkaStreams kafkaStreams(Topology topology, Properties props) {
    return GuardedStreams.forPipeline(config, streamsProperties(), topology, props, false).streams();
  }

  /**
   * Where streamnlp's meters ({@code streamnlp.*}, tagged {@code pipeline=<name>}) are registered: a composite
   * registry, so an application adds the registry it exports from (Prometheus, JMX, ...) with
   * {@code meters().add(registry)}.
   *
   * @return the composite registry of this pipeline's meters
   */
  public CompositeMeterRegistry meters() {
    return meterRegistry;
  }

  /**
   * Serde of the results in the Confluent wire format, bound to this pipeline's registry.
   *
   * @return a serde for {@link TextEncoding}
   */
  public Serde<TextEncoding> resultSerde() {
    return resultSerde;
  }

  /**
   * The Kafka Streams settings of this pipeline, for a {@code TopologyTestDriver} or a framework that builds the
   * {@link KafkaStreams} instance itself (prefer {@link #kafkaStreams(Topology, Properties)}, which adds the
   * topic limits and the stream-thread policy): every property given to {@link #create(Map)} that is not a
   * streamnlp key, plus streamnlp's production exception handler (unless one is configured) and the limits it
   * shares with the pipeline's processors; with {@code latency.mode=low}, a short {@code commit.interval.ms} and
   * {@code poll.ms} unless they are set; with {@code input.format=avro}, a {@code max.poll.interval.ms} above the
   * registry outage the pipeline waits out.
   *
   * @return a new, modifiable set of properties
   */
  public Properties streamsProperties() {
    Properties props = new Properties();
    props.putAll(config.streamsProperties());
    props.putIfAbsent(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, SinkRejectionHandler.class.getName());
    // What Kafka 5 makes the default, and what its start-up warning asks for; streamnlp keeps no global stores.
    // The partition assignor makes a configuration of its own from the main consumer's settings, and warns again
    // unless the key reaches it that way too (the consumer itself only notes it as unused, at INFO).
    props.putIfAbsent(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
    props.putIfAbsent(StreamsConfig.mainConsumerPrefix(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG),
        props.get(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG));
    if (config.inputFormat() == StreamNlpConfig.InputFormat.AVRO && !setsMaxPollInterval(props)) {
      // A stream thread waiting out a registry outage must not be taken for a stuck one and leave the group.
      props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG), Long.toString(
          Math.max(300_000L, config.getLong(StreamNlpConfig.SCHEMA_REGISTRY_OUTAGE_MAX_MS_CONFIG) + 60_000L)));
    }
    if (config.lowLatency()) {
      props.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, StreamNlpConfig.LOW_LATENCY_COMMIT_INTERVAL_MS);
      props.putIfAbsent(StreamsConfig.POLL_MS_CONFIG, StreamNlpConfig.LOW_LATENCY_POLL_MS);
    }
    props.put(SinkLimits.CONFIG, SinkLimits.fromStreamsProperties(props));
    return props;
  }

  private static boolean setsMaxPollInterval(Properties props) {
    String key = ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG;
    return props.containsKey(key) || props.containsKey(StreamsConfig.consumerPrefix(key))
        || props.containsKey(StreamsConfig.mainConsumerPrefix(key));
  }

  /**
   * The validated configuration.
   *
   * @return this pipeline's configuration
   */
  public StreamNlpConfig config() {
    return config;
  }

  /**
   * The loaded model: name, version, kind and labels, as written into every result.
   *
   * @return the model's identity
   */
  public ModelInfo modelInfo() {
    return model.info();
  }

  /** Releases the model (and the registry client when {@link #create(Map)} made it). */
  @Override
  public void close() {
    close(model, rereader);
    if (ownsRegistry) {
      registry.close();
    }
  }
}
