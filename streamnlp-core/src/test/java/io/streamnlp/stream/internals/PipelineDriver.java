package io.streamnlp.stream.internals;

import io.streamnlp.StreamNlp;
import io.streamnlp.avro.TextEncoding;
import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.model.internals.ModelDirectory;
import io.streamnlp.model.internals.OnnxModel;
import io.streamnlp.serde.SchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/** The standalone pipeline on a TopologyTestDriver, for the topology tests: one input topic, any outputs. */
final class PipelineDriver implements AutoCloseable {
  final StreamNlp nlp;
  final TopologyTestDriver driver;
  final TestInputTopic<byte[], byte[]> input;
  /** The limits every guard of the driven topology shares, as a KafkaStreams instance's would be. */
  final SinkLimits limits;
  private OnnxModel model;

  private PipelineDriver(StreamNlp nlp, String inputTopic) {
    this.nlp = nlp;
    java.util.Properties props = nlp.streamsProperties();
    this.limits = (SinkLimits) props.get(SinkLimits.CONFIG);
    this.driver = new TopologyTestDriver(nlp.topology(), props);
    this.input = driver.createInputTopic(inputTopic, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** The pipeline's model loaded on its own, to compare the stream's results with direct model calls. */
  OnnxModel model() {
    if (model == null) {
      model = OnnxModel.load(ModelDirectory.open(nlp.config().modelDir()), OnnxModel.RuntimeOptions.cpu(),
          nlp.config().getInt(StreamNlpConfig.MAX_TOKENS_CONFIG));
    }
    return model;
  }

  static PipelineDriver start(Map<String, String> props, SchemaRegistryClient registry, String inputTopic) {
    return new PipelineDriver(StreamNlp.create(props, registry), inputTopic);
  }

  /** What every pipeline under test needs: its application id and its input and output topics. */
  static Map<String, String> properties(String applicationId, String inputTopic, String outputTopic) {
    Map<String, String> p = new HashMap<>();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamNlpConfig.INPUT_TOPICS_CONFIG, inputTopic);
    p.put(StreamNlpConfig.OUTPUT_TOPIC_CONFIG, outputTopic);
    return p;
  }

  /** A UTF-8 message for {@code key} with record time {@code atSeconds} (epoch seconds). */
  void send(String key, String text, long atSeconds) {
    input.pipeInput(key.getBytes(StandardCharsets.UTF_8), text.getBytes(StandardCharsets.UTF_8),
        Instant.ofEpochSecond(atSeconds));
  }

  TestOutputTopic<byte[], byte[]> output(String topic) {
    return driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Everything written to {@code topic} so far, decoded as results. */
  List<TextEncoding> results(TestOutputTopic<byte[], byte[]> topic, String name) {
    List<TextEncoding> results = new ArrayList<>();
    for (byte[] v : topic.readValuesToList()) {
      results.add(nlp.resultSerde().deserializer().deserialize(name, v));
    }
    return results;
  }

  @Override
  public void close() {
    driver.close();
    nlp.close();
    if (model != null) {
      model.close();
    }
  }
}
