package io.streamnlp.stream;

import io.streamnlp.avro.ModelInfo;
import io.streamnlp.avro.SourcePosition;
import io.streamnlp.avro.TextEncoding;
import io.streamnlp.config.StreamNlpConfig.OutputField;
import io.streamnlp.model.EncoderResult;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds the Avro output record of one encoded message, with only the result fields the user asked for. */
public final class TextEncodings {
  private final ModelInfo model;
  private final List<String> labels;
  private final boolean label;
  private final boolean scores;
  private final boolean embedding;

  public TextEncodings(io.streamnlp.model.ModelInfo info, Set<OutputField> fields) {
    this.model = new ModelInfo(info.name(), info.version(), info.kind());
    this.labels = info.labels();
    this.label = fields.contains(OutputField.LABEL);
    this.scores = fields.contains(OutputField.SCORES);
    this.embedding = fields.contains(OutputField.EMBEDDING);
  }

  public TextEncoding build(PendingMessage m, MessageBatchEncoder.Encoded encoded, int batchSize,
                            long latencyMicros, long nowMs) {
    EncoderResult r = encoded.result();
    io.streamnlp.stream.SourcePosition s = m.source();
    TextEncoding.Builder b = TextEncoding.newBuilder()
        .setSource(new SourcePosition(s.topic(), s.partition(), s.offset(), java.time.Instant.ofEpochMilli(
            s.timestamp())))
        .setKey(m.key() == null ? null : ByteBuffer.wrap(m.key()))
        .setModel(model)
        .setTokenCount(m.tokenIds().length)
        .setTruncated(m.truncated())
        .setBatchSize(batchSize)
        .setEncodeLatencyMicros(latencyMicros)
        .setQueuedMillis(Math.max(0, nowMs - m.arrivalMs()))
        .setStateSteps(encoded.stateSteps());
    b.setLabel(label ? labels.get(r.labelIndex()) : null);
    if (scores) {
      Map<String, Float> map = new LinkedHashMap<>();
      for (int i = 0; i < labels.size(); i++) {
        map.put(labels.get(i), r.scores()[i]);
      }
      b.setScores(map);
    } else {
      b.setScores(null);
    }
    if (embedding) {
      List<Float> v = new ArrayList<>(r.embedding().length);
      for (float x : r.embedding()) {
        v.add(x);
      }
      b.setEmbedding(v);
    } else {
      b.setEmbedding(null);
    }
    return b.build();
  }
}
