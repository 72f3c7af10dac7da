package io.streamnlp.stream;

import java.util.List;
import org.apache.kafka.streams.errors.StreamsException;

/**
 * A topic the topology reads, or writes on a cluster that does not create topics, does not exist. Thrown before
 * the Kafka Streams instance is built (by {@code StreamNlp.kafkaStreams} and the standalone app), instead of a
 * stream thread failing on it again and again; the message names the topics and how to create them.
 */
public class MissingTopicException extends StreamsException {
  private static final long serialVersionUID = 1L;
  /** The topics that do not exist. */
  private final List<String> topics;

  /**
   * The topics are missing.
   *
   * @param message which topics, and how to create them
   * @param topics the missing topics
   */
  public MissingTopicException(String message, List<String> topics) {
    super(message);
    this.topics = List.copyOf(topics);
  }

  /**
   * The topics that do not exist.
   *
   * @return their names
   */
  public List<String> topics() {
    return topics;
  }
}
