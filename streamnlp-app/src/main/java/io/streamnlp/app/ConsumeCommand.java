package io.streamnlp.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnlp.local.LocalEnvironment;
import io.streamnlp.serde.ConfluentAvroDeserializer;
import io.streamnlp.serde.HttpSchemaRegistryClient;
import io.streamnlp.serde.internals.ConfluentWireFormat;
import io.streamnlp.stream.DeadLetterHeaders;
import io.streamnlp.text.internals.Utf8;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.avro.generic.GenericData;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code streamnlp consume}: prints a topic from its beginning as JSON lines, committed records only: results
 * decoded through the schema registry, dead letters with their reason, anything else as text.
 */
@Command(name = "consume", mixinStandardHelpOptions = true,
    description = "Print the records of topics from their beginning, one JSON line each: Avro results decoded "
        + "through the schema registry, dead letters with their reason, other values as text.")
final class ConsumeCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec
  CommandSpec spec;

  @Option(names = "--bootstrap-servers", defaultValue = "127.0.0.1:" + LocalEnvironment.DEFAULT_BROKER_PORT,
      description = "Kafka (default ${DEFAULT-VALUE}, where 'streamnlp local' listens).")
  String bootstrapServers;

  @Option(names = "--schema-registry-url", defaultValue = "http://127.0.0.1:" + LocalEnvironment.DEFAULT_REGISTRY_PORT,
      description = "Schema registry (default ${DEFAULT-VALUE}).")
  String registryUrl;

  @Option(names = "--topic", required = true, description = "Topic to read (repeatable, e.g. results and their "
      + "dead-letter topic).")
  List<String> topics;

  @Option(names = "--max-messages", defaultValue = "0",
      description = "Stop after this many records (default: run until Ctrl-C).")
  int maxMessages;

  @Option(names = "--timeout-ms", defaultValue = "0",
      description = "Stop when nothing new arrived for this long (default: never).")
  long timeoutMs;

  @Override
  public Integer call() throws Exception {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "streamnlp-consume-" + System.nanoTime());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    PrintWriter out = spec.commandLine().getOut();
    ConfluentAvroDeserializer<Object> avro = new ConfluentAvroDeserializer<>(
        new HttpSchemaRegistryClient(HttpSchemaRegistryClient.Settings.of(registryUrl)), null);
    int printed = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
             new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(topics);
      long lastSeen = System.nanoTime();
      while (maxMessages == 0 || printed < maxMessages) {
        boolean any = false;
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          out.println(line(r, avro));
          printed++;
          any = true;
          if (maxMessages > 0 && printed >= maxMessages) {
            break;
          }
        }
        out.flush();
        if (any) {
          lastSeen = System.nanoTime();
        } else if (timeoutMs > 0 && System.nanoTime() - lastSeen > timeoutMs * 1_000_000) {
          break;
        }
      }
    }
    return 0;
  }

  static String line(ConsumerRecord<byte[], byte[]> r, ConfluentAvroDeserializer<Object> avro) throws Exception {
    ObjectNode json = JSON.createObjectNode();
    json.put("topic", r.topic()).put("partition", r.partition()).put("offset", r.offset());
    json.put("key", r.key() == null ? null : text(r.key()));
    Header reason = r.headers().lastHeader(DeadLetterHeaders.REASON);
    if (reason != null) {
      ObjectNode dead = json.putObject("deadLetter");
      for (Header h : r.headers()) {
        if (h.key().startsWith(DeadLetterHeaders.PREFIX) && h.value() != null) {
          dead.put(h.key().substring(DeadLetterHeaders.PREFIX.length()), text(h.value()));
        }
      }
      json.put("value", r.value() == null ? null : text(r.value()));
      return JSON.writeValueAsString(json);
    }
    if (r.value() != null && r.value().length > ConfluentWireFormat.HEADER_SIZE && r.value()[0] == 0) {
      Object datum = avro.deserialize(r.topic(), r.value());
      json.set("value", JSON.readTree(GenericData.get().toString(datum)));
      return JSON.writeValueAsString(json);
    }
    json.put("value", r.value() == null ? null : text(r.value()));
    return JSON.writeValueAsString(json);
  }

  /** UTF-8 text, or for bytes that are not, their size. */
  private static String text(byte[] bytes) {
    String text = Utf8.decodeOrNull(bytes);
    return text != null ? text : "<" + bytes.length + " bytes, not UTF-8>";
  }
}
