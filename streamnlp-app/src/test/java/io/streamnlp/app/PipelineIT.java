package io.streamnlp.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnlp.StreamNlp;
import io.streamnlp.avro.TextEncoding;
import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.local.LocalSchemaRegistry;
import io.streamnlp.local.TopicRecords;
import io.streamnlp.model.internals.ContextualEncoder;
import io.streamnlp.model.internals.EncoderResult;
import io.streamnlp.model.internals.ModelDirectory;
import io.streamnlp.model.internals.OnnxModel;
import io.streamnlp.serde.ConfluentAvroDeserializer;
import io.streamnlp.serde.HttpSchemaRegistryClient;
import io.streamnlp.serde.SchemaRegistryException;
import io.streamnlp.stream.DeadLetterHeaders;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole pipeline on a real KRaft broker and a registry reached over HTTP. */
class PipelineIT extends LocalClusterIT {
  @TempDir
  Path stateDir;

  private Properties pipeline(String name, Map<String, String> overrides) {
    Properties p = pipeline(name, stateDir);
    p.put(StreamNlpConfig.BATCH_SIZE_CONFIG, "8");
    p.put(StreamNlpConfig.BATCH_MAX_WAIT_MS_CONFIG, "50");
    p.putAll(overrides);
    return p;
  }

