package io.streamnlp.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka cluster, one process acting as KRaft controller and broker, started in this JVM
 * from Kafka's own server jars: the storage is formatted as {@code kafka-storage.sh format} does and the
 * server is the one {@code kafka-server-start.sh} runs. It listens on 127.0.0.1 only and keeps its data in
 * a temporary directory that is deleted on close. Used by {@code demo} and the integration tests.
 */
public final class LocalKafkaCluster implements AutoCloseable {
  private final KafkaConfig config;
  private KafkaRaftServer server;
  private final Path dataDir;
  private final String bootstrapServers;
  private final boolean deleteOnClose;

  private LocalKafkaCluster(KafkaConfig config, KafkaRaftServer server, Path dataDir, String bootstrapServers,
                            boolean deleteOnClose) {
    this.config = config;
    this.server = server;
    this.dataDir = dataDir;
    this.bootstrapServers = bootstrapServers;
    this.deleteOnClose = deleteOnClose;
  }

  public static LocalKafkaCluster start() throws Exception {
    return start(Files.createTempDirectory("streamnlp-kafka"), 0, true);
  }

  /**
   * @param dataDir  where the broker keeps its logs; an existing formatted directory is reused
   * @param port     client port, 0 for any free port
   */
  public static LocalKafkaCluster start(Path dataDir, int port, boolean deleteOnClose) throws Exception {
    int brokerPort = port == 0 ? freePort() : port;
    int controllerPort = controllerPort(dataDir);
    String logDir = dataDir.resolve("kraft-combined-logs").toString();
    Properties props = new Properties();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("log.dirs", logDir);
    // One broker: internal topics cannot be replicated, and consumer groups should start at once.
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "5");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("transaction.state.log.num.partitions", "5");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("auto.create.topics.enable", "false");
    props.put("num.partitions", "1");
    KafkaConfig config = new KafkaConfig(props, false);

    if (!Files.exists(Path.of(logDir, "meta.properties"))) {
      new Formatter()
          .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
          .setNodeId(1)
          .setClusterId(Uuid.randomUuid().toString())
          .addDirectory(logDir)
          .setMetadataLogDirectory(logDir)
          .setControllerListenerName("CONTROLLER")
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .run();
    }
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
    LocalKafkaCluster cluster = new LocalKafkaCluster(config, server, dataDir, "127.0.0.1:" + brokerPort,
        deleteOnClose);
    try {
      cluster.awaitReady();
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /**
   * The controller's port: a new free one for new data, the one the data was made with otherwise (kept in
   * the data directory), so a cluster restarted on its old data finds its own quorum again.
   */
  private static int controllerPort(Path dataDir) throws IOException {
    Path file = dataDir.resolve("controller.port");
    if (Files.exists(file)) {
      return Integer.parseInt(Files.readString(file).trim());
    }
    int port = freePort();
    Files.createDirectories(dataDir);
    Files.writeString(file, Integer.toString(port));
    return port;
  }

  /** A port free on 127.0.0.1 now. */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void awaitReady() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    Exception last = null;
    try (Admin admin = admin()) {
      while (System.nanoTime() < deadline) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          last = e;
        }
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("the local Kafka broker did not become ready in 60 s", last);
  }

  /** Stops the broker as a crash of its machine would look to clients, keeping its data and ports. */
  public synchronized void stop() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }

  /** Starts a stopped broker again on the same ports with the same data, and waits until it serves clients. */
  public synchronized void restart() throws Exception {
    if (server == null) {
      server = new KafkaRaftServer(config, Time.SYSTEM);
      server.startup();
      awaitReady();
    }
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
  }

  /** Creates topics (replication factor 1), ignoring those that exist. */
  public void createTopics(int partitions, String... topics) {
    createTopics(partitions, Map.of(), topics);
  }

  /** Creates topics (replication factor 1) with topic-level configs, ignoring those that exist. */
  public void createTopics(int partitions, Map<String, String> configs, String... topics) {
    List<NewTopic> newTopics = new ArrayList<>();
    for (String t : topics) {
      newTopics.add(new NewTopic(t, partitions, (short) 1).configs(configs));
    }
    Topics.createIfAbsent(bootstrapServers, newTopics);
  }

  @Override
  public void close() throws IOException {
    stop();
    if (deleteOnClose) {
      Utils.delete(dataDir.toFile());
    }
  }
}
