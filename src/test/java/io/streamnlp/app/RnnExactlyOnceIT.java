package io.streamnlp.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamnlp.avro.TextEncoding;
import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.model.ModelDirectory;
import io.streamnlp.model.OnnxModel;
import io.streamnlp.model.RecurrentEncoder;
import io.streamnlp.model.RecurrentResult;
import io.streamnlp.serde.ConfluentAvroDeserializer;
import io.streamnlp.serde.HttpSchemaRegistryClient;
import java.io.File;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * encoder=rnn with exactly_once_v2 on a real broker: an instance running in a child JVM is killed with
 * SIGKILL mid-stream while messages keep arriving, a new instance (fresh local state, restored from the
 * changelog) takes over, and every input offset has exactly one result whose embedding equals an
 * uninterrupted sequential run of the key's messages.
 */
class RnnExactlyOnceIT extends LocalClusterIT {
  private static final int MESSAGES = 1600;
  private static final int KEYS = 8;
  private static final String[] PHRASES = {"the plot is thin", "but the cast is great", "i loved the music",
      "the ending dragged", "what a waste of time", "truly moving", "not bad at all", "the jokes fall flat",
      "gorgeous photography", "i want my money back", "a warm and funny film", "boring"};

  @TempDir
  Path dir;

  private static String text(int i) {
    return PHRASES[(i * 7 + i / KEYS) % PHRASES.length];
  }

