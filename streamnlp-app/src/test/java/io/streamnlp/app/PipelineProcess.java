package io.streamnlp.app;

import java.io.File;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code streamnlp run} in a child JVM, as a user runs it, for tests that kill it: started with this test's
 * classpath given as a manifest-only jar, the way {@code java -jar streamnlp.jar} gets it (ONNX Runtime
 * 1.29.0's native loader crashed the JVM when {@code java.class.path} itself was several kilobytes long, as
 * Maven's test classpath is). Its output goes to {@code target/<name>.log}, kept after the test.
 */
final class PipelineProcess implements AutoCloseable {
  private final Process process;
  final Path log;

  private PipelineProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Writes {@code props} to {@code dir/<name>.properties} and starts {@code run --config} on it. */
  static PipelineProcess start(Path dir, String name, Properties props) throws IOException {
    Path config = dir.resolve(name + ".properties");
    try (Writer w = Files.newBufferedWriter(config)) {
      props.store(w, null);
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path log = Path.of("target", name + ".log");
    Process p = new ProcessBuilder(java, "-Xmx1g", "-cp", classpathJar(dir).toString(),
        StreamNlpCli.class.getName(), "run", "--config", config.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new PipelineProcess(p, log);
  }

  private static Path classpathJar(Path dir) throws IOException {
    Path jar = dir.resolve("classpath.jar");
    if (!Files.exists(jar)) {
      StringBuilder entries = new StringBuilder();
      for (String element : System.getProperty("java.class.path").split(File.pathSeparator)) {
        if (!element.isBlank()) {
          entries.append(entries.length() == 0 ? "" : " ").append(Path.of(element).toUri());
        }
      }
      Manifest manifest = new Manifest();
      manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
      manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, entries.toString());
      // The manifest is the whole jar.
      new JarOutputStream(Files.newOutputStream(jar), manifest).close();
    }
    return jar;
  }

  /** Waits until the pipeline runs (Kafka Streams reached RUNNING), so that what a test produces next is live. */
  void awaitRunning(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains("-> RUNNING")) {
        return;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("streamnlp run exited with " + process.exitValue() + "; see " + log);
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("streamnlp run did not reach RUNNING in " + timeout + "; see " + log);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL: no shutdown hook, no commit, no flush. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM: the shutdown hook closes Kafka Streams cleanly. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** A read_committed consumer of {@code topics} from their beginning, as any downstream application. */
  static KafkaConsumer<byte[], byte[]> reader(String bootstrapServers, String... topics) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + System.nanoTime());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topics));
    return consumer;
  }

  /** Polls into {@code into} until it holds {@code count} records or {@code timeout} has passed. */
  static void pollUntil(KafkaConsumer<byte[], byte[]> consumer, List<ConsumerRecord<byte[], byte[]>> into,
                        int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (into.size() < count && System.nanoTime() < deadline) {
      consumer.poll(Duration.ofMillis(100)).forEach(into::add);
    }
  }

  /** Reads on for {@code settle}: a duplicate would show up after the expected records. */
  static void settle(KafkaConsumer<byte[], byte[]> consumer, List<ConsumerRecord<byte[], byte[]>> into,
                     Duration settle) {
    long end = System.nanoTime() + settle.toNanos();
    while (System.nanoTime() < end) {
      consumer.poll(Duration.ofMillis(100)).forEach(into::add);
    }
  }
}
