package io.streamnlp.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnlp.stream.internals.SinkLimits;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.Result;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class SinkRejectionHandlerTest {
  private final SinkLimits limits = new SinkLimits(1_000_000);
  private final SinkRejectionHandler handler = new SinkRejectionHandler();

  SinkRejectionHandlerTest() {
    handler.configure(Map.of(SinkLimits.CONFIG, limits));
  }

  private static final ErrorHandlerContext CONTEXT = new ErrorHandlerContext() {
    public String topic() { return "in"; }
    public int partition() { return 2; }
    public long offset() { return 41; }
    public org.apache.kafka.common.header.Headers headers() { return new RecordHeaders(); }
    public String processorNodeId() { return "sink"; }
    public TaskId taskId() { return new TaskId(0, 2); }
    public long timestamp() { return 7; }
    public byte[] sourceRawKey() { return null; }
    public byte[] sourceRawValue() { return null; }
  };

  @Test
  void aRecordTooLargeIsRememberedAndFailsTheThreadSoThatItsInputIsProcessedAgain() {
    ProducerRecord<byte[], byte[]> big = new ProducerRecord<>("out", "k".getBytes(StandardCharsets.UTF_8),
        new byte[5000]);
    var response = handler.handleError(CONTEXT, big, new RecordTooLargeException("too large"));
    assertThat(response.result()).isEqualTo(Result.FAIL);
    assertThat(response.deadLetterQueueRecords()).as("written by the guard when the input comes again").isEmpty();
    assertThat(limits.maxRecordBytes("out")).isLessThan(SinkLimits.recordBytes(big.key(), big.value(), null));
    assertThat(limits.refusal("out", big.key(), big.value(), null)).isNotNull();
    assertThat(limits.rejectedByBroker()).isEqualTo(1);
  }

  @Test
  void aKeylessRecordRefusedAsInvalidMakesTheTopicRequireKeys() {
    handler.handleError(CONTEXT, new ProducerRecord<>("out", null, new byte[10]),
        new InvalidRecordException("compacted topic needs keys"));
    assertThat(limits.requiresKey("out")).isTrue();
  }

  @Test
  void transientErrorsAreRetriedAndOthersFail() {
    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>("out", new byte[1], new byte[1]);
    assertThat(handler.handleError(CONTEXT, r, new NotLeaderOrFollowerException("moving")).result())
        .isEqualTo(Result.RETRY);
    assertThat(handler.handleError(CONTEXT, r, new TopicAuthorizationException("no")).result())
        .isEqualTo(Result.FAIL);
    assertThat(limits.rejectedByBroker()).as("only refusals of a record are counted").isZero();
  }
}
