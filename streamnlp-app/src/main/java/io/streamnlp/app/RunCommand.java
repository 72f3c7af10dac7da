package io.streamnlp.app;

import io.streamnlp.StreamNlp;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code streamnlp run --config app.properties}: runs the pipeline against any Kafka cluster. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the pipeline against a Kafka cluster. The properties file holds streamnlp keys "
        + "(see README) and Kafka Streams settings (application.id, bootstrap.servers, ...).")
final class RunCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Option(names = {"-c", "--config"}, required = true, description = "Properties file.")
  Path config;

  @Option(names = {"-D", "--set"}, description = "Override one property, e.g. -D batch.size=64.")
  Map<String, String> overrides = new HashMap<>();

  @Override
  public Integer call() throws Exception {
    Properties props = load(config);
    props.putAll(overrides);
    try (StreamNlp nlp = StreamNlp.create(props);
         StreamsRunner runner = new StreamsRunner(nlp, new Properties())) {
      Runtime.getRuntime().addShutdownHook(new Thread(runner::close, "streamnlp-shutdown"));
      runner.start();
      LOG.info("streamnlp running: {} -> {} (dead letters: {})", nlp.config().inputTopics(),
          nlp.config().outputTopic(), nlp.config().dlqTopic());
      Throwable failure = runner.awaitStop();
      return failure == null ? 0 : 1;
    }
  }

  static Properties load(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new org.apache.kafka.common.config.ConfigException("--config " + file.toAbsolutePath()
          + " does not exist; give the path of a properties file");
    }
    Properties props = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      props.load(r);
    }
    return props;
  }
}
