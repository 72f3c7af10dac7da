package io.streamnlp.internals;

import io.streamnlp.stream.MissingTopicException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicListing;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What is checked on the cluster before a Kafka Streams instance starts, so that a first-hour mistake stops it at
 * once with one line that says what to fix, rather than stream threads failing and being replaced for a minute:
 * every topic the topology reads exists, and every topic it writes exists unless the brokers create topics.
 */
public final class StartupChecks {
  private static final Logger LOG = LoggerFactory.getLogger(StartupChecks.class);
  /** Kafka Streams' own topics in a topology description; it creates them itself. */
  private static final String REPARTITION_SUFFIX = "-repartition";

  private StartupChecks() {}

  /** The topics a topology reads (by name) and writes, without Kafka Streams' internal ones. */
  record Topics(Set<String> sources, Set<String> sinks) {
    static Topics of(Topology topology) {
      Set<String> sources = new TreeSet<>();
      Set<String> sinks = new TreeSet<>();
      for (TopologyDescription.Subtopology s : topology.describe().subtopologies()) {
        for (TopologyDescription.Node node : s.nodes()) {
          if (node instanceof TopologyDescription.Source source && source.topicSet() != null) {
            source.topicSet().stream().filter(t -> !t.endsWith(REPARTITION_SUFFIX)).forEach(sources::add);
          } else if (node instanceof TopologyDescription.Sink sink && sink.topic() != null
              && !sink.topic().endsWith(REPARTITION_SUFFIX)) {
            sinks.add(sink.topic());
          }
        }
      }
      for (TopologyDescription.GlobalStore g : topology.describe().globalStores()) {
        sources.addAll(g.source().topicSet());
      }
      return new Topics(sources, sinks);
    }
  }

  /**
   * Checks that the topology's topics exist.
   *
   * @param strict whether a cluster that cannot be reached fails the check (the standalone app) or is only
   *               logged (a library user's service, which may start before its brokers)
   * @throws MissingTopicException naming the missing topics and how to create them
   * @throws StartupCheckException when {@code strict} and the cluster cannot be reached
   */
  public static void requireTopics(Topology topology, Properties streamsProps, boolean strict) {
    Object bootstrap = streamsProps.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
    if (bootstrap == null) {
      return; // Kafka Streams refuses the configuration itself, naming bootstrap.servers
    }
    Topics topics = Topics.of(topology);
    Set<String> existing;
    Boolean brokersCreateTopics;
    try (Admin admin = AdminClients.create(streamsProps)) {
      existing = admin.listTopics(new ListTopicsOptions().listInternal(false)).listings()
          .get(AdminClients.TIMEOUT_MS, TimeUnit.MILLISECONDS).stream().map(TopicListing::name)
          .collect(java.util.stream.Collectors.toSet());
      brokersCreateTopics = topics.sinks().stream().allMatch(existing::contains) ? null : autoCreate(admin);
    } catch (Exception e) {
      String why = "cannot reach the Kafka cluster at bootstrap.servers=" + bootstrap + " within "
          + AdminClients.TIMEOUT_MS / 1000 + " s (" + rootMessage(e) + "). Check bootstrap.servers (and the "
          + "security settings) and that the brokers run.";
      if (strict) {
        throw new StartupCheckException(why, e);
      }
      LOG.warn("Could not check the topology's topics: {}", why);
      return;
    }
    List<String> missingSources = new ArrayList<>();
    topics.sources().stream().filter(t -> !existing.contains(t)).forEach(missingSources::add);
    if (!missingSources.isEmpty()) {
      throw new MissingTopicException(describe(missingSources, "read by the topology", bootstrap)
          + ", or correct the topics the topology reads (input.topics for the standalone app).", missingSources);
    }
    List<String> missingSinks = new ArrayList<>();
    topics.sinks().stream().filter(t -> !existing.contains(t)).forEach(missingSinks::add);
    if (!missingSinks.isEmpty()) {
      if (Boolean.TRUE.equals(brokersCreateTopics)) {
        LOG.info("Topics {} do not exist yet; the brokers create them, with their defaults, on the first write",
            missingSinks);
      } else if (brokersCreateTopics == null) {
        LOG.warn("Topics {} do not exist, and whether the brokers create topics could not be read; if they do not, "
            + "writes to them will fail", missingSinks);
      } else {
        throw new MissingTopicException(describe(missingSinks, "written by the topology", bootstrap)
            + " (the brokers do not create topics: auto.create.topics.enable=false), or correct output.topic, "
            + "dlq.topic and aggregates.topic.", missingSinks);
      }
    }
  }

  private static String describe(List<String> missing, String role, Object bootstrap) {
    String names = missing.size() == 1 ? "topic '" + missing.get(0) + "' (" + role + ") does not exist"
        : "topics " + missing + " (" + role + ") do not exist";
    StringBuilder create = new StringBuilder();
    for (String t : missing) {
      create.append(create.length() == 0 ? "" : "; ").append("kafka-topics.sh --bootstrap-server ").append(bootstrap)
          .append(" --create --topic ").append(t);
    }
    return names + " on the cluster at " + bootstrap + ": create " + (missing.size() == 1 ? "it" : "them") + " ("
        + create + ")";
  }

  /** The brokers' auto.create.topics.enable, or null when it cannot be read (no DescribeConfigs permission). */
  private static Boolean autoCreate(Admin admin) throws InterruptedException {
    try {
      Node node = admin.describeCluster().nodes().get(AdminClients.TIMEOUT_MS, TimeUnit.MILLISECONDS).iterator().next();
      ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, node.idString());
      Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(broker)).all()
          .get(AdminClients.TIMEOUT_MS, TimeUnit.MILLISECONDS);
      ConfigEntry entry = configs.get(broker).get("auto.create.topics.enable");
      return entry == null || entry.value() == null ? null : Boolean.parseBoolean(entry.value());
    } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
      return null;
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }
}
