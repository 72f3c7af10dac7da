package io.streamnlp.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnlp.local.LocalEnvironment;
import io.streamnlp.stream.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class LocalToolsTest {
  @Test
  void topicsAreNamedWithAnOptionalPartitionCount() {
    assertThat(LocalEnvironment.topic("chat").numPartitions()).isEqualTo(1);
    assertThat(LocalEnvironment.topic(" chat:12 ").numPartitions()).isEqualTo(12);
    assertThat(LocalEnvironment.topic("chat:12").name()).isEqualTo("chat");
    assertThatThrownBy(() -> LocalEnvironment.topic("chat:none")).hasMessageContaining("positive number");
    assertThatThrownBy(() -> LocalEnvironment.topic("chat:0")).hasMessageContaining("positive number");
    assertThatThrownBy(() -> LocalEnvironment.topic("a:1:2")).hasMessageContaining("NAME or NAME:PARTITIONS");
  }

  @Test
  void consumePrintsDeadLettersWithTheirReasonAndOtherValuesAsText() throws Exception {
    RecordHeaders headers = new RecordHeaders();
    headers.add(DeadLetterHeaders.REASON, "INVALID_UTF8".getBytes(StandardCharsets.UTF_8));
    headers.add(DeadLetterHeaders.OFFSET, "7".getBytes(StandardCharsets.UTF_8));
    ConsumerRecord<byte[], byte[]> letter = new ConsumerRecord<>("chat-dlq", 0, 3, 0L, TimestampType.CREATE_TIME,
        0, 0, "k".getBytes(StandardCharsets.UTF_8), new byte[] {'x', (byte) 0xFF}, headers, java.util.Optional.empty());
    JsonNode json = new ObjectMapper().readTree(ConsumeCommand.line(letter, null));
    assertThat(json.path("deadLetter").path("reason").asText()).isEqualTo("INVALID_UTF8");
    assertThat(json.path("deadLetter").path("offset").asText()).isEqualTo("7");
    assertThat(json.path("value").asText()).isEqualTo("<2 bytes, not UTF-8>");
    assertThat(json.path("offset").asLong()).isEqualTo(3);

    ConsumerRecord<byte[], byte[]> plain = new ConsumerRecord<>("chat", 1, 0, null,
        "héllo".getBytes(StandardCharsets.UTF_8));
    JsonNode text = new ObjectMapper().readTree(ConsumeCommand.line(plain, null));
    assertThat(text.path("value").asText()).isEqualTo("héllo");
    assertThat(text.path("key").isNull()).isTrue();
  }
}
