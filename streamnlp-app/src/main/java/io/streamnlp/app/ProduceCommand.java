package io.streamnlp.app;

import io.streamnlp.local.LocalEnvironment;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code streamnlp produce}: one message per line of standard input, for trying a pipeline on your text. */
@Command(name = "produce", mixinStandardHelpOptions = true,
    description = "Send each line of standard input as one message (UTF-8). A line 'key<TAB>text' is sent "
        + "with that key; other lines have no key.")
final class ProduceCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--bootstrap-servers", defaultValue = "127.0.0.1:" + LocalEnvironment.DEFAULT_BROKER_PORT,
      description = "Kafka (default ${DEFAULT-VALUE}, where 'streamnlp local' listens).")
  String bootstrapServers;

  @Option(names = "--topic", required = true, description = "Topic to send to.")
  String topic;

  @Override
  public Integer call() throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
    int sent = 0;
    try (KafkaProducer<byte[], byte[]> producer =
             new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
         BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isBlank()) {
          continue;
        }
        int tab = line.indexOf('\t');
        byte[] key = tab < 0 ? null : line.substring(0, tab).getBytes(StandardCharsets.UTF_8);
        byte[] text = (tab < 0 ? line : line.substring(tab + 1)).getBytes(StandardCharsets.UTF_8);
        // Each line is sent before the next is read, so an interactive user sees a broken broker at once.
        producer.send(new ProducerRecord<>(topic, key, text)).get();
        sent++;
      }
    }
    PrintWriter err = spec.commandLine().getErr();
    err.println("streamnlp produce: sent " + sent + " message" + (sent == 1 ? "" : "s") + " to " + topic);
    err.flush();
    return 0;
  }
}
