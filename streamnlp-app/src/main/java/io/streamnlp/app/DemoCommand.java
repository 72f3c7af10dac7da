package io.streamnlp.app;

import io.streamnlp.StreamNlp;
import io.streamnlp.avro.TextEncoding;
import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.local.LocalKafkaCluster;
import io.streamnlp.local.LocalSchemaRegistry;
import io.streamnlp.stream.DeadLetterHeaders;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code streamnlp demo}: everything on this machine, for real. A single-node KRaft broker started from
 * Kafka's jars, the local development schema registry, the pipeline with exactly-once processing, a
 * producer of sample chat messages (and a few broken ones), and a consumer that prints each result.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start a local Kafka broker and schema registry, run the pipeline on sample messages and "
        + "print each result as it arrives. Stops after --messages messages or on Ctrl-C.")
final class DemoCommand implements Callable<Integer> {
  private static final String INPUT = "chat-messages";
  private static final String OUTPUT = "chat-sentiment";
  private static final String DLQ = "chat-sentiment-dlq";
  private static final long IDLE_TIMEOUT_NANOS = 60_000_000_000L;

  @Option(names = "--messages", defaultValue = "40", description = "Messages to send (default ${DEFAULT-VALUE}); "
      + "0 runs until Ctrl-C.")
  int messages;

  @Option(names = "--rate", defaultValue = "10", description = "Messages per second (default ${DEFAULT-VALUE}); "
      + "0 sends as fast as possible.")
  double rate;

  @Option(names = "--bad-every", defaultValue = "10", description = "Every n-th message is a broken one "
      + "(empty, invalid UTF-8, too large, null) to show the dead-letter topic; 0 for none.")
  int badEvery;

  @Option(names = "--quiet", description = "Print only the summary, not each message.")
  boolean quiet;

  @Option(names = {"-D", "--set"}, description = "Override a pipeline property, e.g. -D batch.size=8.")
  Map<String, String> overrides = new HashMap<>();

