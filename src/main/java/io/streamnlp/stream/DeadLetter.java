package io.streamnlp.stream;

import io.streamnlp.text.RejectionReason;

/** A record that cannot be encoded: the original value bytes and why. */
public record DeadLetter(byte[] originalValue, RejectionReason reason, String message, String errorClass) {}
