package io.streamnlp.stream.internals;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnlp.avro.TextEncoding;
import io.streamnlp.config.StreamNlpConfig.OutputField;
import io.streamnlp.model.internals.ModelDirectory;
import io.streamnlp.model.internals.OnnxModel;
import io.streamnlp.stream.DeadLetterHeaders;
import io.streamnlp.text.internals.InputGuard;
import io.streamnlp.text.internals.PlainTextExtractor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A model call that fails for one message must not take its batch-mates down: the batch is retried one
 * message at a time and only the failing message becomes a dead letter (MODEL_ERROR).
 */
class ModelFailureRoutingTest {
  static OnnxModel model;

  @BeforeAll
  static void load() {
    model = OnnxModel.load(ModelDirectory.open("classpath:models/all-minilm-l6-v2"), OnnxModel.RuntimeOptions.cpu(),
        64);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void onlyTheFailingMessageIsDeadLettered() throws Exception {
    long poisonId = model.tokenizer().tokenize("poison").ids()[1];
    StreamsBuilder builder = new StreamsBuilder();
    StreamNlpTopology.Parts parts = new StreamNlpTopology.Parts(new PipelineNames(PipelineNames.DEFAULT),
        () -> new InputGuard(new PlainTextExtractor(), 1000), model.tokenizer(),
        () -> new StatelessBatchEncoder(new PoisonSensitiveEncoder(model.newEncoder(8), poisonId)), Set.of(), false,
        new TextEncodings(model.info(), Set.of(OutputField.LABEL)), BatchPolicy.of(4, Duration.ofSeconds(1)),
        new DeadLetterPolicy("dlq", 1024, 1024), PipelineMeters.none(model.info().labels()));
    StreamNlpTopology.encode(builder.stream("in", Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())), parts)
        .mapValues(TextEncoding::getLabel)
        .to("out", org.apache.kafka.streams.kstream.Produced.with(Serdes.ByteArray(), Serdes.String()));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "model-failure");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props)) {
      TestInputTopic<byte[], byte[]> in = driver.createInputTopic("in", new ByteArraySerializer(),
          new ByteArraySerializer());
      TestOutputTopic<byte[], String> out = driver.createOutputTopic("out", new ByteArrayDeserializer(),
          new org.apache.kafka.common.serialization.StringDeserializer());
      TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic("dlq", new ByteArrayDeserializer(),
          new ByteArrayDeserializer());
      for (String s : new String[] {"I love it", "this is poison", "I hate it", "wonderful"}) {
        in.pipeInput("k".getBytes(StandardCharsets.UTF_8), s.getBytes(StandardCharsets.UTF_8));
      }
      assertThat(out.readValuesToList()).containsExactly("positive", "negative", "positive");
      List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
      assertThat(dead).hasSize(1);
      assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("this is poison");
      assertThat(new String(dead.get(0).headers().lastHeader(DeadLetterHeaders.REASON).value(),
          StandardCharsets.UTF_8)).isEqualTo("MODEL_ERROR");
      assertThat(new String(dead.get(0).headers().lastHeader(DeadLetterHeaders.OFFSET).value(),
          StandardCharsets.UTF_8)).isEqualTo("1");
      assertThat(new String(dead.get(0).headers().lastHeader(DeadLetterHeaders.EXCEPTION_CLASS).value(),
          StandardCharsets.UTF_8)).isEqualTo(IllegalStateException.class.getName());
    }
  }
}
