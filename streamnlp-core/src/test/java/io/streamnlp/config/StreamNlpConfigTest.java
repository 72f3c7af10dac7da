package io.streamnlp.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnlp.StreamNlp;
import io.streamnlp.serde.InMemorySchemaRegistryClient;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class StreamNlpConfigTest {

  private static Map<String, Object> minimal() {
    Map<String, Object> p = new HashMap<>();
    p.put("input.topics", "in");
    p.put("output.topic", "out");
    return p;
  }

  private static Map<String, Object> with(String key, Object value) {
    Map<String, Object> p = minimal();
    p.put(key, value);
    return p;
  }

  @Test
  void theLowLatencyModeChangesOnlyTheDefaultsAUserLeftUnset() {
    StreamNlpConfig throughput = new StreamNlpConfig(minimal());
    assertThat(throughput.lowLatency()).isFalse();
    assertThat(throughput.intraOpSpinning()).isTrue();
    assertThat(throughput.getBoolean(StreamNlpConfig.BATCH_GROUP_BY_LENGTH_CONFIG)).isTrue();

    StreamNlpConfig low = new StreamNlpConfig(with(StreamNlpConfig.LATENCY_MODE_CONFIG, "low"));
    assertThat(low.lowLatency()).isTrue();
    assertThat(low.intraOpSpinning()).isFalse();

    Map<String, Object> set = with(StreamNlpConfig.LATENCY_MODE_CONFIG, "low");
    set.put(StreamNlpConfig.ONNX_INTRA_OP_SPINNING_CONFIG, "true");
    StreamNlpConfig lowButSet = new StreamNlpConfig(set);
    assertThat(lowButSet.intraOpSpinning()).isTrue();

    // The GRU's many small operators run faster without spinning threads, unless the user asks for them.
    assertThat(new StreamNlpConfig(with(StreamNlpConfig.ENCODER_CONFIG, "rnn")).intraOpSpinning()).isFalse();
    assertThat(new StreamNlpConfig(with(StreamNlpConfig.ENCODER_CONFIG, "cascade")).intraOpSpinning()).isFalse();
    Map<String, Object> rnnSpinning = with(StreamNlpConfig.ENCODER_CONFIG, "rnn");
    rnnSpinning.put(StreamNlpConfig.ONNX_INTRA_OP_SPINNING_CONFIG, "true");
    assertThat(new StreamNlpConfig(rnnSpinning).intraOpSpinning()).isTrue();

    assertThatThrownBy(() -> new StreamNlpConfig(with(StreamNlpConfig.LATENCY_MODE_CONFIG, "fast")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("latency.mode");
  }

  @Test
  void documentedDefaultsApply() {
    StreamNlpConfig c = new StreamNlpConfig(minimal());
    assertThat(c.dlqTopic()).isEqualTo("out-dlq");
    assertThat(c.inputFormat()).isEqualTo(StreamNlpConfig.InputFormat.STRING);
    assertThat(c.encoder()).isEqualTo("attention");
    assertThat(c.executionProvider()).isEqualTo("cpu");
    assertThat(c.getInt(StreamNlpConfig.BATCH_SIZE_CONFIG)).isEqualTo(32);
    assertThat(c.getLong(StreamNlpConfig.BATCH_MAX_WAIT_MS_CONFIG)).isEqualTo(50L);
    assertThat(c.outputFields()).containsExactly(StreamNlpConfig.OutputField.LABEL,
        StreamNlpConfig.OutputField.SCORES, StreamNlpConfig.OutputField.POLARITY);
    assertThat(c.getInt(StreamNlpConfig.DLQ_MAX_VALUE_BYTES_CONFIG)).isEqualTo(256 * 1024);
    assertThat(c.getLong(StreamNlpConfig.SCHEMA_REGISTRY_OUTAGE_MAX_MS_CONFIG)).isEqualTo(300_000L);
    assertThat(c.modelDir()).isEqualTo("classpath:models/minilm-l6-sentiment3");
  }

  @Test
  void modelDirFollowsTheEncoderUnlessSet() {
    assertThat(new StreamNlpConfig(with("encoder", "rnn")).modelDir()).isEqualTo("classpath:models/gru-sentiment3");
    assertThat(new StreamNlpConfig(with("model.dir", " /opt/models/mine ")).modelDir())
        .isEqualTo("/opt/models/mine");
  }

  @Test
  void passesEveryOtherKeyToKafkaStreams() {
    Map<String, Object> p = minimal();
    p.put("application.id", "app");
    p.put("num.stream.threads", "3");
    p.put("batch.size", "8");
    Map<String, Object> streams = new StreamNlpConfig(p).streamsProperties();
    assertThat(streams).containsEntry("application.id", "app").containsEntry("num.stream.threads", "3")
        .doesNotContainKeys("batch.size", "input.topics", "output.topic");
  }

  @Test
  void aLibraryPipelineNeedsNoTopicButADeadLetterTopicWhileTheStandaloneTopologyNeedsBoth() {
    Map<String, Object> library = new HashMap<>(Map.of("dlq.topic", "chat-dlq"));
    StreamNlpConfig config = new StreamNlpConfig(library);
    assertThat(config.dlqTopic()).isEqualTo("chat-dlq");
    assertThatThrownBy(config::requireStandaloneTopics).isInstanceOf(ConfigException.class)
        .hasMessageContaining("input.topics");
    Map<String, Object> noOutput = new HashMap<>(library);
    noOutput.put("input.topics", "chat");
    assertThatThrownBy(() -> new StreamNlpConfig(noOutput).requireStandaloneTopics())
        .isInstanceOf(ConfigException.class).hasMessageContaining("output.topic");

    assertThatThrownBy(() -> new StreamNlpConfig(Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("dlq.topic").hasMessageContaining("errors.dead.letter.queue.topic.name");
  }

  @Test
  void deadLettersGoToKafkasOwnDeadLetterTopicWhenItIsSetAndDlqTopicIsNot() {
    Map<String, Object> p = minimal();
    p.put("errors.dead.letter.queue.topic.name", "all-dead-letters");
    StreamNlpConfig config = new StreamNlpConfig(p);
    assertThat(config.dlqTopic()).isEqualTo("all-dead-letters");
    // Kafka Streams keeps its key, so its own handlers write there too.
    assertThat(config.streamsProperties()).containsEntry("errors.dead.letter.queue.topic.name", "all-dead-letters");
    p.put("dlq.topic", "mine");
    assertThat(new StreamNlpConfig(p).dlqTopic()).isEqualTo("mine");
    assertThat(new StreamNlpConfig(minimal()).dlqTopic()).isEqualTo("out-dlq");
  }

  @Test
  void rejectsMissingAndInvalidValuesNamingTheKey() {
    assertThatThrownBy(() -> new StreamNlpConfig(with("input.format", "xml")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("input.format");
    assertThatThrownBy(() -> new StreamNlpConfig(with("batch.size", "0")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("batch.size");
    assertThatThrownBy(() -> new StreamNlpConfig(with("execution.provider", "tpu")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("execution.provider");
    assertThatThrownBy(() -> new StreamNlpConfig(with("output.fields", "label,sentiment")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("sentiment");
    assertThatThrownBy(() -> new StreamNlpConfig(with("value.subject.name.strategy", "bogus")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("value.subject.name.strategy");
  }

  @Test
  void rejectsAnOutputTopicThatIsAlsoAnInput() {
    assertThatThrownBy(() -> new StreamNlpConfig(with("input.topics", "in,out")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("both an input topic");
    assertThatThrownBy(() -> new StreamNlpConfig(with("dlq.topic", "out")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("dead-letter topic must differ");
  }

  @Test
  void acceptsConfluentStrategyClassNames() {
    assertThat(new StreamNlpConfig(with("value.subject.name.strategy",
        "io.confluent.kafka.serializers.subject.RecordNameStrategy")).valueSubjectNameStrategy())
        .isEqualTo(StreamNlpConfig.SubjectNameStrategy.RECORD);
  }

  @Test
  void failsAtStartUpWhenTheEncoderDoesNotMatchTheModelOrNoRegistryIsSet() {
    assertThatThrownBy(() -> StreamNlp.create(with("model.dir", "classpath:models/gru-sentiment3"),
        new InMemorySchemaRegistryClient()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("is of kind 'rnn'")
        .hasMessageContaining("encoder=rnn");
    Map<String, Object> rnnWithAttentionModel = with("encoder", "rnn");
    rnnWithAttentionModel.put("model.dir", "classpath:models/minilm-l6-sentiment3");
    assertThatThrownBy(() -> StreamNlp.create(rnnWithAttentionModel, new InMemorySchemaRegistryClient()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("is of kind 'attention'");
    assertThatThrownBy(() -> StreamNlp.create(minimal()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url");
    assertThatThrownBy(() -> StreamNlp.create(with("max.tokens", "1000"), new InMemorySchemaRegistryClient()))
        .hasMessageContaining("max.tokens=1000 exceeds").hasMessageContaining("at most 256");
  }
}
