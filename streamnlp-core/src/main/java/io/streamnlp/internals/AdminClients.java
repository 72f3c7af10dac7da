package io.streamnlp.internals;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** Short-lived admin clients for the checks streamnlp makes before a Kafka Streams instance starts. */
final class AdminClients {
  /** How long one admin call may take before the cluster counts as unreachable. */
  static final int TIMEOUT_MS = 10_000;

  private AdminClients() {}

  /**
   * An admin client with the instance's connection and security settings (the same cluster, the same
   * credentials); streamnlp's own keys and Kafka Streams' are not its business.
   */
  static Admin create(Properties streamsProps) {
    Map<String, Object> adminProps = new HashMap<>();
    streamsProps.forEach((k, v) -> {
      if (v instanceof String && AdminClientConfig.configNames().contains(k.toString())) {
        adminProps.put(k.toString(), v);
      }
    });
    adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
    adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
    return Admin.create(adminProps);
  }
}
