package io.streamnlp.local;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creating the topics the local tools need, leaving topics that already exist as they are, and waiting until
 * every partition has a leader: a burst produced to a topic whose partitions are still being assigned can
 * fail with NOT_LEADER_OR_FOLLOWER and lose records.
 */
public final class Topics {
  private Topics() {}

  public static void createIfAbsent(String bootstrapServers, Collection<NewTopic> topics) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      admin.createTopics(topics).values().forEach((name, f) -> {
        try {
          f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("cannot create topic " + name, e.getCause());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while creating topic " + name, e);
        } catch (TimeoutException e) {
          throw new IllegalStateException("timed out creating topic " + name, e);
        }
      });
      awaitLeaders(admin, topics.stream().map(NewTopic::name).toList());
    }
  }

  private static void awaitLeaders(Admin admin, Collection<String> names) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        boolean ready = admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS).values().stream()
            .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
        if (ready) {
          return;
        }
      } catch (ExecutionException | TimeoutException e) {
        // Metadata not there yet: ask again.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for partition leaders", e);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the partitions of " + names + " have no leader after 30 s");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for partition leaders", e);
      }
    }
  }
}
