package io.streamnlp.stream.internals;

/**
 * The outcome of a processing step inside the topology: a value for the next step, or a dead letter. Only
 * passed between processors of one sub-topology, so it never needs a Serde.
 */
public sealed interface Routed<T> {

  record Accepted<T>(T value) implements Routed<T> {}

  record Rejected<T>(DeadLetter deadLetter) implements Routed<T> {}

  static <T> Routed<T> accepted(T value) {
    return new Accepted<>(value);
  }

  static <T> Routed<T> rejected(DeadLetter deadLetter) {
    return new Rejected<>(deadLetter);
  }

  default boolean isRejected() {
    return this instanceof Rejected;
  }

  default T value() {
    if (this instanceof Accepted<T> a) {
      return a.value();
    }
    throw new IllegalStateException("rejected record has no value");
  }

  default DeadLetter deadLetter() {
    if (this instanceof Rejected<T> r) {
      return r.deadLetter();
    }
    throw new IllegalStateException("accepted record has no dead letter");
  }
}
