package io.streamnlp.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mistakes of a first hour with {@code streamnlp run}, on a real broker (which, like many clusters, does not
 * create topics): each stops start-up within seconds, with exit code 2 and one line that names what is wrong and
 * how to fix it, and no stack trace.
 */
class FirstHourMistakesIT extends LocalClusterIT {
  @TempDir
  Path dir;

  private record Outcome(int code, String err, Duration took) {
    /** The line streamnlp printed (its logging goes to the console appender, not to this stream). */
    String line() {
      return err.lines().filter(l -> l.startsWith("streamnlp")).collect(Collectors.joining("\n"));
    }
  }

  private Outcome run(Properties props) throws Exception {
    Path config = dir.resolve("app-" + System.nanoTime() + ".properties");
    try (var w = Files.newBufferedWriter(config)) {
      props.store(w, null);
    }
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    long start = System.nanoTime();
    try {
      int code = StreamNlpCli.execute("run", "--config", config.toString());
      return new Outcome(code, err.toString(StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - start));
    } finally {
      System.setErr(original);
    }
  }

  private static void assertOneLine(Outcome o, String... contains) {
    assertThat(o.code()).as(o.err()).isEqualTo(2);
    assertThat(o.line()).as("one line").doesNotContain("\n").contains(contains);
    assertThat(o.err()).as("no stack trace").doesNotContain("\tat ", "Exception in thread");
    assertThat(o.took()).as("stops at once").isLessThan(Duration.ofSeconds(45));
  }

  @Test
  void aMissingInputTopicIsNamedWithTheCommandThatCreatesIt() throws Exception {
    String name = "no-input";
    kafka.createTopics(1, name + "-out", name + "-out-dlq");
    Outcome o = run(pipeline(name, dir));
    assertOneLine(o, "topic '" + name + "-in' (read by the topology) does not exist",
        "kafka-topics.sh --bootstrap-server " + kafka.bootstrapServers() + " --create --topic " + name + "-in");
  }

  @Test
  void aMissingOutputTopicOnAClusterThatCreatesNoTopicsIsNamedToo() throws Exception {
    String name = "no-output";
    kafka.createTopics(1, name + "-in");
    Outcome o = run(pipeline(name, dir));
    assertOneLine(o, "topics [" + name + "-out, " + name + "-out-dlq] (written by the topology) do not exist",
        "auto.create.topics.enable=false");
  }

  @Test
  void aBrokerThatCannotBeReachedIsNamed() throws Exception {
    Properties p = pipeline("no-broker", dir);
    String nowhere = "127.0.0.1:" + freePort();
    p.put("bootstrap.servers", nowhere);
    Outcome o = run(p);
    assertOneLine(o, "cannot reach the Kafka cluster at bootstrap.servers=" + nowhere, "Check bootstrap.servers");
  }

  @Test
  void aRegistryThatCannotBeReachedIsNamedBeforeAnyRecordWaitsForIt() throws Exception {
    String name = "no-registry";
    kafka.createTopics(1, name + "-in", name + "-out", name + "-out-dlq");
    Properties p = pipeline(name, dir);
    String nowhere = "http://127.0.0.1:" + freePort();
    p.put("schema.registry.url", nowhere);
    Outcome o = run(p);
    assertOneLine(o, "cannot reach the schema registry at " + nowhere, "Check schema.registry.url");
  }

  @Test
  void kafkasStartUpWarningAboutTheProcessingHandlerIsSettledByDefault() throws Exception {
    String name = "quiet-start";
    kafka.createTopics(1, name + "-in", name + "-out", name + "-out-dlq");
    ch.qos.logback.classic.Logger kafkaLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
        "org.apache.kafka.streams");
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen =
        new ch.qos.logback.core.read.ListAppender<>();
    seen.start();
    ch.qos.logback.classic.Level level = kafkaLog.getLevel();
    kafkaLog.setLevel(ch.qos.logback.classic.Level.INFO);
    kafkaLog.addAppender(seen);
    try (var nlp = io.streamnlp.StreamNlp.create(pipeline(name, dir));
         StreamsRunner runner = new StreamsRunner(nlp, new Properties())) {
      runner.start();
      assertThat(runner.awaitRunning(Duration.ofSeconds(60))).isTrue();
    } finally {
      kafkaLog.detachAppender(seen);
      kafkaLog.setLevel(level);
    }
    assertThat(seen.list).as("Kafka Streams logged while starting").isNotEmpty();
    assertThat(seen.list).extracting(e -> e.getFormattedMessage())
        .noneMatch(m -> m.contains("processing.exception.handler.global.enabled"));
  }
}