  private final PrintStream out = System.out;

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    List<String[]> samples = loadSamples();
    Path stateDir = Files.createTempDirectory("streamnlp-demo-state");
    out.println("streamnlp demo: starting a local Kafka broker (KRaft) ...");
    try (LocalKafkaCluster kafka = LocalKafkaCluster.start()) {
      kafka.createTopics(3, INPUT, OUTPUT, DLQ);
      long tKafka = System.nanoTime();
      out.printf("  broker up at %s in %.1f s%n", kafka.bootstrapServers(), secs(t0, tKafka));
      try (LocalSchemaRegistry registry = LocalSchemaRegistry.start(kafka.bootstrapServers(), "_schemas", 0)) {
        out.printf("  local development schema registry at %s%n", registry.url());
        Properties props = pipelineProperties(kafka.bootstrapServers(), registry.url(), stateDir);
        props.putAll(overrides);
        try (StreamNlp nlp = StreamNlp.create(props)) {
          long tModel = System.nanoTime();
          out.printf("  model %s %s loaded in %.1f s%n", nlp.modelInfo().name(), nlp.modelInfo().version(),
              secs(tKafka, tModel));
          try (StreamsRunner runner = new StreamsRunner(nlp, new Properties())) {
            runner.start();
            if (!runner.awaitRunning(Duration.ofSeconds(60))) {
              out.println("Kafka Streams did not reach RUNNING; see the log above.");
              return 1;
            }
            long tReady = System.nanoTime();
            out.printf("  pipeline running (exactly_once_v2) %.1f s after start%n%n", secs(t0, tReady));
            return produceAndPrint(kafka, nlp, runner, samples, t0, tReady);
          }
        }
      }
    } finally {
      Utils.delete(stateDir.toFile());
    }
  }

  private Properties pipelineProperties(String bootstrap, String registryUrl, Path stateDir) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "streamnlp-demo");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "1");
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
    p.put(StreamNlpConfig.INPUT_TOPICS_CONFIG, INPUT);
    p.put(StreamNlpConfig.OUTPUT_TOPIC_CONFIG, OUTPUT);
    p.put(StreamNlpConfig.DLQ_TOPIC_CONFIG, DLQ);
    p.put(StreamNlpConfig.SCHEMA_REGISTRY_URL_CONFIG, registryUrl);
    p.put(StreamNlpConfig.BATCH_MAX_WAIT_MS_CONFIG, "20");
    return p;
  }

  private int produceAndPrint(LocalKafkaCluster kafka, StreamNlp nlp, StreamsRunner runner, List<String[]> samples,
                              long t0, long tReady)
      throws Exception {
    Map<String, String> sentByPosition = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    Thread main = Thread.currentThread();
    Thread hook = new Thread(() -> {
      stop.set(true);
      main.interrupt();
    });
    Runtime.getRuntime().addShutdownHook(hook);
    Thread producerThread = new Thread(() -> produce(kafka, samples, sentByPosition, stop), "demo-producer");
    producerThread.setDaemon(true);
    producerThread.start();

    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "streamnlp-demo-printer");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    int encoded = 0;
    int reread = 0;
    int dead = 0;
    long firstSend = System.nanoTime();
    long lastSeen = firstSend;
    Map<String, Integer> labels = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
             new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(OUTPUT, DLQ));
      while (!stop.get() && (messages == 0 || encoded + dead < messages)) {
        if (!runner.streams().state().isRunningOrRebalancing()) {
          out.println("The pipeline stopped (" + runner.streams().state() + "); see the log above.");
          return 1;
        }
        if (System.nanoTime() - lastSeen > IDLE_TIMEOUT_NANOS && !producerThread.isAlive()) {
          out.printf("No result for %d s after the last message was sent; stopping.%n",
              IDLE_TIMEOUT_NANOS / 1_000_000_000L);
          return 1;
        }
        try {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            lastSeen = System.nanoTime();
            if (r.topic().equals(OUTPUT)) {
              TextEncoding e = nlp.resultSerde().deserializer().deserialize(OUTPUT, r.value());
              encoded++;
              reread += e.getRereadBy() == null ? 0 : 1;
              labels.merge(String.valueOf(e.getLabel()), 1, Integer::sum);
              printResult(e, sentByPosition);
            } else {
              dead++;
              printDeadLetter(r);
            }
          }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
          break;
        }
      }
    } finally {
      stop.set(true);
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the JVM is already running the hook.
      }
      Thread.interrupted();
    }
    double seconds = (lastSeen - firstSend) / 1e9;
    out.printf("%nSummary: %d encoded, %d sent to the dead-letter topic %s; labels %s%n", encoded, dead, DLQ, labels);
    if (nlp.config().cascade()) {
      out.printf("  cascade: %d of %d re-read by the attention model (rnn top score below %s)%n", reread, encoded,
          nlp.config().getDouble(StreamNlpConfig.CASCADE_THRESHOLD_CONFIG));
    }
    out.printf("  start-up to pipeline running: %.1f s; %d messages in %.1f s = %.0f messages/s end to end%n",
        secs(t0, tReady), encoded + dead, seconds, seconds > 0 ? (encoded + dead) / seconds : 0.0);
    return 0;
  }

  private void produce(LocalKafkaCluster kafka, List<String[]> samples, Map<String, String> sentByPosition,
                       AtomicBoolean stop) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.LINGER_MS_CONFIG, rate > 0 ? "0" : "5");
    try (KafkaProducer<byte[], byte[]> producer =
             new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      long intervalNanos = rate > 0 ? (long) (1e9 / rate) : 0;
      long next = System.nanoTime();
      for (int i = 0; !stop.get() && (messages == 0 || i < messages); i++) {
        String[] sample = samples.get(i % samples.size());
        String key = sample[0];
        String text = sample[1];
        byte[] value = text.getBytes(StandardCharsets.UTF_8);
        if (badEvery > 0 && i % badEvery == badEvery - 1) {
          int kind = (i / badEvery) % 4;
          key = "mallory";
          switch (kind) {
            case 0 -> { value = new byte[0]; text = "(empty value)"; }
            case 1 -> { value = new byte[] {'h', 'i', (byte) 0xC3, (byte) 0x28}; text = "(invalid UTF-8)"; }
            case 2 -> { value = new byte[70_000]; Arrays.fill(value, (byte) 'a'); text = "(70 kB value)"; }
            default -> { value = null; text = "(null value)"; }
          }
        }
        final String shown = text;
        producer.send(new ProducerRecord<>(INPUT, key.getBytes(StandardCharsets.UTF_8), value),
            (RecordMetadata md, Exception e) -> {
              if (md != null) {
                sentByPosition.put(md.partition() + "@" + md.offset(), shown);
              }
            });
        if (intervalNanos > 0) {
          next += intervalNanos;
          long sleep = next - System.nanoTime();
          if (sleep > 0) {
            Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
          }
        }
      }
      producer.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void printResult(TextEncoding e, Map<String, String> sent) {
    if (quiet) {
      return;
    }
    String key = e.getKey() == null ? "-" : StandardCharsets.UTF_8.decode(e.getKey().duplicate()).toString();
    String where = e.getSource().getPartition() + "@" + e.getSource().getOffset();
    String text = sent.getOrDefault(where, "?");
    Float score = e.getScores() == null ? null : e.getScores().get(e.getLabel());
    Float polarity = e.getPolarity();
    out.printf(Locale.ROOT, "  %-8s %-6s %-8s %5s %6s  batch=%-2d %s%n", key, where, e.getLabel(),
        score == null ? "" : String.format(Locale.ROOT, "%.2f", score),
        polarity == null ? "" : String.format(Locale.ROOT, "%+.2f", polarity), e.getBatchSize(),
        (e.getRereadBy() == null ? "" : "[re-read] ") + abbreviate(text));
  }

  private void printDeadLetter(ConsumerRecord<byte[], byte[]> r) {
    if (quiet) {
      return;
    }
    String key = r.key() == null ? "-" : new String(r.key(), StandardCharsets.UTF_8);
    out.printf(Locale.ROOT, "  %-8s %-6s %-8s %s: %s%n", key, header(r, DeadLetterHeaders.PARTITION) + "@"
        + header(r, DeadLetterHeaders.OFFSET), "DLQ", header(r, DeadLetterHeaders.REASON),
        abbreviate(header(r, DeadLetterHeaders.MESSAGE)));
  }

  private static String header(ConsumerRecord<?, ?> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null || h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static String abbreviate(String s) {
    return s.length() <= 70 ? s : s.substring(0, 67) + "...";
  }

  private static double secs(long from, long to) {
    return (to - from) / 1e9;
  }

  private static List<String[]> loadSamples() throws IOException {
    List<String[]> samples = new ArrayList<>();
    try (InputStream in = DemoCommand.class.getResourceAsStream("/demo/sample-messages.txt");
         BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (!line.isBlank() && !line.startsWith("#")) {
          samples.add(line.split("\t", 2));
        }
      }
    }
    return samples;
  }
}
