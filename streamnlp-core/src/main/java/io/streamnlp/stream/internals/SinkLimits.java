package io.streamnlp.stream.internals;

import io.streamnlp.stream.SinkRejectionHandler;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each topic streamnlp writes to accepts: the largest record (the producer's {@code max.request.size},
 * lowered to the topic's {@code max.message.bytes} when known) and whether records need a key (compacted
 * topics). Checked before a record is handed to the producer, because under exactly_once_v2 a record the
 * broker rejects puts the whole transaction in an error state: no exception handler can then save it, and the
 * same input would fail again after every restart.
 *
 * <p>Limits come from the configuration, from the broker at start-up ({@code StreamNlp.kafkaStreams}), and from
 * rejections the {@link SinkRejectionHandler} sees: a topic that refused a record of n bytes accepts at most
 * n - 1 from then on, so the record is dead-lettered when its input is processed again. One instance is shared
 * by every task and thread of a {@code KafkaStreams} instance, and by every streamnlp pipeline in its topology:
 * it travels in the instance's configuration under {@link #CONFIG}, where processors and the handler find it.
 */
public final class SinkLimits {
  private static final Logger LOG = LoggerFactory.getLogger(SinkLimits.class);
  /** Configuration key of the instance shared by a KafkaStreams instance's tasks and its exception handler. */
  public static final String CONFIG = "streamnlp.internal.sink.limits";
  private static final AtomicBoolean WARNED = new AtomicBoolean();
  /** Kafka's default max.request.size. */
  public static final int DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;
  /** A record batch's header, for a batch holding one record. */
  private static final int BATCH_OVERHEAD = 61;
  /** A record's own varint fields (length, attributes, deltas, key, value and header counts) at their widest. */
  private static final int RECORD_OVERHEAD = 36;
  private static final int HEADER_OVERHEAD = 10;

  private final int producerMaxBytes;
  private final Map<String, Integer> topicMaxBytes = new ConcurrentHashMap<>();
  private final Set<String> keyRequired = ConcurrentHashMap.newKeySet();
  private final AtomicLong rejectedByBroker = new AtomicLong();

  public SinkLimits(int producerMaxBytes) {
    this.producerMaxBytes = producerMaxBytes;
  }

  /** Limits from Kafka Streams properties: the producer's max.request.size, plain or 'producer.'-prefixed. */
  public static SinkLimits fromStreamsProperties(Map<?, ?> props) {
    Object size = props.get(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
    if (size == null) {
      size = props.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    }
    return new SinkLimits(size == null ? DEFAULT_MAX_REQUEST_BYTES : Integer.parseInt(size.toString().trim()));
  }

  /**
   * The limits a task goes by: the instance's shared ones when it was built with {@code StreamNlp.kafkaStreams}
   * (or {@code streamsProperties}), else limits of this task alone, from the producer's max.request.size, with a
   * warning (once per JVM) that the broker's own limits are then unknown.
   */
  public static SinkLimits of(Map<String, Object> appConfigs) {
    if (appConfigs.get(CONFIG) instanceof SinkLimits shared) {
      return shared;
    }
    if (WARNED.compareAndSet(false, true)) {
      LOG.warn("This KafkaStreams instance was not built with StreamNlp.kafkaStreams(topology, props): streamnlp "
          + "checks results against the producer's max.request.size only, not each topic's max.message.bytes, and "
          + "a record the broker refuses fails the stream thread. Build the instance with "
          + "nlp.kafkaStreams(topology, props) to have such results dead-lettered.");
    }
    return fromStreamsProperties(appConfigs);
  }

  /** The largest record, in bytes as the producer counts them, that {@code topic} is known to accept. */
  public int maxRecordBytes(String topic) {
    return Math.min(producerMaxBytes, topicMaxBytes.getOrDefault(topic, Integer.MAX_VALUE));
  }

  public boolean requiresKey(String topic) {
    return keyRequired.contains(topic);
  }

  /** What the broker says of a topic: its max.message.bytes and whether it is compacted. */
  public void learnTopic(String topic, int maxMessageBytes, boolean compacted) {
    topicMaxBytes.merge(topic, maxMessageBytes, Math::min);
    if (compacted) {
      keyRequired.add(topic);
    }
  }

  /** The broker refused a record of {@code recordBytes} for {@code topic}: nothing that large is sent again. */
  public void learnRejected(String topic, int recordBytes, boolean keyless) {
    rejectedByBroker.incrementAndGet();
    if (keyless) {
      keyRequired.add(topic);
      LOG.warn("Topic {} rejected a record without a key: keyless records for it are dead-lettered from now on",
          topic);
    } else if (recordBytes > 0) {
      topicMaxBytes.merge(topic, recordBytes - 1, Math::min);
      LOG.warn("Topic {} rejected a record of {} bytes: records of {} bytes or more for it are dead-lettered from "
          + "now on", topic, recordBytes, recordBytes);
    }
  }

  /** Records the broker refused, as counted by the production exception handler. */
  public long rejectedByBroker() {
    return rejectedByBroker.get();
  }

  /** Why {@code topic} would refuse this record, or null when it fits. */
  public String refusal(String topic, byte[] key, byte[] value, Headers headers) {
    if (key == null && requiresKey(topic)) {
      return "topic " + topic + " is compacted and the record has no key";
    }
    int size = recordBytes(key, value, headers);
    int max = maxRecordBytes(topic);
    return size <= max ? null : "a record of " + size + " bytes is more than topic " + topic + " accepts (" + max
        + " bytes: the smaller of its max.message.bytes and the producer's max.request.size)";
  }

  /** An upper bound of a single-record batch's size: what the producer and the broker compare to their limits. */
  public static int recordBytes(byte[] key, byte[] value, Headers headers) {
    long size = BATCH_OVERHEAD + RECORD_OVERHEAD + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
    if (headers != null) {
      for (Header h : headers) {
        size += HEADER_OVERHEAD + h.key().getBytes(StandardCharsets.UTF_8).length
            + (h.value() == null ? 0 : h.value().length);
      }
    }
    return (int) Math.min(Integer.MAX_VALUE, size);
  }
}
