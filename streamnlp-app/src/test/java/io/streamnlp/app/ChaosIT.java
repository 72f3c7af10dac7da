package io.streamnlp.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamnlp.ResultFields;
import io.streamnlp.avro.TextEncoding;
import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.local.LocalSchemaRegistry;
import io.streamnlp.model.internals.ContextualEncoder;
import io.streamnlp.model.internals.ModelDirectory;
import io.streamnlp.model.internals.OnnxModel;
import io.streamnlp.model.internals.RecurrentEncoder;
import io.streamnlp.model.internals.RecurrentResult;
import io.streamnlp.model.internals.TextEncoder;
import io.streamnlp.serde.ConfluentAvroDeserializer;
import io.streamnlp.serde.ConfluentAvroSerializer;
import io.streamnlp.serde.HttpSchemaRegistryClient;
import io.streamnlp.stream.DeadLetterHeaders;
import io.streamnlp.stream.internals.DeadLetterPolicy;
import io.streamnlp.text.internals.TokenizedText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos suite: {@code streamnlp run} in child JVMs on a real KRaft broker, with exactly_once_v2, while
 * records and outages try to stop it. Every scenario checks that each input offset ends as exactly one result
 * or one dead letter (read_committed), that nothing is duplicated, that the application is still running at
 * the end, and, where state is kept, that every result equals an uninterrupted run's (1e-5). Each writes a
 * line of figures to {@code target/chaos-report.txt}.
 */
class ChaosIT extends LocalClusterIT {
  private static final Path REPORT = Path.of("target", "chaos-report.txt");
  private static final float TOLERANCE = 1e-5f;
  private static final int KEYS = 8;
  private static final int WINDOW_TOKENS = 48;
  /** Above the default, so that about half of these phrases are re-read and half are not. */
  private static final double CASCADE_THRESHOLD = 0.7;
  private static final String[] PHRASES = {"the plot is thin", "but the cast is great", "i loved the music",
      "the ending dragged", "what a waste of time", "truly moving", "not bad at all", "the jokes fall flat",
      "gorgeous photography", "i want my money back", "a warm and funny film", "boring"};

  private static OnnxModel gru;
  private static OnnxModel transformer;

  @TempDir
  Path dir;

  @BeforeAll
  static void loadReferenceModels() throws IOException {
    Files.deleteIfExists(REPORT);
    gru = OnnxModel.load(ModelDirectory.open("classpath:models/gru-sentiment3"), OnnxModel.RuntimeOptions.cpu(), 128);
    transformer = OnnxModel.load(ModelDirectory.open("classpath:models/minilm-l6-sentiment3"),
        OnnxModel.RuntimeOptions.cpu(), 128);
  }

  @AfterAll
  static void closeReferenceModels() {
    gru.close();
    transformer.close();
  }

  /** A message as it was produced. */
  record Sent(String key, String text, String position) {}

  /** What the pipeline wrote for a scenario: decoded results and raw dead letters. */
  record Outcome(List<TextEncoding> results, List<ConsumerRecord<byte[], byte[]>> deadLetters) {}

  private static String text(int i) {
    return PHRASES[(i * 7 + i / KEYS) % PHRASES.length];
  }

