package io.streamnlp.app;

import io.streamnlp.local.LocalEnvironment;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code streamnlp local}: a broker and a registry on this machine, for {@code run}, until Ctrl-C. */
@Command(name = "local", mixinStandardHelpOptions = true,
    description = "Start a local Kafka broker (KRaft, in this JVM) and the local development schema registry, "
        + "print the settings a 'run' needs, and keep them up until Ctrl-C.")
final class LocalCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--topic", description = "Create a topic, as NAME or NAME:PARTITIONS (repeatable).")
  List<String> topics = new ArrayList<>();

  @Option(names = "--data-dir", description = "Keep the broker's data (topics, messages, schemas) here, across "
      + "restarts; by default everything is deleted on exit.")
  Path dataDir;

  @Option(names = "--port", defaultValue = "" + LocalEnvironment.DEFAULT_BROKER_PORT,
      description = "Broker port (default ${DEFAULT-VALUE}; 0 for any free port).")
  int port;

  @Option(names = "--registry-port", defaultValue = "" + LocalEnvironment.DEFAULT_REGISTRY_PORT,
      description = "Schema registry port (default ${DEFAULT-VALUE}; 0 for any free port).")
  int registryPort;

  /** Counted down on Ctrl-C (or by a test) to stop the cluster. */
  final CountDownLatch stop = new CountDownLatch(1);

  @Override
  public Integer call() throws Exception {
    List<NewTopic> wanted = new ArrayList<>();
    for (String t : topics) {
      wanted.add(LocalEnvironment.topic(t));
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("streamnlp local: starting a Kafka broker (KRaft) and the local development schema registry ...");
    out.flush();
    CountDownLatch closed = new CountDownLatch(1);
    try (LocalEnvironment local = LocalEnvironment.start(dataDir, port, registryPort, wanted)) {
      Thread hook = new Thread(() -> {
        stop.countDown();
        try {
          closed.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "streamnlp-local-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      out.println("# for 'run --config' (or -D):");
      out.println("bootstrap.servers=" + local.bootstrapServers());
      out.println("schema.registry.url=" + local.schemaRegistryUrl());
      for (NewTopic t : local.topics()) {
        out.println("# topic " + t.name() + " (" + t.numPartitions() + " partition" + (t.numPartitions() == 1 ? ""
            : "s") + ")");
      }
      out.println(dataDir == null ? "# data is deleted on exit; --data-dir keeps it"
          : "# data kept in " + dataDir.toAbsolutePath());
      out.println("# running; Ctrl-C stops it");
      out.flush();
      stop.await();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is what woke us: it waits for the close below.
      }
    } finally {
      closed.countDown();
    }
    return 0;
  }
}
