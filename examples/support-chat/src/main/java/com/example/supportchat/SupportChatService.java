package com.example.supportchat;

import io.streamnlp.StreamNlp;
import io.streamnlp.avro.TextEncoding;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;

/**
 * A support team's Kafka Streams service with two streamnlp pipelines in one topology:
 * <ul>
 *   <li>{@code support}: the transformer tags every support-chat message; negative ones, at or above a confidence,
 *       go to the escalations topic;</li>
 *   <li>{@code user-mood}: the GRU reads each user's events in order, its hidden state kept per user (the record
 *       key) in a state store, and writes the user's current mood.</li>
 * </ul>
 * Records neither can read go to one dead-letter topic with the reason in headers. The instance is built with
 * {@link StreamNlp#kafkaStreams}, so a result its topic would refuse is dead-lettered and the service keeps running.
 */
public final class SupportChatService implements AutoCloseable {
  /** Prefix of the service's own settings; every other property is a streamnlp or Kafka Streams setting. */
  public static final String PREFIX = "service.";

  /** The service's own settings: its topics, and how sure a negative tag must be to escalate. */
  public record Settings(String supportChat, String escalations, double escalateAt, String userEvents,
                         String userMood) {
    static Settings from(Properties p) {
      return new Settings(p.getProperty(PREFIX + "support.chat.topic", "support-chat"),
          p.getProperty(PREFIX + "escalations.topic", "escalations"),
          Double.parseDouble(p.getProperty(PREFIX + "escalate.at", "0.6")),
          p.getProperty(PREFIX + "user.events.topic", "user-events"),
          p.getProperty(PREFIX + "user.mood.topic", "user-mood"));
    }
  }

  private final StreamNlp tagger;
  private final StreamNlp moods;
  private final KafkaStreams streams;

  /**
   * @param config Kafka Streams settings (application.id, bootstrap.servers, processing.guarantee, ...), streamnlp
   *               settings both pipelines share (schema.registry.url, dlq.topic, ...) and the service's own
   *               {@value #PREFIX}* settings
   */
  public SupportChatService(Properties config) {
    Settings settings = Settings.from(config);
    Properties others = new Properties();
    config.forEach((k, v) -> {
      if (!k.toString().startsWith(PREFIX)) {
        others.put(k, v);
      }
    });
    this.tagger = StreamNlp.create(withEncoder(others, "attention"));
    try {
      this.moods = StreamNlp.create(withEncoder(others, "rnn"));
      this.streams = tagger.kafkaStreams(topology(settings), others);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private static Map<Object, Object> withEncoder(Properties config, String encoder) {
    Map<Object, Object> p = new HashMap<>(config);
    p.put("encoder", encoder);
    return p;
  }

  private Topology topology(Settings settings) {
    StreamsBuilder builder = new StreamsBuilder();
    KStream<byte[], TextEncoding> tagged = tagger.encode("support",
        builder.stream(settings.supportChat(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())));
    tagger.write(tagged.filter((ticket, result) -> "negative".equals(result.getLabel())
        && result.getScores().get("negative") >= settings.escalateAt()), settings.escalations(), "escalations");

    KStream<byte[], TextEncoding> mood = moods.encode("user-mood",
        builder.stream(settings.userEvents(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())));
    moods.write(mood, settings.userMood(), "user-mood-out");
    return builder.build();
  }

  public void start() {
    streams.start();
  }

  public KafkaStreams streams() {
    return streams;
  }

  /** Decodes a result this service wrote. */
  public TextEncoding decode(String topic, byte[] value) {
    return tagger.resultSerde().deserializer().deserialize(topic, value);
  }

  @Override
  public void close() {
    if (streams != null) {
      streams.close(Duration.ofSeconds(30));
    }
    if (moods != null) {
      moods.close();
    }
    tagger.close();
  }

  /** {@code java -cp ... com.example.supportchat.SupportChatService service.properties} */
  public static void main(String[] args) throws IOException, InterruptedException {
    Properties config = new Properties();
    try (Reader r = Files.newBufferedReader(Path.of(args.length > 0 ? args[0] : "service.properties"))) {
      config.load(r);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    try (SupportChatService service = new SupportChatService(config)) {
      service.streams().setStateListener((now, before) -> {
        if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
          stopped.countDown();
        }
      });
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        service.streams().close(Duration.ofSeconds(30));
        stopped.countDown();
      }));
      service.start();
      stopped.await();
    }
  }
}
