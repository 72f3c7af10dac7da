package io.streamnlp.config;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Configuration of a streamnlp pipeline, in the style of Kafka's own {@code StreamsConfig}: every key is
 * declared once with its type, default, validator and documentation. Keys that are not declared here are
 * Kafka Streams (or client) settings and are passed through unchanged by {@link #streamsProperties()}.
 *
 * <p>A library user who adds the pipeline to a topology of their own needs no topic here but a dead-letter
 * topic ({@value #DLQ_TOPIC_CONFIG}, or Kafka's own {@code errors.dead.letter.queue.topic.name}); the standalone
 * topology also needs {@value #INPUT_TOPICS_CONFIG} and {@value #OUTPUT_TOPIC_CONFIG}.
 */
public final class StreamNlpConfig extends AbstractConfig {

  /** {@code input.topics} */
  public static final String INPUT_TOPICS_CONFIG = "input.topics";
  private static final String INPUT_TOPICS_DOC = "Comma-separated topics the standalone topology (the `run` "
      + "command) reads text messages from. Not used when the pipeline is added to a stream of your own.";

  /** {@code output.topic} */
  public static final String OUTPUT_TOPIC_CONFIG = "output.topic";
  private static final String OUTPUT_TOPIC_DOC = "Topic the standalone topology writes the Avro TextEncoding "
      + "results to, in the Confluent Schema Registry wire format. Not used when the pipeline is added to a stream "
      + "of your own (write its results where you like, e.g. with StreamNlp.write).";

  /** {@code dlq.topic} */
  public static final String DLQ_TOPIC_CONFIG = "dlq.topic";
  private static final String DLQ_TOPIC_DOC = "Dead-letter topic: input records that cannot be encoded are "
      + "written here with their original key and value bytes and the reason in headers (streamnlp's "
      + "streamnlp.error.* and Kafka Streams' __streams.errors.*). Empty means Kafka Streams' own dead-letter "
      + "topic when errors.dead.letter.queue.topic.name is set (KIP-1034), else '<output.topic>-dlq'.";

  /** Kafka Streams' own dead-letter topic (KIP-1034), {@code errors.dead.letter.queue.topic.name}. */
  public static final String KAFKA_DLQ_TOPIC_CONFIG = "errors.dead.letter.queue.topic.name";

  /** {@code dlq.max.value.bytes} */
  public static final String DLQ_MAX_VALUE_BYTES_CONFIG = "dlq.max.value.bytes";
  private static final String DLQ_MAX_VALUE_BYTES_DOC = "A dead letter carries at most this many bytes of the "
      + "original value (and of the original key): a larger one is cut, with headers streamnlp.error.value.truncated, "
      + ".value.size and .value.sha256 (of the whole original), so that dead letters fit a dead-letter topic created "
      + "with the broker's defaults (1 MB) and the original can still be found by topic, partition and offset.";

  /** {@code dlq.max.headers.bytes} */
  public static final String DLQ_MAX_HEADERS_BYTES_CONFIG = "dlq.max.headers.bytes";
  private static final String DLQ_MAX_HEADERS_BYTES_DOC = "A dead letter copies the original record's headers "
      + "while they fit in this many bytes; the rest are left out and counted in streamnlp.error.headers.dropped. "
      + "The error headers are always written.";

  /** {@code input.format} */
  public static final String INPUT_FORMAT_CONFIG = "input.format";
  private static final String INPUT_FORMAT_DOC = "How input values are read: 'string' (the whole value is "
      + "UTF-8 text), 'json' (a JSON object; the text is at input.json.field) or 'avro' (Confluent wire-format "
      + "Avro; the text is the string field input.avro.field, the writer schema is fetched from the registry).";

  /** {@code input.json.field} */
  public static final String INPUT_JSON_FIELD_CONFIG = "input.json.field";
  private static final String INPUT_JSON_FIELD_DOC = "With input.format=json: where the text is, as a JSON "
      + "Pointer ('/text', '/message/body') or a dotted path ('message.body').";

  /** {@code input.avro.field} */
  public static final String INPUT_AVRO_FIELD_CONFIG = "input.avro.field";
  private static final String INPUT_AVRO_FIELD_DOC = "With input.format=avro: the name of the string field "
      + "that holds the text; nested fields are written with dots ('message.body').";

  /** {@code input.max.bytes} */
  public static final String INPUT_MAX_BYTES_CONFIG = "input.max.bytes";
  private static final String INPUT_MAX_BYTES_DOC = "Input values larger than this many bytes are sent to the "
      + "dead-letter topic instead of being tokenized.";

  /** {@code encoder} */
  public static final String ENCODER_CONFIG = "encoder";
  private static final String ENCODER_DOC = "Which encoder family runs: 'attention' (transformer, stateless or "
      + "windowed), 'rnn' (stateful recurrent encoder: each key's hidden state lives in a state store and "
      + "carries its context from message to message), or 'cascade' (the rnn model of model.dir reads every "
      + "message with its key's state; those it is unsure of, top score below cascade.threshold, are re-read by "
      + "the attention model of cascade.model.dir). The model directory's manifest must declare the kind, rnn "
      + "for cascade.";

  /** {@code model.dir} */
  public static final String MODEL_DIR_CONFIG = "model.dir";
  private static final String MODEL_DIR_DOC = "Directory holding manifest.json, the .onnx model and the "
      + "tokenizer, as a filesystem path or 'classpath:<dir>' for a model packaged in a jar. Empty (the "
      + "default) picks the sentiment model that ships with streamnlp for the chosen encoder: "
      + "classpath:models/minilm-l6-sentiment3 (attention) or classpath:models/gru-sentiment3 (rnn, cascade).";
  /** The default of {@value #MODEL_DIR_CONFIG}: empty, the shipped model of the configured encoder. */
  public static final String MODEL_DIR_DEFAULT = "";
  /** The shipped default attention model (artifact {@code io.streamnlp:streamnlp-model-minilm-l6-sentiment3}). */
  public static final String ATTENTION_MODEL_DIR_DEFAULT = "classpath:models/minilm-l6-sentiment3";
  /**
   * The int8 build of the default attention model, for model.dir: about twice the messages/s on a CPU (artifact
   * {@code io.streamnlp:streamnlp-model-minilm-l6-sentiment3-int8}).
   */
  public static final String ATTENTION_INT8_MODEL_DIR = "classpath:models/minilm-l6-sentiment3-int8";
  /** The shipped default rnn model (artifact {@code io.streamnlp:streamnlp-model-gru-sentiment3}). */
  public static final String RNN_MODEL_DIR_DEFAULT = "classpath:models/gru-sentiment3";

  /** {@code execution.provider} */
  public static final String EXECUTION_PROVIDER_CONFIG = "execution.provider";
  private static final String EXECUTION_PROVIDER_DOC = "Where ONNX Runtime runs the model: 'cpu' or 'cuda'. "
      + "'cuda' needs the GPU build of ONNX Runtime (Maven profile -Pcuda) and an NVIDIA driver.";

  /** {@code execution.provider.fallback} */
  public static final String EXECUTION_PROVIDER_FALLBACK_CONFIG = "execution.provider.fallback";
  private static final String EXECUTION_PROVIDER_FALLBACK_DOC = "With execution.provider=cuda: when the CUDA "
      + "execution provider cannot start, run on the CPU (logged as an error) instead of failing at start-up.";

  /** {@code execution.device.id} */
  public static final String EXECUTION_DEVICE_ID_CONFIG = "execution.device.id";
  private static final String EXECUTION_DEVICE_ID_DOC = "GPU ordinal used with execution.provider=cuda.";

  /** {@code onnx.intra.op.threads} */
  public static final String ONNX_INTRA_OP_THREADS_CONFIG = "onnx.intra.op.threads";
  private static final String ONNX_INTRA_OP_THREADS_DOC = "Threads ONNX Runtime may use inside one model call; "
      + "0 means one per processor the JVM may use (Runtime.availableProcessors, which follows container CPU "
      + "limits). With num.stream.threads above 1, the threads share the model and its threads: set it to the "
      + "processors divided by the stream threads.";

  /** {@code onnx.intra.op.spinning} */
  public static final String ONNX_INTRA_OP_SPINNING_CONFIG = "onnx.intra.op.spinning";
  private static final String ONNX_INTRA_OP_SPINNING_DOC = "Whether ONNX Runtime's worker threads spin-wait for "
      + "work between operators (its default): a little faster per call on an idle machine, but the spinning takes "
      + "CPU from Kafka's client threads on the same cores. Unless set: true for encoder=attention; false for "
      + "encoder=rnn and cascade, whose GRU runs many small operators (measured end to end without spinning: 1.2 "
      + "to 1.4 times the messages/s for rnn, 1.8 to 2.1 for cascade), and false with latency.mode=low.";

  /** {@code max.tokens} */
  public static final String MAX_TOKENS_CONFIG = "max.tokens";
  private static final String MAX_TOKENS_DOC = "Longest token sequence given to the model, special tokens "
      + "included; longer messages are truncated and flagged 'truncated' in the output. Must not exceed the "
      + "model's own limit.";

  /** {@code batch.size} */
  public static final String BATCH_SIZE_CONFIG = "batch.size";
  private static final String BATCH_SIZE_DOC = "Messages encoded together (in one model call, or in a few of "
      + "similar lengths: batch.group.by.length). A batch is run as soon as it is full, or when batch.max.wait.ms "
      + "has passed (latency.mode=low: as soon as the input is drained).";

  /** {@code batch.max.wait.ms} */
  public static final String BATCH_MAX_WAIT_MS_CONFIG = "batch.max.wait.ms";
  private static final String BATCH_MAX_WAIT_MS_DOC = "Longest time (wall clock) a buffered message waits for "
      + "its batch to fill before the partial batch is encoded.";

  /** {@code batch.group.by.length} */
  public static final String BATCH_GROUP_BY_LENGTH_CONFIG = "batch.group.by.length";
  private static final String BATCH_GROUP_BY_LENGTH_DOC = "Split each batch into model calls of messages of "
      + "similar token length (chosen by a cost model), so short messages are not padded to the longest one; "
      + "results are the same either way. false runs a batch as one call padded to its longest message.";

  /** {@code latency.mode} */
  public static final String LATENCY_MODE_CONFIG = "latency.mode";
  /** {@code commit.interval.ms} with {@code latency.mode=low}, unless set. */
  public static final String LOW_LATENCY_COMMIT_INTERVAL_MS = "10";
  /** {@code poll.ms} with {@code latency.mode=low}, unless set. */
  public static final String LOW_LATENCY_POLL_MS = "1";
  private static final String LATENCY_MODE_DOC = "throughput: a partial batch waits up to batch.max.wait.ms for "
      + "more messages, and Kafka Streams keeps its own commit.interval.ms (100 ms under exactly_once_v2) and "
      + "poll.ms (100 ms). low: a partial batch runs as soon as the input is drained (the stream thread found no "
      + "new message for a millisecond), never later than batch.max.wait.ms; and unless set, commit.interval.ms="
      + LOW_LATENCY_COMMIT_INTERVAL_MS + " (under exactly_once_v2 a result is readable only after the commit "
      + "that follows it), poll.ms=" + LOW_LATENCY_POLL_MS + " (so an idle input is noticed within a "
      + "millisecond) and onnx.intra.op.spinning=false. A backlog still fills whole batches; the cost is more, "
      + "smaller transactions and a stream thread that wakes every millisecond.";

  /** {@code rnn.state.ttl.ms} */
  public static final String RNN_STATE_TTL_MS_CONFIG = "rnn.state.ttl.ms";
  private static final String RNN_STATE_TTL_MS_DOC = "encoder=rnn: a key's hidden state is deleted after this "
      + "long (wall clock) without a message, so idle keys do not fill the store; its next message starts "
      + "from the zero state. 0 keeps states forever.";

  /** {@code rnn.state.sweep.interval.ms} */
  public static final String RNN_STATE_SWEEP_INTERVAL_MS_CONFIG = "rnn.state.sweep.interval.ms";
  private static final String RNN_STATE_SWEEP_INTERVAL_MS_DOC = "encoder=rnn: how often each task looks for "
      + "idle states to delete.";

  /** {@code rnn.state.sweep.max.keys} */
  public static final String RNN_STATE_SWEEP_MAX_KEYS_CONFIG = "rnn.state.sweep.max.keys";
  private static final String RNN_STATE_SWEEP_MAX_KEYS_DOC = "encoder=rnn: most keys one sweep examines, so a "
      + "sweep never stalls processing; the next sweep continues where it stopped.";

  /** {@code rnn.null.key} */
  public static final String RNN_NULL_KEY_CONFIG = "rnn.null.key";
  private static final String RNN_NULL_KEY_DOC = "encoder=rnn: what happens to a record without a key. "
      + "'stateless' encodes it on its own from the zero state and stores nothing; 'dead-letter' sends it to "
      + "the dead-letter topic with reason NULL_KEY.";

  /** {@code rnn.reset.header} */
  public static final String RNN_RESET_HEADER_CONFIG = "rnn.reset.header";
  private static final String RNN_RESET_HEADER_DOC = "encoder=rnn: a record carrying this header with value "
      + "'true' starts its key again from the zero state (a new conversation). Empty disables it.";

  /** {@code attention.window.tokens} */
  public static final String ATTENTION_WINDOW_TOKENS_CONFIG = "attention.window.tokens";
  private static final String ATTENTION_WINDOW_TOKENS_DOC = "encoder=attention: how many of a key's most recent "
      + "tokens (from its earlier messages) each message is read with, as context it attends to; the tag and "
      + "embedding still describe the message alone. 0 (the default) encodes each message on its own. When "
      + "context and message exceed max.tokens, the oldest context tokens are dropped.";

  /** {@code attention.window.ms} */
  public static final String ATTENTION_WINDOW_MS_CONFIG = "attention.window.ms";
  private static final String ATTENTION_WINDOW_MS_DOC = "encoder=attention with a context window: only tokens "
      + "of messages at most this much older (record time) than the current one are context. 0 for no limit.";

  /** {@code cascade.model.dir} */
  public static final String CASCADE_MODEL_DIR_CONFIG = "cascade.model.dir";
  private static final String CASCADE_MODEL_DIR_DOC = "encoder=cascade: the attention model that re-reads the "
      + "messages the rnn model is unsure of, as model.dir is written. It must have the rnn model's labels (in "
      + "the same order) and tokenizer. The int8 build (classpath:models/minilm-l6-sentiment3-int8) halves the "
      + "re-reading's cost.";

  /** {@code cascade.threshold} */
  public static final String CASCADE_THRESHOLD_CONFIG = "cascade.threshold";
  /** The default of {@value #CASCADE_THRESHOLD_CONFIG}, chosen on SemEval-2017 dev and SST-2 dev (docs/encoders.md). */
  public static final double CASCADE_THRESHOLD_DEFAULT = 0.6;
  private static final String CASCADE_THRESHOLD_DOC = "encoder=cascade: a message whose top rnn score is below "
      + "this is re-read by the attention model. The default, 0.6, is the lowest threshold at which the shipped "
      + "cascade came within half a point of the transformer alone on SemEval-2017 dev and SST-2 dev, re-reading "
      + "37 % of the dev tweets; lower is cheaper and closer to the rnn model alone (0.45: 8 % re-read), higher "
      + "re-reads more, 0 re-reads nothing.";

  /** {@code cascade.combine} */
  public static final String CASCADE_COMBINE_CONFIG = "cascade.combine";
  private static final String CASCADE_COMBINE_DOC = "encoder=cascade: the scores of a re-read message: "
      + "'attention' (the attention model's, the default: the better on SemEval-2017 dev) or 'average' (the mean "
      + "of both models' scores).";

  /** {@code explanation.top.k} */
  public static final String EXPLANATION_TOP_K_CONFIG = "explanation.top.k";
  private static final String EXPLANATION_TOP_K_DOC = "With 'explanation' in output.fields: how many of a "
      + "message's tokens, those with the most attention, each result lists.";

  /** {@code aggregates.topic} */
  public static final String AGGREGATES_TOPIC_CONFIG = "aggregates.topic";
  private static final String AGGREGATES_TOPIC_DOC = "Topic for per-key sentiment summaries over time windows "
      + "(Avro SentimentWindow: count, mean score per label, label counts), one record per key and window when "
      + "the window closes. Empty (the default) turns them off. Needs 'label' and 'scores' in output.fields.";

  /** {@code aggregates.window.ms} */
  public static final String AGGREGATES_WINDOW_MS_CONFIG = "aggregates.window.ms";
  private static final String AGGREGATES_WINDOW_MS_DOC = "Length of an aggregate window, in record time.";

  /** {@code aggregates.advance.ms} */
  public static final String AGGREGATES_ADVANCE_MS_CONFIG = "aggregates.advance.ms";
  private static final String AGGREGATES_ADVANCE_MS_DOC = "How far consecutive windows start apart: "
      + "0 (the default) or aggregates.window.ms for tumbling windows, less for hopping windows.";

  /** {@code aggregates.grace.ms} */
  public static final String AGGREGATES_GRACE_MS_CONFIG = "aggregates.grace.ms";
  private static final String AGGREGATES_GRACE_MS_DOC = "How long after a window's end late records are still "
      + "counted; the window's summary is emitted once this has passed (in stream time).";

  /** {@code output.fields} */
  public static final String OUTPUT_FIELDS_CONFIG = "output.fields";
  private static final String OUTPUT_FIELDS_DOC = "Which results each output record carries: any of 'label', "
      + "'scores', 'polarity' (p(positive) - p(negative) in [-1, 1], for models whose manifest declares their "
      + "polar labels; null for others unless asked for explicitly, which such a model refuses at start-up), "
      + "'embedding', 'explanation' (attention models: the tokens that drew the most attention). Fields left out "
      + "are written as null.";

  /** {@code schema.registry.url} */
  public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";
  private static final String SCHEMA_REGISTRY_URL_DOC = "Comma-separated base URLs of a registry that speaks "
      + "the Confluent Schema Registry REST API (Confluent Schema Registry, Apicurio's /apis/ccompat/v7, "
      + "streamnlp's local development registry). The URLs are tried in order.";

  /** {@code schema.registry.basic.auth.user.info} */
  public static final String SCHEMA_REGISTRY_BASIC_AUTH_CONFIG = "schema.registry.basic.auth.user.info";
  private static final String SCHEMA_REGISTRY_BASIC_AUTH_DOC = "'user:password' for HTTP basic authentication "
      + "against the registry.";

  /** {@code schema.registry.bearer.auth.token} */
  public static final String SCHEMA_REGISTRY_BEARER_TOKEN_CONFIG = "schema.registry.bearer.auth.token";
  private static final String SCHEMA_REGISTRY_BEARER_TOKEN_DOC = "Static bearer token sent to the registry.";

  /** {@code schema.registry.request.timeout.ms} */
  public static final String SCHEMA_REGISTRY_TIMEOUT_MS_CONFIG = "schema.registry.request.timeout.ms";
  private static final String SCHEMA_REGISTRY_TIMEOUT_MS_DOC = "Timeout of one registry HTTP request.";

  /** {@code schema.registry.retries} */
  public static final String SCHEMA_REGISTRY_RETRIES_CONFIG = "schema.registry.retries";
  private static final String SCHEMA_REGISTRY_RETRIES_DOC = "Retries of a registry request that failed with an "
      + "I/O error, HTTP 408, 429 or 5xx, with exponential back-off.";

  /** {@code schema.registry.retry.backoff.ms} */
  public static final String SCHEMA_REGISTRY_RETRY_BACKOFF_MS_CONFIG = "schema.registry.retry.backoff.ms";
  private static final String SCHEMA_REGISTRY_RETRY_BACKOFF_MS_DOC = "First back-off between registry retries; "
      + "doubled after each retry.";

  /** {@code schema.registry.outage.max.ms} */
  public static final String SCHEMA_REGISTRY_OUTAGE_MAX_MS_CONFIG = "schema.registry.outage.max.ms";
  private static final String SCHEMA_REGISTRY_OUTAGE_MAX_MS_DOC = "How long an outage of the registry (connection "
      + "refused, timeout, HTTP 408, 429 or 5xx) is waited out: a look-up keeps retrying with back-off (at most "
      + "5 s apart) until the registry answers or the outage has lasted this long, so good records are neither "
      + "dead-lettered nor lost while it is down. The consumer's max.poll.interval.ms is raised above it unless "
      + "set. Past it, the error fails the stream thread (see stream.thread.replacements.max).";

  /** {@code stream.thread.replacements.max} */
  public static final String THREAD_REPLACEMENTS_MAX_CONFIG = "stream.thread.replacements.max";
  private static final String THREAD_REPLACEMENTS_MAX_DOC = "A stream thread that fails on an error no record "
      + "caused (an outage that outlasted its retries, a broker-side error) is replaced, and its tasks resume from "
      + "their last commit, at most this many times within stream.thread.replacements.window.ms; one more failure "
      + "in that window stops the application (exit code 1). 0 stops it at the first failure.";

  /** {@code stream.thread.replacements.window.ms} */
  public static final String THREAD_REPLACEMENTS_WINDOW_MS_CONFIG = "stream.thread.replacements.window.ms";
  private static final String THREAD_REPLACEMENTS_WINDOW_MS_DOC = "The window stream.thread.replacements.max "
      + "counts failures in.";

  /** {@code http.port} */
  public static final String HTTP_PORT_CONFIG = "http.port";
  private static final String HTTP_PORT_DOC = "Port of the operations endpoint (all interfaces): GET /metrics in the "
      + "Prometheus text format (streamnlp_* meters, Kafka Streams client metrics, JVM metrics), GET /health/live "
      + "(200 while no stream thread has died for good) and GET /health/ready (200 only while Kafka Streams is "
      + "RUNNING). 0 (the default) turns it off.";

  /** {@code auto.register.schemas} */
  public static final String AUTO_REGISTER_SCHEMAS_CONFIG = "auto.register.schemas";
  private static final String AUTO_REGISTER_SCHEMAS_DOC = "Register the output schema under its subject when "
      + "it is not there yet. When false the schema must already be registered.";

  /** {@code value.subject.name.strategy} */
  public static final String VALUE_SUBJECT_NAME_STRATEGY_CONFIG = "value.subject.name.strategy";
  private static final String VALUE_SUBJECT_NAME_STRATEGY_DOC = "Subject the output value schema is registered "
      + "under: 'topic' (<topic>-value, Confluent's TopicNameStrategy), 'record' (the record's full name, "
      + "RecordNameStrategy) or 'topic_record' (<topic>-<full name>, TopicRecordNameStrategy). Confluent's "
      + "strategy class names are accepted too.";

  private static final ConfigDef CONFIG = new ConfigDef()
      .define(INPUT_TOPICS_CONFIG, Type.LIST, "", ConfigDef.ValidList.anyNonDuplicateValues(true, false),
          Importance.HIGH, INPUT_TOPICS_DOC)
      .define(OUTPUT_TOPIC_CONFIG, Type.STRING, "", Importance.HIGH, OUTPUT_TOPIC_DOC)
      .define(DLQ_TOPIC_CONFIG, Type.STRING, "", Importance.HIGH, DLQ_TOPIC_DOC)
      .define(DLQ_MAX_VALUE_BYTES_CONFIG, Type.INT, 256 * 1024, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
          DLQ_MAX_VALUE_BYTES_DOC)
      .define(DLQ_MAX_HEADERS_BYTES_CONFIG, Type.INT, 64 * 1024, ConfigDef.Range.atLeast(0), Importance.LOW,
          DLQ_MAX_HEADERS_BYTES_DOC)
      .define(INPUT_FORMAT_CONFIG, Type.STRING, "string", caseInsensitive("string", "json", "avro"),
          Importance.HIGH, INPUT_FORMAT_DOC)
      .define(INPUT_JSON_FIELD_CONFIG, Type.STRING, "/text", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
          INPUT_JSON_FIELD_DOC)
      .define(INPUT_AVRO_FIELD_CONFIG, Type.STRING, "text", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
          INPUT_AVRO_FIELD_DOC)
      .define(INPUT_MAX_BYTES_CONFIG, Type.INT, 64 * 1024, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
          INPUT_MAX_BYTES_DOC)
      .define(ENCODER_CONFIG, Type.STRING, "attention", caseInsensitive("attention", "rnn", "cascade"),
          Importance.HIGH, ENCODER_DOC)
      .define(MODEL_DIR_CONFIG, Type.STRING, MODEL_DIR_DEFAULT, Importance.HIGH, MODEL_DIR_DOC)
      .define(EXECUTION_PROVIDER_CONFIG, Type.STRING, "cpu", caseInsensitive("cpu", "cuda"), Importance.MEDIUM,
          EXECUTION_PROVIDER_DOC)
      .define(EXECUTION_PROVIDER_FALLBACK_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM,
          EXECUTION_PROVIDER_FALLBACK_DOC)
      .define(EXECUTION_DEVICE_ID_CONFIG, Type.INT, 0, ConfigDef.Range.atLeast(0), Importance.LOW,
          EXECUTION_DEVICE_ID_DOC)
      .define(ONNX_INTRA_OP_THREADS_CONFIG, Type.INT, 0, ConfigDef.Range.atLeast(0), Importance.LOW,
          ONNX_INTRA_OP_THREADS_DOC)
      .define(ONNX_INTRA_OP_SPINNING_CONFIG, Type.BOOLEAN, true, Importance.LOW, ONNX_INTRA_OP_SPINNING_DOC)
      .define(MAX_TOKENS_CONFIG, Type.INT, 128, ConfigDef.Range.between(3, 8192), Importance.MEDIUM,
          MAX_TOKENS_DOC)
      .define(BATCH_SIZE_CONFIG, Type.INT, 32, ConfigDef.Range.between(1, 4096), Importance.MEDIUM,
          BATCH_SIZE_DOC)
      .define(BATCH_MAX_WAIT_MS_CONFIG, Type.LONG, 50L, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
          BATCH_MAX_WAIT_MS_DOC)
      .define(BATCH_GROUP_BY_LENGTH_CONFIG, Type.BOOLEAN, true, Importance.LOW, BATCH_GROUP_BY_LENGTH_DOC)
      .define(LATENCY_MODE_CONFIG, Type.STRING, "throughput",
          ConfigDef.CaseInsensitiveValidString.in("throughput", "low"), Importance.MEDIUM, LATENCY_MODE_DOC)
      .define(RNN_STATE_TTL_MS_CONFIG, Type.LONG, 7L * 24 * 60 * 60 * 1000, ConfigDef.Range.atLeast(0),
          Importance.MEDIUM, RNN_STATE_TTL_MS_DOC)
      .define(RNN_STATE_SWEEP_INTERVAL_MS_CONFIG, Type.LONG, 60_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
          RNN_STATE_SWEEP_INTERVAL_MS_DOC)
      .define(RNN_STATE_SWEEP_MAX_KEYS_CONFIG, Type.INT, 10_000, ConfigDef.Range.atLeast(1), Importance.LOW,
          RNN_STATE_SWEEP_MAX_KEYS_DOC)
      .define(RNN_NULL_KEY_CONFIG, Type.STRING, "stateless",
          ConfigDef.CaseInsensitiveValidString.in("stateless", "dead-letter"), Importance.MEDIUM, RNN_NULL_KEY_DOC)
      .define(RNN_RESET_HEADER_CONFIG, Type.STRING, "streamnlp.reset", Importance.LOW, RNN_RESET_HEADER_DOC)
      .define(ATTENTION_WINDOW_TOKENS_CONFIG, Type.INT, 0, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
          ATTENTION_WINDOW_TOKENS_DOC)
      .define(ATTENTION_WINDOW_MS_CONFIG, Type.LONG, 600_000L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
          ATTENTION_WINDOW_MS_DOC)
      .define(CASCADE_MODEL_DIR_CONFIG, Type.STRING, ATTENTION_MODEL_DIR_DEFAULT, new ConfigDef.NonEmptyString(),
          Importance.MEDIUM, CASCADE_MODEL_DIR_DOC)
      .define(CASCADE_THRESHOLD_CONFIG, Type.DOUBLE, CASCADE_THRESHOLD_DEFAULT, ConfigDef.Range.between(0.0, 1.0),
          Importance.MEDIUM, CASCADE_THRESHOLD_DOC)
      .define(CASCADE_COMBINE_CONFIG, Type.STRING, "attention", caseInsensitive("attention", "average"),
          Importance.MEDIUM, CASCADE_COMBINE_DOC)
      .define(EXPLANATION_TOP_K_CONFIG, Type.INT, 5, ConfigDef.Range.between(1, 64), Importance.LOW,
          EXPLANATION_TOP_K_DOC)
      .define(AGGREGATES_TOPIC_CONFIG, Type.STRING, "", Importance.MEDIUM, AGGREGATES_TOPIC_DOC)
      .define(AGGREGATES_WINDOW_MS_CONFIG, Type.LONG, 60_000L, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
          AGGREGATES_WINDOW_MS_DOC)
      .define(AGGREGATES_ADVANCE_MS_CONFIG, Type.LONG, 0L, ConfigDef.Range.atLeast(0), Importance.LOW,
          AGGREGATES_ADVANCE_MS_DOC)
      .define(AGGREGATES_GRACE_MS_CONFIG, Type.LONG, 10_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
          AGGREGATES_GRACE_MS_DOC)
      .define(OUTPUT_FIELDS_CONFIG, Type.LIST, "label,scores,polarity", outputFieldsValidator(), Importance.MEDIUM,
          OUTPUT_FIELDS_DOC)
      .define(SCHEMA_REGISTRY_URL_CONFIG, Type.LIST, "", Importance.HIGH, SCHEMA_REGISTRY_URL_DOC)
      .define(SCHEMA_REGISTRY_BASIC_AUTH_CONFIG, Type.PASSWORD, null, Importance.MEDIUM,
          SCHEMA_REGISTRY_BASIC_AUTH_DOC)
      .define(SCHEMA_REGISTRY_BEARER_TOKEN_CONFIG, Type.PASSWORD, null, Importance.MEDIUM,
          SCHEMA_REGISTRY_BEARER_TOKEN_DOC)
      .define(SCHEMA_REGISTRY_TIMEOUT_MS_CONFIG, Type.INT, 10_000, ConfigDef.Range.atLeast(1), Importance.LOW,
          SCHEMA_REGISTRY_TIMEOUT_MS_DOC)
      .define(SCHEMA_REGISTRY_RETRIES_CONFIG, Type.INT, 3, ConfigDef.Range.atLeast(0), Importance.LOW,
          SCHEMA_REGISTRY_RETRIES_DOC)
      .define(SCHEMA_REGISTRY_RETRY_BACKOFF_MS_CONFIG, Type.LONG, 100L, ConfigDef.Range.atLeast(0),
          Importance.LOW, SCHEMA_REGISTRY_RETRY_BACKOFF_MS_DOC)
      .define(SCHEMA_REGISTRY_OUTAGE_MAX_MS_CONFIG, Type.LONG, 300_000L, ConfigDef.Range.atLeast(0),
          Importance.MEDIUM, SCHEMA_REGISTRY_OUTAGE_MAX_MS_DOC)
      .define(THREAD_REPLACEMENTS_MAX_CONFIG, Type.INT, 5, ConfigDef.Range.atLeast(0), Importance.LOW,
          THREAD_REPLACEMENTS_MAX_DOC)
      .define(THREAD_REPLACEMENTS_WINDOW_MS_CONFIG, Type.LONG, 600_000L, ConfigDef.Range.atLeast(1),
          Importance.LOW, THREAD_REPLACEMENTS_WINDOW_MS_DOC)
      .define(HTTP_PORT_CONFIG, Type.INT, 0, ConfigDef.Range.between(0, 65535), Importance.MEDIUM, HTTP_PORT_DOC)
      .define(AUTO_REGISTER_SCHEMAS_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, AUTO_REGISTER_SCHEMAS_DOC)
      .define(VALUE_SUBJECT_NAME_STRATEGY_CONFIG, Type.STRING, "topic", subjectStrategyValidator(),
          Importance.LOW, VALUE_SUBJECT_NAME_STRATEGY_DOC);

  /** The input value formats ({@value #INPUT_FORMAT_CONFIG}). */
  public enum InputFormat {
    /** The whole value is UTF-8 text. */
    STRING,
    /** A JSON object; the text is at {@value #INPUT_JSON_FIELD_CONFIG}. */
    JSON,
    /** Confluent wire-format Avro; the text is the string field {@value #INPUT_AVRO_FIELD_CONFIG}. */
    AVRO
  }

  /** The results an output record may carry ({@value #OUTPUT_FIELDS_CONFIG}). */
  public enum OutputField {
    /** The most probable label. */
    LABEL,
    /** The probability of every label. */
    SCORES,
    /** p(positive) - p(negative), for models that declare their polar labels. */
    POLARITY,
    /** The message's sentence embedding. */
    EMBEDDING,
    /** The tokens that drew the most attention (attention models). */
    EXPLANATION
  }

  /** The subject naming strategies of the Confluent serializers ({@value #VALUE_SUBJECT_NAME_STRATEGY_CONFIG}). */
  public enum SubjectNameStrategy {
    /** {@code <topic>-value} (Confluent's TopicNameStrategy). */
    TOPIC,
    /** The record's full name (RecordNameStrategy). */
    RECORD,
    /** {@code <topic>-<full name>} (TopicRecordNameStrategy). */
    TOPIC_RECORD
  }

  /**
   * Parses and validates a configuration.
   *
   * @param originals streamnlp keys and any Kafka Streams settings (passed through)
   * @throws ConfigException naming the key that is wrong and what it should be
   */
  public StreamNlpConfig(Map<?, ?> originals) {
    super(CONFIG, originals, false);
    validateCrossKeys();
  }

  /**
   * The definition of every streamnlp key: type, default, validator, documentation.
   *
   * @return a copy of the definition
   */
  public static ConfigDef configDef() {
    return new ConfigDef(CONFIG);
  }

  private void validateCrossKeys() {
    if (dlqTopic().isEmpty()) {
      throw new ConfigException(DLQ_TOPIC_CONFIG, "", "records that cannot be encoded need a dead-letter topic; set "
          + DLQ_TOPIC_CONFIG + " (or Kafka Streams' " + KAFKA_DLQ_TOPIC_CONFIG + ", or " + OUTPUT_TOPIC_CONFIG
          + " for '<output.topic>-dlq').");
    }
    Set<String> inputs = new LinkedHashSet<>(inputTopics());
    for (String sink : List.of(outputTopic(), dlqTopic())) {
      if (!sink.isEmpty() && inputs.contains(sink)) {
        throw new ConfigException(sink, "'" + sink + "' is both an input topic and an output or dead-letter "
            + "topic; results would be read back as input. Use distinct topics in " + INPUT_TOPICS_CONFIG
            + ", " + OUTPUT_TOPIC_CONFIG + " and " + DLQ_TOPIC_CONFIG + ".");
      }
    }
    if (outputTopic().equals(dlqTopic())) {
      throw new ConfigException(DLQ_TOPIC_CONFIG, dlqTopic(), "the dead-letter topic must differ from "
          + OUTPUT_TOPIC_CONFIG + ", or consumers of the results would have to read raw rejected bytes.");
    }
    String aggregates = aggregatesTopic();
    if (!aggregates.isEmpty()) {
      if (inputs.contains(aggregates) || aggregates.equals(outputTopic()) || aggregates.equals(dlqTopic())) {
        throw new ConfigException(AGGREGATES_TOPIC_CONFIG, aggregates, "the aggregates topic must differ from "
            + "the input, output and dead-letter topics.");
      }
      if (!outputFields().containsAll(Set.of(OutputField.LABEL, OutputField.SCORES))) {
        throw new ConfigException(OUTPUT_FIELDS_CONFIG, getList(OUTPUT_FIELDS_CONFIG), "aggregates are made "
            + "from each result's label and scores; add 'label' and 'scores' to output.fields, or leave "
            + AGGREGATES_TOPIC_CONFIG + " empty.");
      }
      long advance = getLong(AGGREGATES_ADVANCE_MS_CONFIG);
      if (advance > getLong(AGGREGATES_WINDOW_MS_CONFIG)) {
        throw new ConfigException(AGGREGATES_ADVANCE_MS_CONFIG, advance, "must not exceed "
            + AGGREGATES_WINDOW_MS_CONFIG + " (windows would leave gaps).");
      }
    }
  }

  /**
   * The aggregates topic of the standalone topology.
   *
   * @return the topic, empty when aggregates are off
   */
  public String aggregatesTopic() {
    return getString(AGGREGATES_TOPIC_CONFIG).trim();
  }

  /**
   * The topics the standalone topology reads.
   *
   * @return {@value #INPUT_TOPICS_CONFIG}, trimmed; empty when not set
   */
  public List<String> inputTopics() {
    return getList(INPUT_TOPICS_CONFIG).stream().map(String::trim).toList();
  }

  /**
   * The topic the standalone topology writes results to.
   *
   * @return {@value #OUTPUT_TOPIC_CONFIG}, trimmed; empty when not set
   */
  public String outputTopic() {
    return getString(OUTPUT_TOPIC_CONFIG).trim();
  }

  /**
   * Where dead letters go: {@value #DLQ_TOPIC_CONFIG} when set, else Kafka Streams' own dead-letter topic
   * ({@code errors.dead.letter.queue.topic.name}) when that is set, else {@code <output.topic>-dlq}.
   *
   * @return the dead-letter topic, empty when none of the three is set
   */
  public String dlqTopic() {
    String dlq = getString(DLQ_TOPIC_CONFIG).trim();
    if (!dlq.isEmpty()) {
      return dlq;
    }
    Object kafkaDlq = originals().get(KAFKA_DLQ_TOPIC_CONFIG);
    if (kafkaDlq != null && !kafkaDlq.toString().isBlank()) {
      return kafkaDlq.toString().trim();
    }
    return outputTopic().isEmpty() ? "" : outputTopic() + "-dlq";
  }

  /**
   * Checks what the standalone topology needs beyond a library pipeline: topics to read and one to write.
   *
   * @throws ConfigException naming the key that is missing
   */
  public void requireStandaloneTopics() {
    if (inputTopics().isEmpty()) {
      throw new ConfigException(INPUT_TOPICS_CONFIG, "", "the standalone topology reads text messages from these "
          + "topics; set " + INPUT_TOPICS_CONFIG + "=topic[,topic...]");
    }
    if (outputTopic().isEmpty()) {
      throw new ConfigException(OUTPUT_TOPIC_CONFIG, "", "the standalone topology writes its results to this "
          + "topic; set " + OUTPUT_TOPIC_CONFIG);
    }
  }

  /**
   * How input values are read.
   *
   * @return {@value #INPUT_FORMAT_CONFIG}
   */
  public InputFormat inputFormat() {
    return InputFormat.valueOf(getString(INPUT_FORMAT_CONFIG).trim().toUpperCase(Locale.ROOT));
  }

  /**
   * The encoder family.
   *
   * @return {@code attention}, {@code rnn} or {@code cascade}
   */
  public String encoder() {
    return getString(ENCODER_CONFIG).trim().toLowerCase(Locale.ROOT);
  }

  /**
   * Whether partial batches run as soon as the input is drained, with frequent commits and polls.
   *
   * @return true for {@code latency.mode=low}
   */
  public boolean lowLatency() {
    return "low".equalsIgnoreCase(getString(LATENCY_MODE_CONFIG));
  }

  /**
   * Whether ONNX Runtime's threads spin-wait between operators.
   *
   * @return {@value #ONNX_INTRA_OP_SPINNING_CONFIG} when set; unset, true for encoder=attention in the throughput
   *     mode, false otherwise
   */
  public boolean intraOpSpinning() {
    if (originals().containsKey(ONNX_INTRA_OP_SPINNING_CONFIG)) {
      return getBoolean(ONNX_INTRA_OP_SPINNING_CONFIG);
    }
    return !lowLatency() && "attention".equals(encoder()) && getBoolean(ONNX_INTRA_OP_SPINNING_CONFIG);
  }

  /**
   * The configured model directory, or the shipped model of the configured encoder when none is set.
   *
   * @return a filesystem path or a {@code classpath:} location
   */
  public String modelDir() {
    String dir = getString(MODEL_DIR_CONFIG).trim();
    if (!dir.isEmpty()) {
      return dir;
    }
    return "attention".equals(encoder()) ? ATTENTION_MODEL_DIR_DEFAULT : RNN_MODEL_DIR_DEFAULT;
  }

  /**
   * Whether the cascade runs: the rnn model of model.dir, the attention model of cascade.model.dir.
   *
   * @return true for {@code encoder=cascade}
   */
  public boolean cascade() {
    return "cascade".equals(encoder());
  }

  /**
   * Where ONNX Runtime runs the model.
   *
   * @return {@code cpu} or {@code cuda}
   */
  public String executionProvider() {
    return getString(EXECUTION_PROVIDER_CONFIG).trim().toLowerCase(Locale.ROOT);
  }

  /**
   * The results each output record carries.
   *
   * @return {@value #OUTPUT_FIELDS_CONFIG}, in the order given
   */
  public Set<OutputField> outputFields() {
    Set<OutputField> fields = new LinkedHashSet<>();
    for (String f : getList(OUTPUT_FIELDS_CONFIG)) {
      fields.add(OutputField.valueOf(f.trim().toUpperCase(Locale.ROOT)));
    }
    return fields;
  }

  /**
   * The subject the output schema is registered under.
   *
   * @return {@value #VALUE_SUBJECT_NAME_STRATEGY_CONFIG}
   */
  public SubjectNameStrategy valueSubjectNameStrategy() {
    return parseStrategy(getString(VALUE_SUBJECT_NAME_STRATEGY_CONFIG));
  }

  /**
   * The registry's base URLs, tried in order.
   *
   * @return {@value #SCHEMA_REGISTRY_URL_CONFIG}, blanks dropped
   */
  public List<String> schemaRegistryUrls() {
    return getList(SCHEMA_REGISTRY_URL_CONFIG).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /**
   * HTTP basic credentials for the registry.
   *
   * @return {@code user:password}, or null
   */
  public String schemaRegistryBasicAuth() {
    Password p = getPassword(SCHEMA_REGISTRY_BASIC_AUTH_CONFIG);
    return p == null ? null : p.value();
  }

  /**
   * A static bearer token for the registry.
   *
   * @return the token, or null
   */
  public String schemaRegistryBearerToken() {
    Password p = getPassword(SCHEMA_REGISTRY_BEARER_TOKEN_CONFIG);
    return p == null ? null : p.value();
  }

  /**
   * The Kafka Streams properties: every original key that streamnlp does not declare itself. Passwords and
   * other values are passed as the user gave them.
   *
   * @return a new map of the keys streamnlp passes on
   */
  public Map<String, Object> streamsProperties() {
    Map<String, Object> props = new HashMap<>();
    for (Map.Entry<String, ?> e : originals().entrySet()) {
      if (!CONFIG.names().contains(e.getKey())) {
        props.put(e.getKey(), e.getValue());
      }
    }
    return props;
  }

  static SubjectNameStrategy parseStrategy(String value) {
    String v = value.trim();
    String simple = v.substring(v.lastIndexOf('.') + 1);
    switch (simple) {
      case "TopicNameStrategy": return SubjectNameStrategy.TOPIC;
      case "RecordNameStrategy": return SubjectNameStrategy.RECORD;
      case "TopicRecordNameStrategy": return SubjectNameStrategy.TOPIC_RECORD;
      default:
        try {
          return SubjectNameStrategy.valueOf(v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          return null;
        }
    }
  }

  private static ConfigDef.Validator subjectStrategyValidator() {
    return new ConfigDef.Validator() {
      @Override
      public void ensureValid(String name, Object value) {
        if (value == null || parseStrategy(value.toString()) == null) {
          throw new ConfigException(name, value, "expected one of topic, record, topic_record "
              + "(or Confluent's TopicNameStrategy, RecordNameStrategy, TopicRecordNameStrategy)");
        }
      }

      @Override
      public String toString() {
        return "[topic, record, topic_record]";
      }
    };
  }

  private static ConfigDef.Validator outputFieldsValidator() {
    return new ConfigDef.Validator() {
      @Override
      public void ensureValid(String name, Object value) {
        @SuppressWarnings("unchecked")
        List<String> fields = (List<String>) value;
        if (fields == null || fields.isEmpty()) {
          throw new ConfigException(name, value, "name at least one of label, scores, polarity, embedding, explanation");
        }
        for (String f : fields) {
          try {
            OutputField.valueOf(f.trim().toUpperCase(Locale.ROOT));
          } catch (IllegalArgumentException e) {
            throw new ConfigException(name, value, "unknown output field '" + f.trim()
                + "'; expected any of label, scores, polarity, embedding, explanation");
          }
        }
      }

      @Override
      public String toString() {
        return "any of [label, scores, polarity, embedding, explanation]";
      }
    };
  }

  private static ConfigDef.Validator caseInsensitive(String... values) {
    return ConfigDef.CaseInsensitiveValidString.in(values);
  }
}
