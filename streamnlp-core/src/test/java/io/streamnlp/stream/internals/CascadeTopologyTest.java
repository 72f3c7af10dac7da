package io.streamnlp.stream.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamnlp.ResultFields;
import io.streamnlp.StreamNlp;
import io.streamnlp.avro.TextEncoding;
import io.streamnlp.config.StreamNlpConfig.OutputField;
import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.model.internals.CascadeRule;
import io.streamnlp.model.internals.EncoderResult;
import io.streamnlp.model.internals.ModelDirectory;
import io.streamnlp.model.internals.OnnxModel;
import io.streamnlp.model.internals.RecurrentEncoder;
import io.streamnlp.model.internals.RecurrentResult;
import io.streamnlp.model.internals.TextEncoder;
import io.streamnlp.serde.InMemorySchemaRegistryClient;
import io.streamnlp.text.internals.InputGuard;
import io.streamnlp.text.internals.PlainTextExtractor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * encoder=cascade on TopologyTestDriver: every message is read by the GRU from its key's state, the unsure ones
 * are re-read by the transformer, and each result is what the two models give when called directly.
 */
class CascadeTopologyTest {
  private static final String IN = "texts";
  private static final String OUT = "encoded";
  private static final String DLQ = "encoded-dlq";
  private static final float TOLERANCE = 1e-5f;
  private static final List<String> LABELS = List.of("negative", "neutral", "positive");
  /** Two keys, interleaved so that one micro-batch holds several messages of a key (the rnn's waves). */
  private static final String[][] MESSAGES = {
      {"alice", "the first half drags"}, {"bob", "terrible service"}, {"alice", "but the ending is wonderful"},
      {"alice", "ok"}, {"bob", "still no refund, i give up"}, {"alice", "i would watch it again"},
      {"bob", "my order number is 4471"}, {"bob", "thanks, that fixed it"}};

  static OnnxModel gru;
  static OnnxModel transformer;
  private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

  @BeforeAll
  static void load() {
    gru = OnnxModel.load(ModelDirectory.open(StreamNlpConfig.RNN_MODEL_DIR_DEFAULT), OnnxModel.RuntimeOptions.cpu(),
        128);
    transformer = OnnxModel.load(ModelDirectory.open(StreamNlpConfig.ATTENTION_MODEL_DIR_DEFAULT),
        OnnxModel.RuntimeOptions.cpu(), 128);
  }

