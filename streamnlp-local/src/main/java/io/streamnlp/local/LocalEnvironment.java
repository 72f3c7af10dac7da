package io.streamnlp.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A local cluster for trying streamnlp on one's own text: the in-process KRaft broker and the local
 * development schema registry, with the topics asked for. With a data directory, topics, messages and
 * schemas survive a restart; without one, everything lives in a temporary directory deleted on close.
 */
public final class LocalEnvironment implements AutoCloseable {
  /** Where Kafka and Confluent's registry listen by default, so that their usual client settings work. */
  public static final int DEFAULT_BROKER_PORT = 9092;
  public static final int DEFAULT_REGISTRY_PORT = 8081;

  private final LocalKafkaCluster kafka;
  private final LocalSchemaRegistry registry;
  private final List<NewTopic> topics;

  private LocalEnvironment(LocalKafkaCluster kafka, LocalSchemaRegistry registry, List<NewTopic> topics) {
    this.kafka = kafka;
    this.registry = registry;
    this.topics = topics;
  }

  /** A topic as given on the command line: {@code NAME} or {@code NAME:PARTITIONS}. */
  public static NewTopic topic(String spec) {
    String[] parts = spec.trim().split(":");
    if (parts.length > 2 || parts[0].isBlank()) {
      throw new IllegalArgumentException("--topic '" + spec + "': expected NAME or NAME:PARTITIONS");
    }
    int partitions = 1;
    if (parts.length == 2) {
      try {
        partitions = Integer.parseInt(parts[1].trim());
      } catch (NumberFormatException e) {
        partitions = 0;
      }
      if (partitions < 1) {
        throw new IllegalArgumentException("--topic '" + spec + "': the partition count must be a positive number");
      }
    }
    return new NewTopic(parts[0].trim(), partitions, (short) 1);
  }

  /**
   * @param dataDir      where the broker keeps its data across restarts; null for a temporary directory
   * @param brokerPort   0 for any free port
   * @param registryPort 0 for any free port
   */
  public static LocalEnvironment start(Path dataDir, int brokerPort, int registryPort, List<NewTopic> topics)
      throws Exception {
    LocalKafkaCluster kafka = dataDir == null
        ? LocalKafkaCluster.start(Files.createTempDirectory("streamnlp-local"), brokerPort, true)
        : LocalKafkaCluster.start(dataDir, brokerPort, false);
    try {
      LocalSchemaRegistry registry = LocalSchemaRegistry.start(kafka.bootstrapServers(), "_schemas", registryPort);
      List<NewTopic> created = new ArrayList<>(topics);
      if (!created.isEmpty()) {
        Topics.createIfAbsent(kafka.bootstrapServers(), created);
      }
      return new LocalEnvironment(kafka, registry, List.copyOf(created));
    } catch (Exception | Error e) {
      kafka.close();
      throw e;
    }
  }

  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  public String schemaRegistryUrl() {
    return registry.url();
  }

  public List<NewTopic> topics() {
    return topics;
  }


  @Override
  public void close() throws Exception {
    try {
      registry.close();
    } finally {
      kafka.close();
    }
  }
}
