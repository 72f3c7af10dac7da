package io.streamnlp.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json} of a model directory: what the model is, where its files are, and how its inputs
 * and outputs are named. File locations are relative to the manifest, or {@code classpath:} resources.
 * Unknown fields (licence, data source, evaluation figures) are kept for people and ignored here.
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
    @JsonProperty(value = "head", required = true) Head head) {

  /** Where the model's files are. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Files(@JsonProperty(value = "onnx", required = true) String onnx,
                      @JsonProperty(value = "tokenizer", required = true) String tokenizer) {}

  /** ONNX input names; {@code tokenTypeIds} is null for models that take none. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Inputs(@JsonProperty(value = "inputIds", required = true) String inputIds,
                       @JsonProperty(value = "attentionMask", required = true) String attentionMask,
                       @JsonProperty("tokenTypeIds") String tokenTypeIds) {}

  /**
   * ONNX output names. A model gives either a pooled {@code embedding} [B,D] or {@code hiddenStates}
   * [B,T,D] pooled here; {@code logits} [B,labels] is needed by the 'logits' head.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Outputs(@JsonProperty("hiddenStates") String hiddenStates,
                        @JsonProperty("embedding") String embedding,
                        @JsonProperty("logits") String logits) {}

  /**
   * How class scores are made: 'logits' (softmax of the model's logits output) or 'prototype' (softmax of
   * the cosine similarity between the message's embedding and each label's prototype embedding, the mean
   * embedding of the example sentences given for it, divided by {@code temperature}).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Head(@JsonProperty(value = "type", required = true) String type,
                     @JsonProperty("temperature") Double temperature,
                     @JsonProperty("prototypes") Map<String, List<String>> prototypes) {}
}