  @AfterAll
  static void close() {
    gru.close();
    transformer.close();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Each message through the GRU directly, continuing from the previous message of its key. */
  private static List<RecurrentResult> gruInOrder() throws Exception {
    Map<String, float[]> states = new HashMap<>();
    List<RecurrentResult> out = new ArrayList<>();
    try (RecurrentEncoder encoder = gru.newRecurrentEncoder(1)) {
      for (String[] m : MESSAGES) {
        RecurrentResult r = encoder.encode(List.of(gru.tokenizer().tokenize(m[1])),
            Arrays.asList(states.get(m[0]))).get(0);
        states.put(m[0], r.finalState());
        out.add(r);
      }
    }
    return out;
  }

  private static EncoderResult transformerAlone(String text) throws Exception {
    try (TextEncoder encoder = transformer.newEncoder(1)) {
      return encoder.encode(List.of(transformer.tokenizer().tokenize(text))).get(0);
    }
  }

  private static float top(float[] scores) {
    float t = scores[0];
    for (float s : scores) {
      t = Math.max(t, s);
    }
    return t;
  }

  private static Map<String, String> properties(double threshold, String combine) {
    Map<String, String> props = PipelineDriver.properties("cascade-topology-test", IN, OUT);
    props.put(StreamNlpConfig.DLQ_TOPIC_CONFIG, DLQ);
    props.put(StreamNlpConfig.ENCODER_CONFIG, "cascade");
    props.put(StreamNlpConfig.CASCADE_THRESHOLD_CONFIG, Double.toString(threshold));
    props.put(StreamNlpConfig.CASCADE_COMBINE_CONFIG, combine);
    props.put(StreamNlpConfig.BATCH_SIZE_CONFIG, "8");
    props.put(StreamNlpConfig.BATCH_MAX_WAIT_MS_CONFIG, "1000");
    props.put(StreamNlpConfig.OUTPUT_FIELDS_CONFIG, "label,scores,embedding,polarity,explanation");
    return props;
  }

  /** A threshold between the GRU's top scores of these messages, so that some are re-read and some are not. */
  private static double midThreshold(List<RecurrentResult> reads) {
    float[] tops = new float[reads.size()];
    for (int i = 0; i < tops.length; i++) {
      tops[i] = top(reads.get(i).result().scores());
    }
    Arrays.sort(tops);
    return (tops[tops.length / 2 - 1] + tops[tops.length / 2]) / 2.0;
  }

  @Test
  void theUnsureMessagesAreReReadByTheTransformerAndTheStateIsTheGrusAlone() throws Exception {
    for (String combine : List.of("attention", "average")) {
      List<RecurrentResult> reads = gruInOrder();
      double threshold = midThreshold(reads);
      try (PipelineDriver p = PipelineDriver.start(properties(threshold, combine), registry, IN)) {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        p.nlp.meters().add(meters);
        for (String[] m : MESSAGES) {
          p.input.pipeInput(utf8(m[0]), utf8(m[1]));
        }
        List<TextEncoding> results = p.results(p.output(OUT), OUT);
        assertThat(results).hasSize(MESSAGES.length);
        CascadeRule rule = new CascadeRule(threshold, CascadeRule.Combine.valueOf(combine.toUpperCase()));
        int reread = 0;
        Map<String, Integer> steps = new LinkedHashMap<>();
        for (int i = 0; i < MESSAGES.length; i++) {
          TextEncoding r = results.get(i);
          EncoderResult first = reads.get(i).result();
          assertThat(ResultFields.key(r)).isEqualTo(MESSAGES[i][0]);
          assertThat(r.getModel().getName()).isEqualTo("gru-sentiment3");
          assertThat(r.getStateSteps()).isEqualTo(steps.merge(MESSAGES[i][0], 1, Integer::sum).longValue());
          assertThat(ResultFields.embedding(r)).as("the GRU's embedding, re-read or not")
              .containsExactly(first.embedding(), within(TOLERANCE));
          float[] expected = first.scores();
          if (top(first.scores()) < threshold) {
            reread++;
            expected = rule.combine(first.scores(), transformerAlone(MESSAGES[i][1]).scores());
            assertThat(r.getRereadBy()).as(MESSAGES[i][1]).isNotNull();
            assertThat(r.getRereadBy().getName()).isEqualTo("minilm-l6-sentiment3");
            assertThat(r.getExplanation()).as("the transformer explains what it re-read").isNotEmpty();
          } else {
            assertThat(r.getRereadBy()).as(MESSAGES[i][1]).isNull();
            assertThat(r.getExplanation()).as("the GRU has no attention to explain with").isNull();
          }
          for (int l = 0; l < LABELS.size(); l++) {
            assertThat(r.getScores().get(LABELS.get(l))).as(MESSAGES[i][1]).isCloseTo(expected[l], within(TOLERANCE));
          }
          assertThat(r.getLabel()).isEqualTo(LABELS.get(EncoderResult.of(expected, null).labelIndex()));
          assertThat(r.getPolarity()).isCloseTo(expected[2] - expected[0], within(TOLERANCE));
        }
        assertThat(reread).as("the threshold splits the messages").isBetween(1, MESSAGES.length - 1);
        assertThat(meters.get("streamnlp.cascade.messages").tag("reading", "first").counter().count())
            .isEqualTo(MESSAGES.length);
        assertThat(meters.get("streamnlp.cascade.messages").tag("reading", "reread").counter().count())
            .isEqualTo(reread);
        assertThat(meters.get("streamnlp.cascade.model.call").tag("model", "minilm-l6-sentiment3").timer().count())
            .isPositive();
        KeyValueStore<Bytes, RnnState> store = p.driver.getKeyValueStore("streamnlp-rnn-state");
        RnnState alice = store.get(Bytes.wrap(utf8("alice")));
        assertThat(alice.steps()).isEqualTo(4);
        assertThat(alice.state()).as("the state is the GRU's after alice's last message")
            .containsExactly(reads.get(5).finalState(), within(TOLERANCE));
      }
    }
  }

  @Test
  void aFailedReReadDeadLettersItsMessageAndAdvancesNoStateTwice() throws Exception {
    PipelineNames names = new PipelineNames(PipelineNames.DEFAULT);
    PipelineMeters none = PipelineMeters.none(LABELS);
    PoisonSensitiveEncoder poisonSensitive = new PoisonSensitiveEncoder(transformer.newEncoder(8),
        transformer.tokenizer().tokenize("poison").ids()[1]);
    StreamNlpTopology.Parts parts = new StreamNlpTopology.Parts(names,
        () -> new InputGuard(new PlainTextExtractor(), 1000), gru.tokenizer(),
        () -> new CascadeBatchEncoder(new RecurrentBatchEncoder(gru.newRecurrentEncoder(8),
            new RecurrentBatchEncoder.Settings(names, Duration.ZERO, Duration.ofMinutes(1), 100, null), none),
            poisonSensitive, new CascadeRule(1.0, CascadeRule.Combine.ATTENTION),
            none.cascade("gru-sentiment3", "minilm-l6-sentiment3")),
        Set.of(StreamNlpTopology.rnnStateStore(names)), false,
        new TextEncodings(gru.info(), Set.of(OutputField.LABEL), null, 0, transformer.info()),
        BatchPolicy.of(4, Duration.ofSeconds(1)), new DeadLetterPolicy(DLQ, 1024, 1024), none);
    StreamsBuilder builder = new StreamsBuilder();
    StreamNlpTopology.encode(builder.stream(IN, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())), parts)
        .mapValues(r -> r.getStateSteps() + " " + (r.getRereadBy() != null))
        .to(OUT, Produced.with(Serdes.ByteArray(), Serdes.String()));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "cascade-failure");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props)) {
      TestInputTopic<byte[], byte[]> in = driver.createInputTopic(IN, new ByteArraySerializer(),
          new ByteArraySerializer());
      TestOutputTopic<byte[], String> out = driver.createOutputTopic(OUT, new ByteArrayDeserializer(),
          new StringDeserializer());
      TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic(DLQ, new ByteArrayDeserializer(),
          new ByteArrayDeserializer());
      // One micro-batch of 4, all re-read (threshold 1): the second message makes the transformer's call fail.
      for (String text : List.of("great film", "poison in the soup", "the waiter was kind", "would come back")) {
        in.pipeInput(utf8("carol"), utf8(text));
      }
      assertThat(out.readValuesToList()).as("state steps, re-read").containsExactly("1 true", "2 true", "3 true");
      assertThat(dlq.readRecordsToList()).hasSize(1);
      KeyValueStore<Bytes, RnnState> store = driver.getKeyValueStore("streamnlp-rnn-state");
      assertThat(store.get(Bytes.wrap(utf8("carol"))).steps()).as("the failed batch applied no state").isEqualTo(3);
    }
  }

  @Test
  void modelsThatCannotCascadeFailAtStartNamingTheKey() {
    Map<String, String> props = properties(0.45, "attention");
    props.put(StreamNlpConfig.OUTPUT_FIELDS_CONFIG, "label,scores");
    expectRefusal(props, StreamNlpConfig.CASCADE_MODEL_DIR_CONFIG, StreamNlpConfig.RNN_MODEL_DIR_DEFAULT,
        "re-reads with an attention model");
    expectRefusal(props, StreamNlpConfig.CASCADE_MODEL_DIR_CONFIG, "classpath:models/all-minilm-l6-v2",
        "the same labels in the same order");
    expectRefusal(props, StreamNlpConfig.MODEL_DIR_CONFIG, StreamNlpConfig.ATTENTION_MODEL_DIR_DEFAULT,
        "needs a model of kind 'rnn'");
    expectRefusal(props, StreamNlpConfig.ATTENTION_WINDOW_TOKENS_CONFIG, "64", "a context window is not used");
    expectRefusal(props, StreamNlpConfig.CASCADE_THRESHOLD_CONFIG, "1.5", "cascade.threshold");
  }

  private void expectRefusal(Map<String, String> base, String key, String value, String says) {
    Map<String, String> props = new HashMap<>(base);
    props.put(key, value);
    assertThatThrownBy(() -> StreamNlp.create(props, registry).close()).isInstanceOf(ConfigException.class)
        .hasMessageContaining(says).hasMessageNotContaining("\n");
  }
}
