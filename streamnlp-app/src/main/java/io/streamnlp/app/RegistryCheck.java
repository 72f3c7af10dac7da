package io.streamnlp.app;

import io.streamnlp.avro.SentimentWindow;
import io.streamnlp.avro.TextEncoding;
import io.streamnlp.config.StreamNlpConfig;
import io.streamnlp.internals.StartupCheckException;
import io.streamnlp.serde.HttpSchemaRegistryClient;
import io.streamnlp.serde.SchemaRegistryException;
import io.streamnlp.serde.internals.SubjectNames;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Before the standalone app starts: the schema registry answers, and takes (or already has) the schemas the app
 * writes under their subjects. Registering them now is what the first result would do anyway; doing it first
 * turns a wrong URL, wrong credentials or an incompatible subject into one line at start, instead of a pipeline
 * that waits out a "registry outage" for schema.registry.outage.max.ms and then fails its threads.
 */
final class RegistryCheck {
  /** One request, briefly retried: a registry that is there answers at once. */
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private RegistryCheck() {}

  static void require(StreamNlpConfig config) {
    Map<String, Schema> written = new LinkedHashMap<>();
    written.put(config.outputTopic(), TextEncoding.getClassSchema());
    if (!config.aggregatesTopic().isEmpty()) {
      written.put(config.aggregatesTopic(), SentimentWindow.getClassSchema());
    }
    boolean register = config.getBoolean(StreamNlpConfig.AUTO_REGISTER_SCHEMAS_CONFIG);
    try (HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(new HttpSchemaRegistryClient.Settings(
        config.schemaRegistryUrls(), TIMEOUT, 1, 200, config.schemaRegistryBasicAuth(),
        config.schemaRegistryBearerToken(), 0))) {
      for (Map.Entry<String, Schema> e : written.entrySet()) {
        String subject = SubjectNames.subject(config.valueSubjectNameStrategy(), e.getKey(), false, e.getValue());
        try {
          if (register) {
            registry.register(subject, e.getValue());
          } else {
            registry.idOf(subject, e.getValue());
          }
        } catch (SchemaRegistryException refused) {
          throw new StartupCheckException(why(refused, subject, register, config), refused);
        }
      }
    }
  }

  private static String why(SchemaRegistryException e, String subject, boolean register, StreamNlpConfig config) {
    if (e.status() < 0 || e.status() >= 500 || e.status() == 408 || e.status() == 429) {
      return "cannot reach the schema registry at " + String.join(",", config.schemaRegistryUrls()) + " ("
          + e.getMessage() + "). Check schema.registry.url and that the registry runs.";
    }
    if (e.status() == 401 || e.status() == 403) {
      return "the schema registry refused the credentials (HTTP " + e.status() + "). Check "
          + StreamNlpConfig.SCHEMA_REGISTRY_BASIC_AUTH_CONFIG + " or " + StreamNlpConfig.SCHEMA_REGISTRY_BEARER_TOKEN_CONFIG
          + ".";
    }
    if (e.isNotFound() && !register) {
      return "the output schema is not registered under subject '" + subject + "' and auto.register.schemas=false: "
          + "register it (streamnlp-core's io/streamnlp/avro/*.avsc), or set auto.register.schemas=true.";
    }
    if (e.status() == 409) {
      return "the schema registry refuses the output schema under subject '" + subject + "' as incompatible with "
          + "the versions already there (" + e.getMessage() + "). Write to another topic, or change the subject's "
          + "compatibility.";
    }
    return "the schema registry refused the output schema under subject '" + subject + "': " + e.getMessage();
  }
}