  private Properties app(String name, String encoder, String instance) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, name);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "1");
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
    // A killed member is noticed after this long (the broker's minimum), instead of the default 45 s.
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "6000");
    // Each instance has its own local state, as on another machine: a successor restores from changelogs.
    p.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state-" + instance).toString());
    p.put(StreamNlpConfig.ENCODER_CONFIG, encoder);
    p.put(StreamNlpConfig.INPUT_TOPICS_CONFIG, name + "-in");
    p.put(StreamNlpConfig.OUTPUT_TOPIC_CONFIG, name + "-out");
    p.put(StreamNlpConfig.SCHEMA_REGISTRY_URL_CONFIG, registry.url());
    p.put(StreamNlpConfig.BATCH_SIZE_CONFIG, "16");
    p.put(StreamNlpConfig.BATCH_MAX_WAIT_MS_CONFIG, "20");
    p.put(StreamNlpConfig.OUTPUT_FIELDS_CONFIG, "label,scores,embedding");
    if ("attention".equals(encoder)) {
      p.put(StreamNlpConfig.ATTENTION_WINDOW_TOKENS_CONFIG, Integer.toString(WINDOW_TOKENS));
      p.put(StreamNlpConfig.ATTENTION_WINDOW_MS_CONFIG, "0");
    }
    if ("cascade".equals(encoder)) {
      p.put(StreamNlpConfig.CASCADE_THRESHOLD_CONFIG, Double.toString(CASCADE_THRESHOLD));
    }
    return p;
  }

  private PipelineProcess launch(String name, Properties props) throws IOException {
    return PipelineProcess.start(dir, "chaos-" + name, props);
  }

  /** Produces messages {@code from} to {@code to} - 1 of the workload, pausing 100 ms every 40 messages. */
  private static CompletableFuture<List<Sent>> produceSlowly(String topic, int from, int to) {
    return produceSlowly(topic, from, to, 100);
  }

  /**
   * Produces messages {@code from} to {@code to} - 1 of the workload, pausing {@code pauseMs} every 40
   * messages, so that the stream is still flowing when a scenario strikes.
   */
  private static CompletableFuture<List<Sent>> produceSlowly(String topic, int from, int to, long pauseMs) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return produce(topic, from, to, pauseMs, i -> utf8(text(i)));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /** Produces messages {@code from} to {@code to} - 1 of the workload with the given values. */
  private static List<Sent> produce(String topic, int from, int to, long pauseMs, IntFunction<byte[]> value)
      throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    List<Sent> sent = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer =
             new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = from; i < to; i++) {
        String key = "key-" + i % KEYS;
        RecordMetadata md = producer.send(new ProducerRecord<>(topic, utf8(key), value.apply(i))).get();
        sent.add(new Sent(key, text(i), md.partition() + "@" + md.offset()));
        if (pauseMs > 0 && i % 40 == 39) {
          Thread.sleep(pauseMs);
        }
      }
    }
    return sent;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
    Header h = r.headers().lastHeader(key);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static String position(ConsumerRecord<byte[], byte[]> deadLetter) {
    return header(deadLetter, DeadLetterHeaders.PARTITION) + "@" + header(deadLetter, DeadLetterHeaders.OFFSET);
  }

  /**
   * Reads the output and dead-letter topics until {@code expected} records are there, then on for 3 s (a
   * duplicate would show up then), and checks that each of {@code inputs} has exactly one of them.
   */
  private Outcome readAll(String name, Set<String> inputs, int extraDeadLetters) {
    return readAll(name, inputs, extraDeadLetters, registry.url());
  }

  private Outcome readAll(String name, Set<String> inputs, int extraDeadLetters, String registryUrl) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
             PipelineProcess.reader(kafka.bootstrapServers(), name + "-out", name + "-out-dlq")) {
      PipelineProcess.pollUntil(consumer, records, inputs.size() + extraDeadLetters, Duration.ofSeconds(150));
      PipelineProcess.settle(consumer, records, Duration.ofSeconds(3));
    }
    ConfluentAvroDeserializer<TextEncoding> avro = new ConfluentAvroDeserializer<>(
        new HttpSchemaRegistryClient(HttpSchemaRegistryClient.Settings.of(registryUrl)),
        TextEncoding.getClassSchema());
    List<TextEncoding> results = new ArrayList<>();
    List<ConsumerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();
    List<String> positions = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      if (r.topic().endsWith("-dlq")) {
        deadLetters.add(r);
        if (!"-1".equals(header(r, DeadLetterHeaders.OFFSET))) {
          positions.add(position(r));
        }
      } else {
        TextEncoding e = avro.deserialize(r.topic(), r.value());
        results.add(e);
        positions.add(e.getSource().getPartition() + "@" + e.getSource().getOffset());
      }
    }
    assertThat(positions).as("no input offset written twice (%s)", name).doesNotHaveDuplicates();
    assertThat(new HashSet<>(positions)).as("one result or dead letter per input offset (%s)", name)
        .isEqualTo(inputs);
    assertThat(deadLetters.stream().filter(r -> "-1".equals(header(r, DeadLetterHeaders.OFFSET))).count())
        .as("dead letters of no input offset (%s)", name).isEqualTo(extraDeadLetters);
    return new Outcome(results, deadLetters);
  }

  private static Set<String> positions(List<Sent> sent) {
    Set<String> all = new HashSet<>();
    sent.forEach(s -> all.add(s.position()));
    return all;
  }

  private static void report(String line) throws IOException {
    System.out.println("ChaosIT " + line);
    Files.writeString(REPORT, line + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static String key(TextEncoding e) {
    return ResultFields.key(e);
  }

  private static float[] embedding(TextEncoding e) {
    return ResultFields.embedding(e);
  }

  /** Each key's results in input order (one partition per key, so offset order is the key's order). */
  private static Map<String, List<TextEncoding>> byKey(List<TextEncoding> results) {
    Map<String, List<TextEncoding>> byKey = new LinkedHashMap<>();
    for (TextEncoding e : results) {
      byKey.computeIfAbsent(key(e), k -> new ArrayList<>()).add(e);
    }
    byKey.values().forEach(l -> l.sort(Comparator.comparingLong(e -> e.getSource().getOffset())));
    return byKey;
  }

  private static Map<String, String> textAt(List<Sent> sent) {
    Map<String, String> byPosition = new HashMap<>();
    sent.forEach(s -> byPosition.put(s.position(), s.text()));
    return byPosition;
  }

  /**
   * Every RNN result equals running its key's messages through the model one after another from the zero
   * state, except that a key in {@code startsOverAt} starts again from the zero state at that message index.
   */
  private static void assertRnnAsUninterrupted(List<TextEncoding> results, List<Sent> sent,
                                               Map<String, Integer> startsOverAt) throws Exception {
    assertAsUninterrupted(results, sent, startsOverAt, Double.NaN);
  }

  /**
   * As {@link #assertRnnAsUninterrupted} for the cascade, whose state and embedding are the GRU's: moreover each
   * message whose GRU top score is below {@code threshold} carries the transformer's scores (read alone) and
   * names it, and every other carries the GRU's.
   *
   * @return how many results were re-read
   */
  private static int assertAsUninterrupted(List<TextEncoding> results, List<Sent> sent,
                                           Map<String, Integer> startsOverAt, double threshold) throws Exception {
    Map<String, String> texts = textAt(sent);
    int reread = 0;
    try (RecurrentEncoder encoder = gru.newRecurrentEncoder(1); TextEncoder alone = transformer.newEncoder(1)) {
      for (Map.Entry<String, List<TextEncoding>> keyed : byKey(results).entrySet()) {
        float[] state = null;
        long steps = 0;
        for (int n = 0; n < keyed.getValue().size(); n++) {
          if (startsOverAt.getOrDefault(keyed.getKey(), -1) == n) {
            state = null;
            steps = 0;
          }
          TextEncoding e = keyed.getValue().get(n);
          String text = texts.get(e.getSource().getPartition() + "@" + e.getSource().getOffset());
          RecurrentResult want = encoder.encode(List.of(gru.tokenizer().tokenize(text)), Arrays.asList(state))
              .get(0);
          state = want.finalState();
          steps++;
          assertThat(e.getStateSteps()).as("%s message %d", keyed.getKey(), n).isEqualTo(steps);
          assertThat(embedding(e)).as("%s message %d", keyed.getKey(), n)
              .containsExactly(want.result().embedding(), within(TOLERANCE));
          if (Double.isNaN(threshold)) {
            continue;
          }
          float[] scores = want.result().scores();
          boolean unsure = scores[want.result().labelIndex()] < threshold;
          assertThat(e.getRereadBy() != null).as("%s message %d re-read", keyed.getKey(), n).isEqualTo(unsure);
          if (unsure) {
            reread++;
            scores = alone.encode(List.of(transformer.tokenizer().tokenize(text))).get(0).scores();
          }
          for (int l = 0; l < scores.length; l++) {
            assertThat(e.getScores().get(gru.info().labels().get(l))).as("%s message %d", keyed.getKey(), n)
                .isCloseTo(scores[l], within(TOLERANCE));
          }
        }
      }
    }
    return reread;
  }

  /** Every attention result equals reading the message after its key's last WINDOW_TOKENS earlier tokens. */
  private static void assertWindowsAsUninterrupted(List<TextEncoding> results, List<Sent> sent) throws Exception {
    Map<String, String> texts = textAt(sent);
    try (ContextualEncoder encoder = transformer.newContextualEncoder(1, false)) {
      for (Map.Entry<String, List<TextEncoding>> keyed : byKey(results).entrySet()) {
        long[] window = new long[0];
        for (int n = 0; n < keyed.getValue().size(); n++) {
          TextEncoding e = keyed.getValue().get(n);
          TokenizedText message = transformer.tokenizer().tokenize(
              texts.get(e.getSource().getPartition() + "@" + e.getSource().getOffset()));
          float[] want = encoder.encode(List.of(message), Arrays.asList(window)).get(0).embedding();
          assertThat(embedding(e)).as("%s message %d", keyed.getKey(), n).containsExactly(want, within(TOLERANCE));
          long[] ids = message.ids();
          long[] joined = Arrays.copyOf(window, window.length + ids.length - 2);
          System.arraycopy(ids, 1, joined, window.length, ids.length - 2);
          window = Arrays.copyOfRange(joined, Math.max(0, joined.length - WINDOW_TOKENS), joined.length);
        }
      }
    }
  }

  /** Polls the output until at least {@code count} results are there; returns how many were read. */
  private static int awaitResults(String name, int count, Duration timeout) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = PipelineProcess.reader(kafka.bootstrapServers(), name + "-out")) {
      PipelineProcess.pollUntil(consumer, out, count, timeout);
    }
    assertThat(out).as("results of %s (log: target/chaos-%s*.log)", name, name).hasSizeGreaterThanOrEqualTo(count);
    return out.size();
  }

  private static double secondsSince(long nanoTime) {
    return (System.nanoTime() - nanoTime) / 1e9;
  }

  @Test
  void anOversizedRecordIsDeadLetteredTruncatedAndNothingStops() throws Exception {
    String name = "chaos-oversized";
    kafka.createTopics(2, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "4000000"), name + "-in");
    kafka.createTopics(2, name + "-out", name + "-out-dlq"); // the broker's defaults: 1 MB records
    byte[] huge = new byte[2_100_000];
    Arrays.fill(huge, (byte) 'a');
    byte[] bigKey = new byte[400_000];
    Arrays.fill(bigKey, (byte) 'k');
    RecordHeaders bigHeaders = new RecordHeaders();
    bigHeaders.add("attachment", new byte[300_000]);

    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "5000000");
    List<Sent> normal = new ArrayList<>();
    String hugeAt;
    String bigKeyAt;
    try (PipelineProcess run = launch(name, app(name, "attention", "only"));
         KafkaProducer<byte[], byte[]> producer =
             new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      Function<Integer, Sent> send = i -> {
        try {
          RecordMetadata md = producer.send(new ProducerRecord<>(name + "-in", utf8("key-" + i % KEYS),
              utf8(text(i)))).get();
          return new Sent("key-" + i % KEYS, text(i), md.partition() + "@" + md.offset());
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      };
      for (int i = 0; i < 40; i++) {
        normal.add(send.apply(i));
      }
      RecordMetadata h = producer.send(new ProducerRecord<>(name + "-in", utf8("key-0"), huge)).get();
      hugeAt = h.partition() + "@" + h.offset();
      // Fits the buffer's changelog, but as a result (key twice, headers copied) it exceeds 1 MB.
      RecordMetadata b = producer.send(new ProducerRecord<>(name + "-in", null, bigKey, utf8("hello there"),
          bigHeaders)).get();
      bigKeyAt = b.partition() + "@" + b.offset();
      for (int i = 40; i < 80; i++) {
        normal.add(send.apply(i));
      }
      awaitResults(name, 80, Duration.ofSeconds(120));
      // Still running and still processing: a last burst after the bad records.
      for (int i = 80; i < 100; i++) {
        normal.add(send.apply(i));
      }
      Set<String> inputs = positions(normal);
      inputs.add(hugeAt);
      inputs.add(bigKeyAt);
      Outcome outcome = readAll(name, inputs, 0);
      assertThat(run.isAlive()).as("the application is still running (log: %s)", run.log).isTrue();
      assertThat(Files.readString(run.log)).as("no stream thread ever failed").doesNotContain("Stream thread failed");

      assertThat(outcome.results()).hasSize(100);
      assertThat(outcome.deadLetters()).hasSize(2);
      ConsumerRecord<byte[], byte[]> tooLarge = outcome.deadLetters().stream()
          .filter(r -> position(r).equals(hugeAt)).findFirst().orElseThrow();
      assertThat(header(tooLarge, DeadLetterHeaders.REASON)).isEqualTo("TOO_LARGE");
      assertThat(tooLarge.value()).hasSize(256 * 1024);
      assertThat(header(tooLarge, DeadLetterHeaders.VALUE_TRUNCATED)).isEqualTo("true");
      assertThat(header(tooLarge, DeadLetterHeaders.VALUE_SIZE)).isEqualTo("2100000");
      assertThat(header(tooLarge, DeadLetterHeaders.VALUE_SHA256)).isEqualTo(DeadLetterPolicy.sha256(huge));
      ConsumerRecord<byte[], byte[]> rejected = outcome.deadLetters().stream()
          .filter(r -> position(r).equals(bigKeyAt)).findFirst().orElseThrow();
      assertThat(header(rejected, DeadLetterHeaders.REASON)).isEqualTo("OUTPUT_REJECTED");
      assertThat(rejected.value()).isNull();
      assertThat(header(rejected, DeadLetterHeaders.KEY_SHA256)).isEqualTo(DeadLetterPolicy.sha256(bigKey));
      report(String.format("oversized record: %d messages + a 2.1 MB value and a 1 MB result; %d results, "
              + "%d dead letters (TOO_LARGE cut to %d B with SHA-256, OUTPUT_REJECTED headers only), 0 duplicates, "
              + "0 thread failures, app running", normal.size(), outcome.results().size(),
          outcome.deadLetters().size(), tooLarge.value().length));
    }
  }

  @Test
  void anOutputTopicWhoseLimitDropsWhileRunningCostsOneThreadAndNoRecord() throws Exception {
    String name = "chaos-refused";
    kafka.createTopics(1, name + "-in", name + "-out", name + "-out-dlq");
    try (PipelineProcess run = launch(name, app(name, "rnn", "only"))) {
      List<Sent> sent = new ArrayList<>(produceSlowly(name + "-in", 0, 40).get(60, TimeUnit.SECONDS));
      awaitResults(name, 40, Duration.ofSeconds(90));
      // Results with an embedding take about 1.7 kB: from now on the broker refuses them, which the guard
      // learnt nothing about at start-up. Under exactly_once_v2 the first refusal fails the transaction.
      try (var admin = kafka.admin()) {
        admin.incrementalAlterConfigs(Map.of(
            new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC,
                name + "-out"),
            List.of(new org.apache.kafka.clients.admin.AlterConfigOp(new org.apache.kafka.clients.admin.ConfigEntry(
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1000"),
                org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
      }
      sent.addAll(produceSlowly(name + "-in", 40, 80).get(60, TimeUnit.SECONDS));
      Outcome outcome = readAll(name, positions(sent), 0);
      assertThat(run.isAlive()).as("the application is still running (log: %s)", run.log).isTrue();
      assertThat(outcome.results()).hasSize(40);
      assertThat(outcome.deadLetters()).hasSize(40).allSatisfy(letter -> {
        assertThat(header(letter, DeadLetterHeaders.REASON)).isEqualTo("OUTPUT_REJECTED");
        assertThat(letter.value()).isNull();
      });
      String log = Files.readString(run.log);
      assertThat(log).as("the replacement read the topic's new limit")
          .contains("Topic " + name + "-out accepts records up to 1000 bytes");
      int failures = log.split("Stream thread failed; replacing it", -1).length - 1;
      assertThat(failures).as("thread replacements (log: %s)", run.log).isBetween(1, 2);
      report(String.format("output topic's max.message.bytes cut to 1000 while running (rnn, results of ~1.7 kB): "
              + "%d messages, %d results before, %d OUTPUT_REJECTED dead letters after, 0 duplicates, %d stream "
              + "thread replaced, app running", sent.size(), outcome.results().size(), outcome.deadLetters().size(),
          failures));
    }
  }

  @Test
  void sigkillMidStreamWithTheRnnEncoder() throws Exception {
    sigkillMidStream("chaos-kill-rnn", "rnn", 1200, 250);
  }

  @Test
  void sigkillMidStreamWithTheCascade() throws Exception {
    sigkillMidStream("chaos-kill-cascade", "cascade", 1000, 250);
  }

  @Test
  void sigkillMidStreamWithTheAttentionEncoderAndAContextWindow() throws Exception {
    sigkillMidStream("chaos-kill-attention", "attention", 800, 500);
  }

  private void sigkillMidStream(String name, String encoder, int messages, long pauseMs) throws Exception {
    kafka.createTopics(4, name + "-in", name + "-out", name + "-out-dlq");
    double recovery;
    int beforeKill;
    CompletableFuture<List<Sent>> producing;
    try (PipelineProcess first = launch(name + "-first", app(name, encoder, "first"))) {
      first.awaitRunning(Duration.ofSeconds(90));
      producing = produceSlowly(name + "-in", 0, messages, pauseMs);
      awaitResults(name, 150, Duration.ofSeconds(90));
      first.kill();
      assertThat(producing).as("messages were still arriving when the instance died").isNotDone();
    }
    long killed = System.nanoTime();
    beforeKill = committedResults(name);
    try (PipelineProcess second = launch(name + "-second", app(name, encoder, "second"))) {
      awaitResults(name, beforeKill + 1, Duration.ofSeconds(90));
      recovery = secondsSince(killed);
      List<Sent> sent = producing.get(120, TimeUnit.SECONDS);
      Outcome outcome = readAll(name, positions(sent), 0);
      assertThat(second.isAlive()).as("the successor is still running (log: %s)", second.log).isTrue();
      assertThat(outcome.deadLetters()).isEmpty();
      String detail = "";
      if ("rnn".equals(encoder)) {
        assertRnnAsUninterrupted(outcome.results(), sent, Map.of());
      } else if ("cascade".equals(encoder)) {
        int reread = assertAsUninterrupted(outcome.results(), sent, Map.of(), CASCADE_THRESHOLD);
        assertThat(reread).as("the threshold splits the phrases").isBetween(1, outcome.results().size() - 1);
        detail = ", threshold " + CASCADE_THRESHOLD + ", " + reread + " re-read";
      } else {
        assertWindowsAsUninterrupted(outcome.results(), sent);
        detail = ", window " + WINDOW_TOKENS + " tokens";
      }
      report(String.format("SIGKILL mid-stream (%s%s, 4 partitions, fresh state dir): %d messages, %d results, "
              + "0 duplicates, all equal to an uninterrupted run (1e-5); %d results committed before the kill, the next "
              + "%.1f s after it (a new JVM, model load, the old member's session timeout of 6 s, restore)",
          encoder, detail, sent.size(),
          outcome.results().size(), beforeKill, recovery));
    }
  }

  /** How many results are committed now: read until nothing new arrives for 2 s. */
  private static int committedResults(String name) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = PipelineProcess.reader(kafka.bootstrapServers(), name + "-out")) {
      long idleSince = System.nanoTime();
      while (System.nanoTime() - idleSince < Duration.ofSeconds(2).toNanos()) {
        int before = out.size();
        consumer.poll(Duration.ofMillis(100)).forEach(out::add);
        if (out.size() > before) {
          idleSince = System.nanoTime();
        }
      }
    }
    return out.size();
  }

  @Test
  void aSecondInstanceJoinsMidStreamAndPartitionsMoveWithTheirStates() throws Exception {
    String name = "chaos-rebalance";
    kafka.createTopics(4, name + "-in", name + "-out", name + "-out-dlq");
    try (PipelineProcess a = launch(name + "-a", app(name, "cascade", "a"))) {
      a.awaitRunning(Duration.ofSeconds(90));
      CompletableFuture<List<Sent>> producing = produceSlowly(name + "-in", 0, 1200, 250);
      awaitResults(name, 150, Duration.ofSeconds(90));
      assertThat(producing).as("messages are still arriving when b joins").isNotDone();
      try (PipelineProcess b = launch(name + "-b", app(name, "cascade", "b"))) {
        List<Sent> sent = producing.get(120, TimeUnit.SECONDS);
        Outcome outcome = readAll(name, positions(sent), 0);
        assertThat(a.isAlive() && b.isAlive()).isTrue();
        // Instance b took tasks over from a: its log says which it initialised.
        assertThat(Files.readString(b.log)).contains("RNN state of model gru-sentiment3");
        int reread = assertAsUninterrupted(outcome.results(), sent, Map.of(), CASCADE_THRESHOLD);
        assertThat(reread).as("the threshold splits the phrases").isBetween(1, outcome.results().size() - 1);
        report(String.format("second instance joins mid-stream (cascade: the GRU's state moves, the transformer "
            + "re-reads %d; 4 partitions): %d messages, %d results, 0 duplicates, all equal to an uninterrupted run "
            + "(1e-5)", reread, sent.size(), outcome.results().size()));
      }
    }
  }

  @Test
  void theBrokerStopsAndRestartsMidStream() throws Exception {
    String name = "chaos-broker";
    kafka.createTopics(2, name + "-in", name + "-out", name + "-out-dlq");
    try (PipelineProcess run = launch(name, app(name, "rnn", "only"))) {
      run.awaitRunning(Duration.ofSeconds(90));
      CompletableFuture<List<Sent>> producing = produceSlowly(name + "-in", 0, 1000, 500);
      int beforeStop = awaitResults(name, 150, Duration.ofSeconds(90));
      assertThat(producing).as("messages are still arriving when the broker stops").isNotDone();
      kafka.stop();
      Thread.sleep(5_000);
      long restarted = System.nanoTime();
      kafka.restart();
      // More than the one commit interval's worth of results that may have been committed after the count.
      awaitResults(name, beforeStop + 50, Duration.ofSeconds(120));
      double recovery = secondsSince(restarted);
      List<Sent> sent = producing.get(120, TimeUnit.SECONDS);
      Outcome outcome = readAll(name, positions(sent), 0);
      assertThat(run.isAlive()).as("the application is still running (log: %s)", run.log).isTrue();
      assertThat(outcome.deadLetters()).isEmpty();
      assertRnnAsUninterrupted(outcome.results(), sent, Map.of());
      report(String.format("broker stopped for 5 s and restarted mid-stream (rnn, 2 partitions): %d messages, "
              + "%d results, 0 duplicates, all equal to an uninterrupted run (1e-5); 50 new results %.1f s after the "
              + "broker was back", sent.size(), outcome.results().size(), recovery));
    }
  }

  @Test
  void theRegistryStopsAndRestartsMidStreamWithAvroInput() throws Exception {
    String name = "chaos-registry";
    kafka.createTopics(2, name + "-in", name + "-out", name + "-out-dlq");
    int port = freePort();
    Schema v1 = SchemaBuilder.record("Chat").namespace("chaos").fields().requiredString("text").endRecord();
    Schema v2 = SchemaBuilder.record("Chat").namespace("chaos").fields().requiredString("text")
        .name("lang").type().stringType().stringDefault("en").endRecord();
    LocalSchemaRegistry own = LocalSchemaRegistry.start(kafka.bootstrapServers(), "_schemas_chaos", port);
    try {
      // The test's producer learns both schema ids now and serializes from its cache during the outage.
      HttpSchemaRegistryClient producerSide = new HttpSchemaRegistryClient(
          HttpSchemaRegistryClient.Settings.of(own.url()));
      ConfluentAvroSerializer<GenericData.Record> avro = new ConfluentAvroSerializer<>(producerSide,
          StreamNlpConfig.SubjectNameStrategy.TOPIC, true, false);
      avro.serialize(name + "-in", chat(v1, "warm up"));
      avro.serialize(name + "-in", chat(v2, "warm up"));
      Properties props = app(name, "attention", "only");
      props.put(StreamNlpConfig.SCHEMA_REGISTRY_URL_CONFIG, own.url());
      props.put(StreamNlpConfig.INPUT_FORMAT_CONFIG, "avro");
      props.remove(StreamNlpConfig.ATTENTION_WINDOW_TOKENS_CONFIG);
      List<Sent> sent = new ArrayList<>();
      try (PipelineProcess run = launch(name, props)) {
        sent.addAll(produceAvro(name + "-in", avro, v1, 0, 150));
        awaitResults(name, 150, Duration.ofSeconds(90));
        own.close();
        // Records of a schema the application has not seen yet: it must ask the registry, which is down.
        sent.addAll(produceAvro(name + "-in", avro, v2, 150, 300));
        Thread.sleep(12_000);
        assertThat(run.isAlive()).as("waiting out the outage (log: %s)", run.log).isTrue();
        long restarted = System.nanoTime();
        own = LocalSchemaRegistry.start(kafka.bootstrapServers(), "_schemas_chaos", port);
        awaitResults(name, 300, Duration.ofSeconds(120));
        double recovery = secondsSince(restarted);
        Outcome outcome = readAll(name, positions(sent), 0, own.url());
        assertThat(run.isAlive()).as("the application is still running (log: %s)", run.log).isTrue();
        assertThat(outcome.deadLetters()).as("no good record dead-lettered").isEmpty();
        assertThat(outcome.results()).hasSize(300);
        report(String.format("schema registry down for 12 s mid-stream (avro input, attention): %d messages, %d "
                + "results, 0 dead letters, 0 duplicates; all results %.1f s after the registry was back",
            sent.size(), outcome.results().size(), recovery));
      }
    } finally {
      own.close();
    }
  }

  private static GenericData.Record chat(Schema schema, String text) {
    GenericData.Record r = new GenericData.Record(schema);
    r.put("text", text);
    if (schema.getField("lang") != null) {
      r.put("lang", "en");
    }
    return r;
  }

  private static List<Sent> produceAvro(String topic, ConfluentAvroSerializer<GenericData.Record> avro,
                                        Schema schema, int from, int to) throws Exception {
    return produce(topic, from, to, 0, i -> avro.serialize(topic, chat(schema, text(i))));
  }

  @Test
  void damagedChangelogRecordsBeforeARestoreHealTheirKeysAndLoseNothing() throws Exception {
    String name = "chaos-damaged";
    kafka.createTopics(2, name + "-in", name + "-out", name + "-out-dlq");
    List<Sent> sent = new ArrayList<>(produceSlowly(name + "-in", 0, 400).get(60, TimeUnit.SECONDS));
    try (PipelineProcess first = launch(name + "-first", app(name, "rnn", "first"))) {
      awaitResults(name, 400, Duration.ofSeconds(90));
    }
    // While no instance runs: a state record no version can read, for one key, and a damaged buffer entry.
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (KafkaProducer<byte[], byte[]> producer =
             new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(name + "-" + "streamnlp-rnn-state" + "-changelog",
          utf8("key-3"), new byte[] {9, 9, 9})).get();
      producer.send(new ProducerRecord<>(name + "-" + "streamnlp-batch-buffer" + "-changelog", 0,
          new LongSerializer().serialize("", 1_000_000L), utf8("damaged"))).get();
    }
    sent.addAll(produceSlowly(name + "-in", 400, 800).get(60, TimeUnit.SECONDS));
    long started = System.nanoTime();
    // A fresh state directory: everything is restored from the changelogs, damage included.
    try (PipelineProcess second = launch(name + "-second", app(name, "rnn", "second"))) {
      awaitResults(name, 800, Duration.ofSeconds(120));
      double recovery = secondsSince(started);
      Outcome outcome = readAll(name, positions(sent), 1);
      assertThat(second.isAlive()).as("the application is still running (log: %s)", second.log).isTrue();
      assertThat(outcome.deadLetters()).singleElement().satisfies(letter -> {
        assertThat(header(letter, DeadLetterHeaders.REASON)).isEqualTo("STATE_UNREADABLE");
        assertThat(new String(letter.value(), StandardCharsets.UTF_8)).isEqualTo("damaged");
      });
      // key-3 starts over with its first message after the restore; every other key continues.
      assertRnnAsUninterrupted(outcome.results(), sent, Map.of("key-3", 50));
      assertThat(Files.readString(second.log)).contains("could not be read; the key starts over");
      report(String.format("damaged RNN-state and buffer changelog records before a restore (rnn, fresh state "
              + "dir): %d messages, %d results, 1 STATE_UNREADABLE dead letter, 0 duplicates, the damaged key "
              + "restarted from the zero state and the other 7 equal to an uninterrupted run (1e-5); all 400 new "
              + "results %.1f s after the new instance started (JVM, model, restore)", sent.size(),
          outcome.results().size(), recovery));
    }
  }
}