  private Path config(String name, String instance) throws Exception {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, name);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "1");
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
    // A killed member is noticed after this long, instead of the default 45 s.
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "10000");
    // Each instance has its own local state, as on another machine: the survivor restores from changelogs.
    p.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state-" + instance).toString());
    p.put(StreamNlpConfig.ENCODER_CONFIG, "rnn");
    p.put(StreamNlpConfig.INPUT_TOPICS_CONFIG, name + "-in");
    p.put(StreamNlpConfig.OUTPUT_TOPIC_CONFIG, name + "-out");
    p.put(StreamNlpConfig.SCHEMA_REGISTRY_URL_CONFIG, registry.url());
    p.put(StreamNlpConfig.BATCH_SIZE_CONFIG, "16");
    p.put(StreamNlpConfig.BATCH_MAX_WAIT_MS_CONFIG, "20");
    p.put(StreamNlpConfig.OUTPUT_FIELDS_CONFIG, "label,embedding");
    Path file = dir.resolve(instance + ".properties");
    try (Writer w = Files.newBufferedWriter(file)) {
      p.store(w, null);
    }
    return file;
  }

  /**
   * streamnlp run in a child JVM with this test's classpath, given as a manifest-only jar the way
   * {@code java -jar streamnlp.jar} gets it: ONNX Runtime 1.29.0's native loader crashed the JVM (SIGSEGV, no
   * output) when {@code java.class.path} itself was several kilobytes long, as Maven's test classpath is.
   */
  private Process launch(Path config, String instance) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // Kept under target/ so a failure can be read after the test's temporary directory is gone.
    File log = Path.of("target", "rnn-eos-" + instance + ".log").toFile();
    return new ProcessBuilder(java, "-Xmx1g", "-cp", classpathJar().toString(),
        StreamNlpCli.class.getName(), "run", "--config", config.toString())
        .redirectErrorStream(true).redirectOutput(log).start();
  }

  private Path classpathJar() throws Exception {
    Path jar = dir.resolve("classpath.jar");
    if (!Files.exists(jar)) {
      StringBuilder entries = new StringBuilder();
      for (String element : System.getProperty("java.class.path").split(File.pathSeparator)) {
        if (!element.isBlank()) {
          entries.append(entries.length() == 0 ? "" : " ").append(Path.of(element).toUri());
        }
      }
      java.util.jar.Manifest manifest = new java.util.jar.Manifest();
      manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
      manifest.getMainAttributes().put(java.util.jar.Attributes.Name.CLASS_PATH, entries.toString());
      // The manifest is the whole jar.
      new java.util.jar.JarOutputStream(Files.newOutputStream(jar), manifest).close();
    }
    return jar;
  }

  private static KafkaConsumer<byte[], byte[]> reader(String topic) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + System.nanoTime());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic));
    return consumer;
  }

  private static void pollUntil(KafkaConsumer<byte[], byte[]> consumer, List<ConsumerRecord<byte[], byte[]>> into,
                                int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (into.size() < count && System.nanoTime() < deadline) {
      consumer.poll(Duration.ofMillis(100)).forEach(into::add);
    }
  }

  /** Waits for the producer, then for all results; a duplicate would show up after that, so read on a bit. */
  private static void readEverything(CompletableFuture<Void> producing, KafkaConsumer<byte[], byte[]> consumer,
                                     List<ConsumerRecord<byte[], byte[]>> out) throws Exception {
    producing.get(120, TimeUnit.SECONDS);
    pollUntil(consumer, out, MESSAGES, Duration.ofSeconds(120));
    long settle = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    while (System.nanoTime() < settle) {
      consumer.poll(Duration.ofMillis(100)).forEach(out::add);
    }
  }

  @Test
  void killedMidStreamThenReplacedEachMessageAdvancesItsKeysStateExactlyOnce() throws Exception {
    String name = "rnn-eos";
    kafka.createTopics(2, name + "-in", name + "-out", name + "-out-dlq");
    // Messages keep arriving at about 400/s during the whole run, crash included.
    CompletableFuture<Void> producing = produceSlowly(name + "-in");

    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    int seenBeforeKill;
    try (KafkaConsumer<byte[], byte[]> consumer = reader(name + "-out")) {
      Process first = launch(config(name, "first"), "first");
      try {
        pollUntil(consumer, out, 200, Duration.ofSeconds(90));
        assertThat(out).as("the first instance's output (log: target/rnn-eos-first.log)")
            .hasSizeGreaterThanOrEqualTo(200);
      } finally {
        first.destroyForcibly(); // SIGKILL: no shutdown hook, no commit, no flush
        first.waitFor(30, TimeUnit.SECONDS);
      }
      seenBeforeKill = out.size();
      assertThat(producing).as("messages were still arriving when the instance died").isNotDone();

      Process second = launch(config(name, "second"), "second");
      try {
        readEverything(producing, consumer, out);
      } finally {
        second.destroy();
        second.waitFor(30, TimeUnit.SECONDS);
      }
    }
    assertThat(seenBeforeKill).isLessThan(MESSAGES);
    assertEachMessageAppliedOnceAsAnUninterruptedRun(out);
  }

  @Test
  void aSecondInstanceJoinsMidStreamAndPartitionsMoveWithTheirStates() throws Exception {
    String name = "rnn-rebalance";
    kafka.createTopics(4, name + "-in", name + "-out", name + "-out-dlq");
    CompletableFuture<Void> producing = produceSlowly(name + "-in");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = reader(name + "-out")) {
      Process first = launch(config(name, "a"), "a");
      Process second = null;
      try {
        pollUntil(consumer, out, 200, Duration.ofSeconds(90));
        assertThat(out).as("instance a's output (log: target/rnn-eos-a.log)").hasSizeGreaterThanOrEqualTo(200);
        second = launch(config(name, "b"), "b");
        readEverything(producing, consumer, out);
      } finally {
        first.destroy();
        first.waitFor(30, TimeUnit.SECONDS);
        if (second != null) {
          second.destroy();
          second.waitFor(30, TimeUnit.SECONDS);
        }
      }
    }
    // Instance b took tasks over from a: its log says which it initialised.
    assertThat(Files.readString(Path.of("target", "rnn-eos-b.log"))).contains("RNN state of model gru-sst2");
    assertEachMessageAppliedOnceAsAnUninterruptedRun(out);
  }

  private static CompletableFuture<Void> produceSlowly(String topic) {
    return CompletableFuture.runAsync(() -> {
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      try (KafkaProducer<byte[], byte[]> producer =
               new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
        for (int i = 0; i < MESSAGES; i++) {
          producer.send(new ProducerRecord<>(topic, ("key-" + i % KEYS).getBytes(StandardCharsets.UTF_8),
              text(i).getBytes(StandardCharsets.UTF_8))).get();
          if (i % 40 == 39) {
            Thread.sleep(100);
          }
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /**
   * Exactly one result per input offset, each key's results numbered 1..n in offset order, and each
   * embedding equal (1e-5) to running the key's messages through the model one after another.
   */
  private static void assertEachMessageAppliedOnceAsAnUninterruptedRun(List<ConsumerRecord<byte[], byte[]>> out)
      throws Exception {
    ConfluentAvroDeserializer<TextEncoding> avro = new ConfluentAvroDeserializer<>(
        new HttpSchemaRegistryClient(HttpSchemaRegistryClient.Settings.of(registry.url())),
        TextEncoding.getClassSchema());
    List<TextEncoding> results = new ArrayList<>();
    Set<String> positions = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> r : out) {
      TextEncoding e = avro.deserialize(r.topic(), r.value());
      results.add(e);
      positions.add(e.getSource().getPartition() + "@" + e.getSource().getOffset());
    }
    assertThat(results).as("one result per input message").hasSize(MESSAGES);
    assertThat(positions).as("no input offset encoded twice").hasSize(MESSAGES);

    // The reference: each key's messages through the model one after another, never interrupted.
    Map<String, List<TextEncoding>> byKey = new HashMap<>();
    for (TextEncoding e : results) {
      byKey.computeIfAbsent(StandardCharsets.UTF_8.decode(e.getKey().duplicate()).toString(), k -> new ArrayList<>())
          .add(e);
    }
    assertThat(byKey).hasSize(KEYS);
    try (OnnxModel model = OnnxModel.load(ModelDirectory.open("classpath:models/gru-sst2"),
        OnnxModel.RuntimeOptions.cpu(), 128);
         RecurrentEncoder encoder = model.newRecurrentEncoder(1)) {
      for (int k = 0; k < KEYS; k++) {
        List<TextEncoding> keyed = byKey.get("key-" + k);
        keyed.sort(Comparator.comparingLong(e -> e.getSource().getOffset()));
        assertThat(keyed).hasSize(MESSAGES / KEYS);
        float[] state = null;
        for (int n = 0; n < keyed.size(); n++) {
          TextEncoding e = keyed.get(n);
          RecurrentResult want = encoder.encode(List.of(model.tokenizer().tokenize(text(n * KEYS + k))),
              Arrays.asList(state)).get(0);
          state = want.finalState();
          assertThat(e.getStateSteps()).as("key-%d message %d", k, n).isEqualTo(n + 1L);
          float[] got = new float[e.getEmbedding().size()];
          for (int d = 0; d < got.length; d++) {
            got[d] = e.getEmbedding().get(d);
          }
          assertThat(got).as("key-%d message %d", k, n).containsExactly(want.result().embedding(), within(1e-5f));
        }
      }
    }
  }
}
