package io.streamnlp.app;

import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.local.LocalKafkaCluster;
import io.streamnlp.local.LocalSchemaRegistry;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Integration tests share this: one real KRaft broker and the local registry per test class. */
abstract class LocalClusterIT {
  static LocalKafkaCluster kafka;
  static LocalSchemaRegistry registry;

  @BeforeAll
  static void startCluster() throws Exception {
    kafka = LocalKafkaCluster.start();
    registry = LocalSchemaRegistry.start(kafka.bootstrapServers(), "_schemas", 0);
  }

  /**
   * A pipeline named {@code name} on this cluster: exactly_once_v2, topics {@code name-in} and
   * {@code name-out}, local state under {@code stateDir}.
   */
  static Properties pipeline(String name, Path stateDir) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, name);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "1");
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamNlpConfig.INPUT_TOPICS_CONFIG, name + "-in");
    p.put(StreamNlpConfig.OUTPUT_TOPIC_CONFIG, name + "-out");
    p.put(StreamNlpConfig.SCHEMA_REGISTRY_URL_CONFIG, registry.url());
    return p;
  }

  static int freePort() throws java.io.IOException {
    return LocalKafkaCluster.freePort();
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (registry != null) {
      registry.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }
}
