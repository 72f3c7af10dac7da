package io.streamnlp.internals;

import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.stream.SinkRejectionHandler;
import io.streamnlp.stream.internals.SinkLimits;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link KafkaStreams} instance with streamnlp's guarantees (what {@code StreamNlp.kafkaStreams} builds): one
 * {@link SinkLimits} for the instance in its configuration, where every streamnlp processor of the topology and
 * the production exception handler find it; the limits of every topic the topology writes to read from the
 * broker before it starts; and a stream-thread policy that replaces a failed thread within a budget (reading the
 * limits again first) and stops the instance when the budget is spent.
 *
 * @param handler the installed stream-thread policy, which knows what stopped the instance
 */
public record GuardedStreams(KafkaStreams streams, ThreadReplacingHandler handler) {
  private static final Logger LOG = LoggerFactory.getLogger(GuardedStreams.class);

  /**
   * @param pipelineProps the pipeline's recommended Kafka Streams settings ({@code StreamNlp.streamsProperties()})
   * @param props the caller's settings, which win
   * @param strict whether a cluster that cannot be reached before start fails ({@link StartupChecks})
   */
  public static GuardedStreams forPipeline(StreamNlpConfig config, Properties pipelineProps, Topology topology,
                                           Properties props, boolean strict) {
    Properties all = new Properties();
    all.putAll(pipelineProps);
    all.putAll(props);
    Object kafkaDlq = all.get(StreamNlpConfig.KAFKA_DLQ_TOPIC_CONFIG);
    if (kafkaDlq != null && !kafkaDlq.toString().isBlank()
        && config.getString(StreamNlpConfig.DLQ_TOPIC_CONFIG).isBlank()
        && !kafkaDlq.toString().trim().equals(config.dlqTopic())) {
      throw new ConfigException(StreamNlpConfig.KAFKA_DLQ_TOPIC_CONFIG, kafkaDlq, "Kafka Streams dead-letters to "
          + "this topic, but the pipeline was created without it and dead-letters to '" + config.dlqTopic()
          + "'. Pass " + StreamNlpConfig.KAFKA_DLQ_TOPIC_CONFIG + " to StreamNlp.create too (or set dlq.topic).");
    }
    Object handler = all.get(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG);
    String handlerName = handler instanceof Class<?> c ? c.getName() : String.valueOf(handler);
    if (!SinkRejectionHandler.class.getName().equals(handlerName)) {
      LOG.warn("{}={} is not streamnlp's SinkRejectionHandler: a result a topic refuses while running will fail "
          + "the stream thread each time its input is processed again, instead of being dead-lettered",
          StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, handlerName);
    }
    StartupChecks.requireTopics(topology, all, strict);
    // One set of limits per instance, made from its final producer settings.
    all.put(SinkLimits.CONFIG, SinkLimits.fromStreamsProperties(all));
    return create(topology, all, new ThreadReplacements(
        config.getInt(StreamNlpConfig.THREAD_REPLACEMENTS_MAX_CONFIG),
        Duration.ofMillis(config.getLong(StreamNlpConfig.THREAD_REPLACEMENTS_WINDOW_MS_CONFIG))));
  }

  static GuardedStreams create(Topology topology, Properties props, ThreadReplacements budget) {
    SinkLimits limits = (SinkLimits) props.get(SinkLimits.CONFIG);
    Set<String> sinks = sinkTopics(topology);
    TopicLimits.learn(limits, props, sinks);
    KafkaStreams streams = new KafkaStreams(topology, props);
    ThreadReplacingHandler handler = new ThreadReplacingHandler(budget,
        () -> TopicLimits.learn(limits, props, sinks));
    streams.setUncaughtExceptionHandler(handler);
    return new GuardedStreams(streams, handler);
  }

  /** The topics the topology's sinks name (a sink that picks its topic per record has none). */
  static Set<String> sinkTopics(Topology topology) {
    Set<String> topics = new LinkedHashSet<>();
    for (TopologyDescription.Subtopology s : topology.describe().subtopologies()) {
      for (TopologyDescription.Node node : s.nodes()) {
        if (node instanceof TopologyDescription.Sink sink && sink.topic() != null) {
          topics.add(sink.topic());
        }
      }
    }
    return topics;
  }
}
