package io.streamnlp.stream.internals;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Deletes the entries of a per-key store that a predicate calls stale, examining at most {@code maxKeys}
 * keys per call and continuing where the previous call stopped, so a sweep never stalls a task however many
 * keys it holds.
 */
final class BoundedSweep<V> {
  private final KeyValueStore<Bytes, V> store;
  private final int maxKeys;
  private Bytes from;

  BoundedSweep(KeyValueStore<Bytes, V> store, int maxKeys) {
    this.store = store;
    this.maxKeys = maxKeys;
  }

  /** @return how many entries were deleted */
  int sweep(Predicate<V> stale) {
    List<Bytes> doomed = new ArrayList<>();
    int examined = 0;
    Bytes next = null;
    try (KeyValueIterator<Bytes, V> it = from == null ? store.all() : store.range(from, null)) {
      while (it.hasNext()) {
        KeyValue<Bytes, V> kv = it.next();
        if (examined == maxKeys) {
          next = kv.key;
          break;
        }
        examined++;
        if (stale.test(kv.value)) {
          doomed.add(kv.key);
        }
      }
    }
    // Deleted after the iterator is closed: not every store allows changes under an open iterator.
    doomed.forEach(store::delete);
    from = next;
    return doomed.size();
  }
}
