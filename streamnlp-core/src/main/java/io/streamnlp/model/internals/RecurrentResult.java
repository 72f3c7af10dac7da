package io.streamnlp.model.internals;

/**
 * What a recurrent encoder makes of one message: the usual result plus the hidden state after the
 * message's last token ({@code layers x hiddenSize} floats, layer-major), from which the key's next message
 * continues.
 */
public record RecurrentResult(EncoderResult result, float[] finalState) {}
