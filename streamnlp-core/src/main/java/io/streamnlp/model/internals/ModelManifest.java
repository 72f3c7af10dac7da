package io.streamnlp.model.internals;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json} of a model directory: what the model is, where its files are, and how its inputs
 * and outputs are named. File locations are relative to the manifest, or {@code classpath:} resources.
 * Unknown fields (licence, data source, evaluation figures) are kept for people and ignored here.
 * {@code sessionOptions} are ONNX Runtime session configuration entries the model needs (for example
 * {@code session.disable_quant_qdq=1} so int8-stored weights are folded back to float at load time).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelManifest(
    @JsonProperty(value = "name", required = true) String name,
    @JsonProperty(value = "version", required = true) String version,
    @JsonProperty(value = "kind", required = true) String kind,
    @JsonProperty(value = "files", required = true) Files files,
    @JsonProperty(value = "maxTokens", required = true) int maxTokens,
    @JsonProperty(value = "inputs", required = true) Inputs inputs,
    @JsonProperty(value = "outputs", required = true) Outputs outputs,
    @JsonProperty("pooling") String pooling,
    @JsonProperty(value = "embeddingDim", required = true) int embeddingDim,
    @JsonProperty(value = "labels", required = true) List<String> labels,
    @JsonProperty(value = "head", required = true) Head head,
    @JsonProperty("state") State state,
    @JsonProperty("sessionOptions") Map<String, String> sessionOptions,
    @JsonProperty("polarity") Polarity polarity) {

  public ModelManifest {
    sessionOptions = sessionOptions == null ? Map.of() : Map.copyOf(sessionOptions);
  }

  /**
   * Which of the labels are the positive and the negative pole, so that a result's {@code polarity} is
   * p(positive) - p(negative), in [-1, 1]. Optional: a model without it writes no polarity.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Polarity(@JsonProperty(value = "positive", required = true) String positive,
                         @JsonProperty(value = "negative", required = true) String negative) {}

  public boolean isRecurrent() {
    return "rnn".equals(kind);
  }

  /** Where the model's files are. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Files(@JsonProperty(value = "onnx", required = true) String onnx,
                      @JsonProperty(value = "tokenizer", required = true) String tokenizer) {}

  /**
   * ONNX input names. Attention models take {@code attentionMask} [B,T] (and {@code tokenTypeIds} if they
   * need it, and {@code poolingMask} [B,T] if they can pool over part of the input, the message without its
   * context); recurrent models take {@code lengths} [B] and the {@code initialState} [layers,B,H] to
   * continue from.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Inputs(@JsonProperty(value = "inputIds", required = true) String inputIds,
                       @JsonProperty("attentionMask") String attentionMask,
                       @JsonProperty("tokenTypeIds") String tokenTypeIds,
                       @JsonProperty("poolingMask") String poolingMask,
                       @JsonProperty("lengths") String lengths,
                       @JsonProperty("initialState") String initialState) {

    /** The declared input names, in a fixed order. */
    public List<String> declared() {
      return java.util.stream.Stream.of(inputIds, attentionMask, tokenTypeIds, poolingMask, lengths,
              initialState)
          .filter(java.util.Objects::nonNull).toList();
    }
  }

  /**
   * ONNX output names. A model gives either a pooled {@code embedding} [B,D] or {@code hiddenStates}
   * [B,T,D] pooled here; {@code logits} [B,labels] is needed by the 'logits' head. Attention models may
   * give the last layer's {@code attention} [B,heads,T,T]; recurrent models give the {@code finalState}
   * [layers,B,H] to carry into the next call.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Outputs(@JsonProperty("hiddenStates") String hiddenStates,
                        @JsonProperty("embedding") String embedding,
                        @JsonProperty("logits") String logits,
                        @JsonProperty("attention") String attention,
                        @JsonProperty("finalState") String finalState) {

    /** The declared output names, in a fixed order. */
    public List<String> declared() {
      return java.util.stream.Stream.of(hiddenStates, embedding, logits, attention, finalState)
          .filter(java.util.Objects::nonNull).toList();
    }
  }

  /** The recurrent state of an 'rnn' model: {@code layers} x {@code hiddenSize} floats per key. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record State(@JsonProperty(value = "layers", required = true) int layers,
                      @JsonProperty(value = "hiddenSize", required = true) int hiddenSize) {

    public int size() {
      return layers * hiddenSize;
    }
  }

  /**
   * How class scores are made: 'logits' (softmax of the model's logits output), 'prototype' (softmax of
   * the cosine similarity between the message's embedding and each label's prototype embedding, the mean
   * embedding of the example sentences given for it, divided by {@code temperature}) or 'linear' (softmax of a
   * trained linear head on the embedding, read from {@code file}, a {@code head.json} beside the manifest).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Head(@JsonProperty(value = "type", required = true) String type,
                     @JsonProperty("temperature") Double temperature,
                     @JsonProperty("prototypes") Map<String, List<String>> prototypes,
                     @JsonProperty("file") String file) {}
}