  /** Produces the records and returns where each one landed, as "partition@offset". */
  private static List<String> produce(String topic, List<byte[][]> keyValues) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    List<String> positions = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer =
             new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (byte[][] kv : keyValues) {
        RecordMetadata md = producer.send(new ProducerRecord<>(topic, kv[0], kv[1])).get();
        positions.add(md.partition() + "@" + md.offset());
      }
    }
    return positions;
  }

  private static List<ConsumerRecord<byte[], byte[]>> consume(String topic, int expected, Duration timeout) {
    return TopicRecords.readCommitted(kafka.bootstrapServers(), topic, expected, timeout);
  }

  private static List<TextEncoding> decode(StreamNlp nlp, List<ConsumerRecord<byte[], byte[]>> records) {
    List<TextEncoding> results = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      results.add(nlp.resultSerde().deserializer().deserialize(r.topic(), r.value()));
    }
    return results;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aModelTrainedByTrainStreamsLikeAnyOther() throws Exception {
    Path data = stateDir.resolve("intents-train.csv");
    try (java.io.InputStream in = getClass().getResourceAsStream("/training/intents-train.csv")) {
      java.nio.file.Files.copy(in, data);
    }
    Path model = stateDir.resolve("models/intents");
    CliRun trained = CliRun.run("train", "--data", data.toString(), "--out", model.toString(), "--c", "10");
    assertThat(trained.code()).as(trained.err()).isZero();

    String name = "trained";
    kafka.createTopics(1, name + "-in", name + "-out", name + "-out-dlq");
    produce(name + "-in", List.<byte[][]>of(new byte[][] {utf8("a"), utf8("Somebody stole my card last night")},
        new byte[][] {utf8("b"), utf8("Where is the refund for my returned parcel?")},
        new byte[][] {utf8("c"), utf8("What rate do you use to change pounds into euros?")}));
    try (StreamNlp nlp = StreamNlp.create(pipeline(name, Map.of(StreamNlpConfig.MODEL_DIR_CONFIG, model.toString())));
         StreamsRunner runner = new StreamsRunner(nlp, new Properties())) {
      runner.start();
      List<TextEncoding> results = decode(nlp, consume(name + "-out", 3, Duration.ofSeconds(90)));
      assertThat(results).extracting(r -> r.getModel().getName()).containsOnly("intents");
      assertThat(results).extracting(TextEncoding::getLabel).containsExactly("card_lost", "refund", "exchange_rate");
      assertThat(results.get(0).getScores()).containsOnlyKeys("card_lost", "exchange_rate", "refund");
      assertThat(results.get(0).getPolarity()).as("no polar labels declared").isNull();
    }
  }

  @Test
  void encodesEveryMessageOnceAndDeadLettersBadOnes() throws Exception {
    String name = "e2e";
    kafka.createTopics(3, name + "-in", name + "-out", name + "-out-dlq");
    String[] positive = {"I love this, it is wonderful!", "Fantastic service, thank you so much."};
    String[] negative = {"This is terrible, I hate it.", "Worst experience ever, totally broken."};
    List<byte[][]> input = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      boolean pos = i % 2 == 0;
      String text = (pos ? positive : negative)[(i / 2) % 2] + " #" + i;
      input.add(new byte[][] {utf8("user-" + (i % 5)), utf8(text)});
    }
    input.add(new byte[][] {utf8("bad-1"), new byte[] {'x', (byte) 0xFF}});
    input.add(new byte[][] {utf8("bad-2"), new byte[0]});
    List<String> landed = produce(name + "-in", input);
    Map<String, String> expectedLabel = new HashMap<>();
    for (int i = 0; i < 40; i++) {
      expectedLabel.put(landed.get(i), i % 2 == 0 ? "positive" : "negative");
    }

    try (StreamNlp nlp = StreamNlp.create(pipeline(name, Map.of()));
         StreamsRunner runner = new StreamsRunner(nlp, new Properties())) {
      runner.start();
      assertThat(runner.awaitRunning(Duration.ofSeconds(60))).isTrue();
      List<ConsumerRecord<byte[], byte[]>> out = consume(name + "-out", 40, Duration.ofSeconds(90));
      List<ConsumerRecord<byte[], byte[]>> dlq = consume(name + "-out-dlq", 2, Duration.ofSeconds(30));

      // Decode with an independent client, as any consumer of the topic would.
      ConfluentAvroDeserializer<TextEncoding> reader = new ConfluentAvroDeserializer<>(
          new HttpSchemaRegistryClient(HttpSchemaRegistryClient.Settings.of(registry.url())),
          TextEncoding.getClassSchema());
      assertThat(out).hasSize(40);
      Set<String> positions = new HashSet<>();
      for (ConsumerRecord<byte[], byte[]> r : out) {
        TextEncoding e = reader.deserialize(r.topic(), r.value());
        String position = e.getSource().getPartition() + "@" + e.getSource().getOffset();
        positions.add(position);
        assertThat(e.getLabel()).as("label of the message at " + position).isEqualTo(expectedLabel.get(position));
        assertThat(e.getSource().getTopic()).isEqualTo(name + "-in");
        assertThat(e.getModel().getName()).isEqualTo("minilm-l6-sentiment3");
        assertThat(e.getScores()).containsOnlyKeys("negative", "neutral", "positive");
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).startsWith("user-");
        assertThat(StandardCharsets.UTF_8.decode(e.getKey()).toString()).isEqualTo(
            new String(r.key(), StandardCharsets.UTF_8));
        assertThat(e.getBatchSize()).isBetween(1, 8);
      }
      assertThat(positions).as("one result per input offset").isEqualTo(expectedLabel.keySet());

      assertThat(dlq).hasSize(2);
      Map<String, String> reasons = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> r : dlq) {
        reasons.put(new String(r.key(), StandardCharsets.UTF_8),
            new String(r.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8));
      }
      assertThat(reasons).containsEntry("bad-1", "INVALID_UTF8").containsEntry("bad-2", "EMPTY_VALUE");
      assertThat(runner.streams().state().isRunningOrRebalancing()).as("bad input did not stop the app").isTrue();
    }
  }

  @Test
  void tagsKnownSentencesCorrectlyThroughTheBroker() throws Exception {
    String name = "tags";
    kafka.createTopics(1, name + "-in", name + "-out", name + "-out-dlq");
    produce(name + "-in", List.of(
        new byte[][] {utf8("a"), utf8("I absolutely love it, best day ever!")},
        new byte[][] {utf8("b"), utf8("I am so angry, this is a disaster.")}));
    try (StreamNlp nlp = StreamNlp.create(pipeline(name, Map.of()));
         StreamsRunner runner = new StreamsRunner(nlp, new Properties())) {
      runner.start();
      List<ConsumerRecord<byte[], byte[]>> out = consume(name + "-out", 2, Duration.ofSeconds(90));
      assertThat(out).hasSize(2);
      assertThat(decode(nlp, out)).extracting(TextEncoding::getLabel).containsExactly("positive", "negative");
    }
  }

  @Test
  void bufferedMessagesSurviveARestartAndAreEncodedExactlyOnce() throws Exception {
    String name = "restart";
    kafka.createTopics(1, name + "-in", name + "-out", name + "-out-dlq");
    produce(name + "-in", List.of(
        new byte[][] {utf8("k"), utf8("first message")},
        new byte[][] {utf8("k"), utf8("second message")},
        new byte[][] {utf8("k"), utf8("third message")}));

    // A batch that never fills and a wait that never ends: the messages stay buffered while the input
    // offsets are committed, then the instance is stopped.
    try (StreamNlp nlp = StreamNlp.create(pipeline(name, Map.of(StreamNlpConfig.BATCH_SIZE_CONFIG, "100",
        StreamNlpConfig.BATCH_MAX_WAIT_MS_CONFIG, "3600000")));
         StreamsRunner runner = new StreamsRunner(nlp, new Properties())) {
      runner.start();
      assertThat(runner.awaitRunning(Duration.ofSeconds(60))).isTrue();
      TopicPartition tp = new TopicPartition(name + "-in", 0);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      long committed = -1;
      try (var admin = kafka.admin()) {
        while (committed < 3 && System.nanoTime() < deadline) {
          OffsetAndMetadata o = admin.listConsumerGroupOffsets(name).partitionsToOffsetAndMetadata().get().get(tp);
          committed = o == null ? -1 : o.offset();
          Thread.sleep(100);
        }
      }
      assertThat(committed).as("input offsets committed while the messages are buffered").isEqualTo(3);
    }
    assertThat(consume(name + "-out", 1, Duration.ofSeconds(2))).as("nothing was encoded yet").isEmpty();

    try (StreamNlp nlp = StreamNlp.create(pipeline(name, Map.of()));
         StreamsRunner runner = new StreamsRunner(nlp, new Properties())) {
      runner.start();
      List<ConsumerRecord<byte[], byte[]>> out = consume(name + "-out", 3, Duration.ofSeconds(90));
      assertThat(out).hasSize(3);
      assertThat(decode(nlp, out)).extracting(e -> e.getSource().getOffset()).containsExactly(0L, 1L, 2L);
    }
  }

  @Test
  void aKeysContextWindowSurvivesARestartOnAnotherMachine() throws Exception {
    String name = "window";
    kafka.createTopics(1, name + "-in", name + "-out", name + "-out-dlq");
    Map<String, String> windowed = Map.of(StreamNlpConfig.ATTENTION_WINDOW_TOKENS_CONFIG, "64",
        StreamNlpConfig.ATTENTION_WINDOW_MS_CONFIG, "0", StreamNlpConfig.BATCH_SIZE_CONFIG, "1",
        // Kafka Streams does not leave the group on close: let the next instance take over sooner.
        StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "10000");
    String earlier = "i hated every minute of this film";
    produce(name + "-in", List.<byte[][]>of(new byte[][] {utf8("alice"), utf8(earlier)}));
    try (StreamNlp nlp = StreamNlp.create(pipeline(name, windowed));
         StreamsRunner runner = new StreamsRunner(nlp, new Properties())) {
      runner.start();
      assertThat(consume(name + "-out", 1, Duration.ofSeconds(90))).hasSize(1);
    }
    // A new instance with empty local state, as on another machine: the window comes back from the changelog.
    Map<String, String> elsewhere = new HashMap<>(windowed);
    elsewhere.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve("elsewhere").toString());
    produce(name + "-in", List.<byte[][]>of(new byte[][] {utf8("alice"), utf8("me too")}));
    try (StreamNlp nlp = StreamNlp.create(pipeline(name, elsewhere));
         StreamsRunner runner = new StreamsRunner(nlp, new Properties())) {
      runner.start();
      List<TextEncoding> results = decode(nlp, consume(name + "-out", 2, Duration.ofSeconds(90)));
      assertThat(results).hasSize(2);
      try (OnnxModel model = OnnxModel.load(ModelDirectory.open(nlp.config().modelDir()),
               OnnxModel.RuntimeOptions.cpu(), 128);
           ContextualEncoder encoder = model.newContextualEncoder(1, false)) {
        long[] ids = model.tokenizer().tokenize(earlier).ids();
        long[] context = java.util.Arrays.copyOfRange(ids, 1, ids.length - 1);
        EncoderResult expected = encoder.encode(List.of(model.tokenizer().tokenize("me too")),
            java.util.Arrays.asList(context)).get(0);
        assertThat(results.get(1).getScores().get("positive"))
            .isCloseTo(expected.scores()[2], org.assertj.core.api.Assertions.within(1e-5f));
        assertThat(results.get(1).getLabel()).isEqualTo(model.info().labels().get(expected.labelIndex()));
      }
    }
  }

  private static String get(HttpClient http, String url) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(url).isEqualTo(200);
    return r.body();
  }

  @Test
  void localRegistryKeepsSchemasInKafkaAcrossRestartsAndChecksCompatibility() throws Exception {
    Schema v1 = SchemaBuilder.record("Event").namespace("it").fields().requiredString("a").endRecord();
    Schema v2 = SchemaBuilder.record("Event").namespace("it").fields().requiredString("a")
        .name("b").type().intType().intDefault(0).endRecord();
    Schema incompatible = SchemaBuilder.record("Event").namespace("it").fields().requiredInt("c").endRecord();
    int id1;
    int id2;
    try (LocalSchemaRegistry r = LocalSchemaRegistry.start(kafka.bootstrapServers(), "_schemas_restart", 0)) {
      HttpSchemaRegistryClient c = new HttpSchemaRegistryClient(HttpSchemaRegistryClient.Settings.of(r.url()));
      id1 = c.register("events-value", v1);
      id2 = c.register("events-value", v2);
      assertThat(id2).isNotEqualTo(id1);
      assertThat(c.register("other-value", v1)).as("same schema, same global id").isEqualTo(id1);
      assertThatThrownBy(() -> c.register("events-value", incompatible))
          .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.status()).isEqualTo(409));

      HttpClient http = HttpClient.newHttpClient();
      assertThat(get(http, r.url() + "/subjects/events-value/versions")).isEqualTo("[1,2]");
      assertThat(get(http, r.url() + "/subjects/events-value/versions/latest"))
          .contains("\"version\":2", "\"id\":" + id2);
      assertThat(get(http, r.url() + "/subjects")).contains("events-value", "other-value");
      HttpResponse<String> invalid = http.send(HttpRequest.newBuilder(URI.create(r.url() + "/subjects/x/versions"))
          .header("Content-Type", "application/vnd.schemaregistry.v1+json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"schema\":\"{\\\"type\\\":\\\"nope\\\"}\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(invalid.statusCode()).isEqualTo(422);
      assertThat(invalid.body()).contains("42201");
    }
    try (LocalSchemaRegistry r = LocalSchemaRegistry.start(kafka.bootstrapServers(), "_schemas_restart", 0)) {
      HttpSchemaRegistryClient c = new HttpSchemaRegistryClient(HttpSchemaRegistryClient.Settings.of(r.url()));
      assertThat(c.schemaById(id1)).isEqualTo(v1);
      assertThat(c.schemaById(id2)).isEqualTo(v2);
      assertThat(c.idOf("events-value", v2)).isEqualTo(id2);
      Schema v3 = SchemaBuilder.record("Event").namespace("it").fields().requiredString("a")
          .name("b").type().intType().intDefault(0).name("x").type().stringType().stringDefault("").endRecord();
      assertThat(c.register("events-value", v3)).as("ids continue after a restart").isGreaterThan(id2);
    }
    assertThat(Files.exists(stateDir)).isTrue();
  }
}
