package io.streamnlp.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnlp.StreamNlp;
import io.streamnlp.config.StreamNlpConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The newcomer's three terminals: {@code streamnlp local}, a pipeline on it, {@code produce} and
 * {@code consume}; then {@code local} again on the same {@code --data-dir}, where the results still are.
 */
class LocalToolsIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  /** {@code streamnlp local} in a thread; returns once it printed its settings. */
  private record Local(LocalCommand command, StringWriter out, CompletableFuture<Integer> exit) {
    String setting(String key) {
      return out.toString().lines().filter(l -> l.startsWith(key + "=")).findFirst().orElseThrow()
          .substring(key.length() + 1);
    }

    int stop() throws Exception {
      command.stop.countDown();
      return exit.get(60, TimeUnit.SECONDS);
    }
  }

  private Local local(String... args) throws Exception {
    LocalCommand command = new LocalCommand();
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(command);
    cli.setOut(new PrintWriter(out, true));
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute(args));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!out.toString().contains("# running") && System.nanoTime() < deadline && !exit.isDone()) {
      Thread.sleep(100);
    }
    assertThat(out.toString()).as("local printed its settings (exit: %s)", exit.isDone() ? exit.get() : "running")
        .contains("# running", "bootstrap.servers=", "schema.registry.url=");
    return new Local(command, out, exit);
  }

  private static String run(InputStream stdin, String... args) {
    InputStream in = System.in;
    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setIn(stdin);
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertThat(StreamNlpCli.execute(args)).as("streamnlp %s", String.join(" ", args)).isZero();
    } finally {
      System.setIn(in);
      System.setOut(out);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  private static List<JsonNode> jsonLines(String output) throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : output.lines().filter(l -> l.startsWith("{")).toList()) {
      lines.add(JSON.readTree(line));
    }
    return lines;
  }

  @Test
  void localProduceRunAndConsumeAsANewcomerWouldAndTheDataSurvivesARestart() throws Exception {
    Path data = dir.resolve("kafka");
    Local first = local("--port", "0", "--registry-port", "0", "--data-dir", data.toString(),
        "--topic", "chat:2", "--topic", "chat-sentiment", "--topic", "chat-sentiment-dlq");
    String bootstrap = first.setting("bootstrap.servers");
    String registry = first.setting("schema.registry.url");
    assertThat(first.out().toString()).contains("# topic chat (2 partitions)");

    Properties app = new Properties();
    app.putAll(Map.of(StreamsConfig.APPLICATION_ID_CONFIG, "try-it", StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2,
        StreamsConfig.REPLICATION_FACTOR_CONFIG, "1", StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString(),
        StreamNlpConfig.INPUT_TOPICS_CONFIG, "chat", StreamNlpConfig.OUTPUT_TOPIC_CONFIG, "chat-sentiment",
        StreamNlpConfig.SCHEMA_REGISTRY_URL_CONFIG, registry));
    try (StreamNlp nlp = StreamNlp.create(app);
         StreamsRunner runner = new StreamsRunner(nlp, new Properties())) {
      runner.start();
      assertThat(runner.awaitRunning(Duration.ofSeconds(60))).isTrue();
      run(new ByteArrayInputStream(("alice\tI love this new phone, the camera is stunning!\n"
              + "bob\tThe delivery was late again and nobody answered.\n\nno key on this line\n")
              .getBytes(StandardCharsets.UTF_8)),
          "produce", "--bootstrap-servers", bootstrap, "--topic", "chat");
      List<JsonNode> results = jsonLines(run(InputStream.nullInputStream(), "consume", "--bootstrap-servers",
          bootstrap, "--schema-registry-url", registry, "--topic", "chat-sentiment", "--topic", "chat-sentiment-dlq",
          "--max-messages", "3", "--timeout-ms", "60000"));
      assertThat(results).hasSize(3);
      JsonNode alice = results.stream().filter(r -> "alice".equals(r.path("key").asText())).findFirst().orElseThrow();
      assertThat(alice.path("value").path("label").asText()).isEqualTo("positive");
      assertThat(alice.path("value").path("source").path("topic").asText()).isEqualTo("chat");
      JsonNode bob = results.stream().filter(r -> "bob".equals(r.path("key").asText())).findFirst().orElseThrow();
      assertThat(bob.path("value").path("label").asText()).isEqualTo("negative");
      assertThat(results).filteredOn(r -> r.path("key").isNull()).hasSize(1);
    }
    assertThat(first.stop()).isZero();

    Local again = local("--port", "0", "--registry-port", "0", "--data-dir", data.toString());
    try {
      List<JsonNode> kept = jsonLines(run(InputStream.nullInputStream(), "consume", "--bootstrap-servers",
          again.setting("bootstrap.servers"), "--schema-registry-url", again.setting("schema.registry.url"),
          "--topic", "chat-sentiment", "--max-messages", "3", "--timeout-ms", "60000"));
      assertThat(kept).as("results and their schemas survived the restart").hasSize(3)
          .allSatisfy(r -> assertThat(r.path("value").path("label").asText()).isIn("positive", "neutral", "negative"));
    } finally {
      assertThat(again.stop()).isZero();
    }
  }
}
