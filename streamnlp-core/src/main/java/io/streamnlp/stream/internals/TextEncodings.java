package io.streamnlp.stream.internals;

import io.streamnlp.avro.ModelInfo;
import io.streamnlp.avro.SourcePosition;
import io.streamnlp.avro.TextEncoding;
import io.streamnlp.avro.TokenWeight;
import io.streamnlp.config.StreamNlpConfig.OutputField;
import io.streamnlp.model.internals.ContextualEncoder;
import io.streamnlp.model.internals.EncoderResult;
import io.streamnlp.text.internals.HuggingFaceTextTokenizer;
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
  private final io.streamnlp.model.ModelInfo.PolarLabels polarity;
  private final HuggingFaceTextTokenizer tokenizer;
  private final int topK;
  private final ModelInfo rereadBy;

  public TextEncodings(io.streamnlp.model.ModelInfo info, Set<OutputField> fields) {
    this(info, fields, null, 0);
  }

  public TextEncodings(io.streamnlp.model.ModelInfo info, Set<OutputField> fields,
                       HuggingFaceTextTokenizer tokenizer, int topK) {
    this(info, fields, tokenizer, topK, null);
  }

  /**
   * @param tokenizer names the tokens of explanations; needed when {@code fields} has EXPLANATION
   * @param topK how many tokens an explanation lists
   * @param rereadBy the cascade's attention model, named in the results it re-read; null for other encoders
   */
  public TextEncodings(io.streamnlp.model.ModelInfo info, Set<OutputField> fields,
                       HuggingFaceTextTokenizer tokenizer, int topK, io.streamnlp.model.ModelInfo rereadBy) {
    this.tokenizer = fields.contains(OutputField.EXPLANATION) ? java.util.Objects.requireNonNull(tokenizer)
        : null;
    this.topK = topK;
    this.rereadBy = rereadBy == null ? null : new ModelInfo(rereadBy.name(), rereadBy.version(), rereadBy.kind());
    this.model = new ModelInfo(info.name(), info.version(), info.kind());
    this.labels = info.labels();
    this.label = fields.contains(OutputField.LABEL);
    this.scores = fields.contains(OutputField.SCORES);
    this.embedding = fields.contains(OutputField.EMBEDDING);
    this.polarity = fields.contains(OutputField.POLARITY) ? info.polarity() : null;
  }

  public TextEncoding build(PendingMessage m, MessageBatchEncoder.Encoded encoded, int batchSize,
                            long latencyMicros, long nowMs) {
    EncoderResult r = encoded.result();
    io.streamnlp.stream.internals.SourcePosition s = m.source();
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
        .setStateSteps(encoded.stateSteps())
        .setRereadBy(encoded.reread() ? rereadBy : null);
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
    b.setPolarity(polarity == null ? null : polarity.of(r.scores()));
    b.setExplanation(tokenizer == null || r.tokenWeights() == null ? null
        : explanation(m.tokenIds(), r.tokenWeights(), encoded.context(), r.contextWeights()));
    return b.build();
  }

  /**
   * The topK tokens by attention weight, from the message and from its context, strongest first, special
   * tokens left out. Positions are those of the model input.
   */
  private List<TokenWeight> explanation(long[] ids, float[] weights, long[] context, float[] contextWeights) {
    record Candidate(long id, int position, float weight, boolean fromContext) {}
    int c = context == null || contextWeights == null ? 0 : context.length;
    List<Candidate> all = new ArrayList<>();
    for (int j = 0; j < Math.min(ids.length, weights.length); j++) {
      if (!tokenizer.isSpecial(ids[j])) {
        all.add(new Candidate(ids[j], ContextualEncoder.messagePosition(j, c), weights[j], false));
      }
    }
    for (int j = 0; j < c; j++) {
      all.add(new Candidate(context[j], 1 + j, contextWeights[j], true));
    }
    all.sort((a, d) -> Float.compare(d.weight(), a.weight()));
    List<TokenWeight> top = new ArrayList<>(Math.min(topK, all.size()));
    for (Candidate x : all.subList(0, Math.min(topK, all.size()))) {
      top.add(new TokenWeight(tokenizer.token(x.id()), x.position(), x.weight(), x.fromContext()));
    }
    return top;
  }
}
