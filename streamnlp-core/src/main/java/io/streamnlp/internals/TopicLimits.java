package io.streamnlp.internals;

import io.streamnlp.stream.internals.SinkLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the broker, at start-up and after a stream thread failed, what each topic the pipeline writes accepts (its effective
 * {@code max.message.bytes} and {@code cleanup.policy}). Best effort: without the DescribeConfigs permission,
 * or for a topic that does not exist yet, the producer's own limit and the rejections seen while running are
 * all the guards go by.
 */
public final class TopicLimits {
  private static final Logger LOG = LoggerFactory.getLogger(TopicLimits.class);

  private TopicLimits() {}

  public static void learn(SinkLimits limits, Properties streamsProps, java.util.Collection<String> topics) {
    Object bootstrap = streamsProps.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
    if (bootstrap == null) {
      return;
    }
    List<ConfigResource> resources = new ArrayList<>();
    for (String t : topics) {
      if (t != null && !t.isBlank()) {
        resources.add(new ConfigResource(ConfigResource.Type.TOPIC, t));
      }
    }
    try (Admin admin = AdminClients.create(streamsProps)) {
      for (var entry : admin.describeConfigs(resources).values().entrySet()) {
        String topic = entry.getKey().name();
        try {
          Config config = entry.getValue().get(15, TimeUnit.SECONDS);
          ConfigEntry max = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
          ConfigEntry policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
          int maxBytes = max == null || max.value() == null ? Integer.MAX_VALUE : Integer.parseInt(max.value());
          boolean compacted = policy != null && policy.value() != null
              && policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT);
          limits.learnTopic(topic, maxBytes, compacted);
          LOG.info("Topic {} accepts records up to {} bytes{}; larger results are dead-lettered", topic,
              limits.maxRecordBytes(topic), compacted ? " and only with a key (compacted)" : "");
        } catch (Exception e) {
          LOG.info("Could not read the configuration of topic {} ({}); records for it are checked against the "
              + "producer's max.request.size and what the broker refuses", topic, e.toString());
        }
      }
    } catch (RuntimeException e) {
      LOG.info("Could not ask the broker for topic limits ({})", e.toString());
    }
  }
}
