package io.streamnlp.app;

import io.streamnlp.local.LocalKafkaCluster;
import io.streamnlp.local.LocalSchemaRegistry;
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
