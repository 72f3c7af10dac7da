package io.streamnlp.model;

import java.util.List;

/** Identity of a loaded model, written into every output record. */
public record ModelInfo(String name, String version, String kind, List<String> labels, int embeddingDim) {}
