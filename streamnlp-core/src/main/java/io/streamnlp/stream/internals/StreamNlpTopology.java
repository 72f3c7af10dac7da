package io.streamnlp.stream.internals;

import io.streamnlp.avro.TextEncoding;
import io.streamnlp.text.internals.HuggingFaceTextTokenizer;
import io.streamnlp.text.internals.TextExtractor;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Wires one pipeline's processors into a user's stream:
 * <pre>
 *   bytes ─► decode+tokenize ─┬─► micro-batch encode ─┬─► TextEncoding
 *                             └─► dead letters ◄──────┘
 * </pre>
 * Dead letters go to the dead-letter topic with their original bytes; encodings are returned to the caller.
 * Every processor and store name derives from the pipeline's {@link PipelineNames}.
 */
public final class StreamNlpTopology {

  /**
   * What the pipeline needs; factories are called once per stream task.
   *
   * @param names the pipeline's processor and store names
   * @param encoders makes the task's batch encoder, which uses the stores in {@code stores}
   * @param stores state stores the encoders use, besides the buffer
   * @param rejectNullKeys send records with a null key to the dead-letter topic
   * @param deadLetters where dead letters go and how large they may be
   * @param meters streamnlp's Micrometer meters of this pipeline, shared by every task
   */
  public record Parts(PipelineNames names, Supplier<TextExtractor> extractors, HuggingFaceTextTokenizer tokenizer,
                      Supplier<MessageBatchEncoder> encoders, Set<StoreBuilder<?>> stores, boolean rejectNullKeys,
                      TextEncodings results, BatchPolicy batching, DeadLetterPolicy deadLetters,
                      PipelineMeters meters) {}

  private StreamNlpTopology() {}

  /** The store of per-key context windows, persistent and changelogged, for {@link Parts#stores()}. */
  public static StoreBuilder<KeyValueStore<Bytes, ContextWindow>> contextStore(PipelineNames names) {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(names.contextStore()), Serdes.Bytes(),
        new ContextWindow.ContextWindowSerde()).withLoggingEnabled(Map.of());
  }

  /**
   * The store of per-key RNN states, persistent and changelogged, for {@link Parts#stores()}. Cached: a key
   * that several messages of one commit interval advance is read from the cache and written to RocksDB and
   * its changelog once, at the commit.
   */
  public static StoreBuilder<KeyValueStore<Bytes, RnnState>> rnnStateStore(PipelineNames names) {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(names.rnnStateStore()), Serdes.Bytes(),
        new RnnStateSerde()).withCachingEnabled().withLoggingEnabled(Map.of());
  }

  public static KStream<byte[], TextEncoding> encode(KStream<byte[], byte[]> input, Parts parts) {
    PipelineNames names = parts.names();
    KStream<byte[], Routed<PendingMessage>> decoded = input.processValues(
        () -> new DecodeAndTokenizeProcessor(names, parts.extractors().get(), parts.tokenizer(),
            parts.rejectNullKeys()),
        Named.as(names.processor("decode")));
    KStream<byte[], PendingMessage> accepted = acceptOrDeadLetter(decoded, names.processor("decoded-"), parts);

    // Cached: a message buffered and encoded within one commit interval is put and deleted in the cache, and only
    // its delete reaches the changelog (one record instead of two); what is still buffered at a commit is flushed
    // to the changelog before the offsets, so a crash loses nothing.
    StoreBuilder<KeyValueStore<Long, PendingMessage>> buffer = Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(names.bufferStore()), Serdes.Long(), new PendingMessageSerde())
        .withCachingEnabled()
        .withLoggingEnabled(Map.of());
    ProcessorSupplier<byte[], PendingMessage, byte[], Routed<TextEncoding>> encoder =
        new ProcessorSupplier<>() {
          @Override
          public MicroBatchEncodeProcessor get() {
            return new MicroBatchEncodeProcessor(names, parts.encoders(), parts.results(), parts.batching(),
                parts.meters());
          }

          @Override
          public Set<StoreBuilder<?>> stores() {
            Set<StoreBuilder<?>> all = new HashSet<>(parts.stores());
            all.add(buffer);
            return all;
          }
        };
    KStream<byte[], Routed<TextEncoding>> encoded = accepted.process(encoder, Named.as(names.processor("encode")));
    return acceptOrDeadLetter(encoded, names.processor("encoded-"), parts);
  }

  /**
   * Writes {@code records} to {@code topic}, serialized by {@code serializer}; a record the topic would refuse
   * becomes a dead letter (OUTPUT_REJECTED) instead. Use it for every sink of the pipeline's results.
   *
   * @param name      prefix of the processor names, unique in the topology
   * @param sourceOf  where the input behind a value was read, or null to take it from the record context
   */
  public static <V> void write(KStream<byte[], V> records, String topic, Serializer<V> serializer,
                               Function<V, SourcePosition> sourceOf, String name, Parts parts) {
    KStream<byte[], Routed<byte[]>> guarded = records.processValues(
        () -> new SinkGuard<>(name, topic, serializer, sourceOf), Named.as(name + "-guard"));
    acceptOrDeadLetter(guarded, name + "-", parts)
        .to(topic, Produced.<byte[], byte[]>with(Serdes.ByteArray(), Serdes.ByteArray()).withName(name + "-sink"));
  }

  private static <T> KStream<byte[], T> acceptOrDeadLetter(KStream<byte[], Routed<T>> routed, String name,
                                                         Parts parts) {
    Map<String, KStream<byte[], Routed<T>>> branches = routed.split(Named.as(name))
        .branch((k, v) -> v.isRejected(), Branched.as("rejected"))
        .defaultBranch(Branched.as("accepted"));
    String pipeline = parts.names().pipeline();
    branches.get(name + "rejected")
        .process(() -> new DeadLetterWriter<T>(pipeline, parts.deadLetters(), parts.meters()),
            Named.as(name + "dead-letter-writer"))
        .to(parts.deadLetters().topic(), Produced.<byte[], byte[]>with(Serdes.ByteArray(), Serdes.ByteArray())
            .withName(name + "dead-letter-sink"));
    return branches.get(name + "accepted").mapValues(Routed::value, Named.as(name + "value"));
  }
}
