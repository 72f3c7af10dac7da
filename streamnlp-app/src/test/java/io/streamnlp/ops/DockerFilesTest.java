package io.streamnlp.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The docker/ files are never run here (no Docker engine), so they are kept correct by reading: the compose
 * file, Prometheus's scrape configuration and the Grafana provisioning parse, point at each other and at the
 * port streamnlp's configuration opens, and the dashboard only queries metrics streamnlp exports.
 */
class DockerFilesTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path DOCKER = Path.of("..", "docker");

  @Test
  void composePrometheusAndGrafanaFitTogether() throws Exception {
    Properties app = new Properties();
    try (Reader r = Files.newBufferedReader(DOCKER.resolve("streamnlp.properties"))) {
      app.load(r);
    }
    String port = app.getProperty("http.port");
    assertThat(port).isEqualTo("8080");

    JsonNode compose = YAML.readTree(DOCKER.resolve("docker-compose.yml").toFile());
    JsonNode services = compose.path("services");
    assertThat(services.fieldNames()).toIterable().contains("kafka", "schema-registry", "streamnlp", "prometheus",
        "grafana");
    assertThat(services.path("streamnlp").path("ports").toString()).contains(port + ":" + port);
    assertThat(services.path("prometheus").path("volumes").toString()).contains("./prometheus.yml:");
    for (JsonNode volume : services.path("grafana").path("volumes")) {
      String local = volume.asText().split(":")[0];
      assertThat(DOCKER.resolve(local)).as("mounted into grafana: %s", local).exists();
    }

    JsonNode prometheus = YAML.readTree(DOCKER.resolve("prometheus.yml").toFile());
    assertThat(prometheus.path("scrape_configs").get(0).path("static_configs").get(0).path("targets").get(0).asText())
        .isEqualTo("streamnlp:" + port);
    assertThat(prometheus.path("scrape_configs").get(0).path("metrics_path").asText()).isEqualTo("/metrics");
    JsonNode datasource = YAML.readTree(DOCKER.resolve("grafana/provisioning/datasources/prometheus.yml").toFile());
    assertThat(datasource.path("datasources").get(0).path("url").asText()).isEqualTo("http://prometheus:9090");

    assertThat(Files.readString(DOCKER.resolve("Dockerfile"))).contains("EXPOSE " + port, "HEALTHCHECK",
        "/dev/tcp/127.0.0.1/" + port, "/health/live");
  }

  @Test
  void theImageIsBuiltFromPathsThatExistAndRunsTheAppModulesJar() throws Exception {
    String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
    Matcher copy = Pattern.compile("(?m)^COPY (?!--from)(\\S+) ").matcher(dockerfile);
    int copies = 0;
    while (copy.find()) {
      // The build context is the repository root.
      assertThat(DOCKER.resolveSibling(copy.group(1))).as("COPY %s", copy.group(1)).exists();
      copies++;
    }
    assertThat(copies).isGreaterThanOrEqualTo(5);
    Matcher fromBuild = Pattern.compile("(?m)^COPY --from=build /src/(\\S+) ").matcher(dockerfile);
    List<String> built = new ArrayList<>();
    while (fromBuild.find()) {
      built.add(fromBuild.group(1));
    }
    assertThat(built).containsExactlyInAnyOrder("streamnlp-app/target/lib", "streamnlp-app/target/streamnlp.jar");
  }

  @Test
  void theDashboardQueriesOnlyMetricsStreamnlpExports() throws Exception {
    JsonNode dashboard = JSON.readTree(DOCKER.resolve("grafana/streamnlp-dashboard.json").toFile());
    assertThat(dashboard.path("uid").asText()).isEqualTo("streamnlp");
    List<String> metrics = new ArrayList<>();
    Pattern name = Pattern.compile("\\b((?:streamnlp|kafka|jvm)_[a-z_]+)");
    for (JsonNode panel : dashboard.path("panels")) {
      assertThat(panel.path("targets")).as("panel %s", panel.path("title")).isNotEmpty();
      for (JsonNode target : panel.path("targets")) {
        Matcher m = name.matcher(target.path("expr").asText());
        while (m.find()) {
          metrics.add(m.group(1));
        }
      }
    }
    assertThat(metrics).isNotEmpty().allSatisfy(metric -> assertThat(metric).isIn(
        // The series OpsEndpointIT finds in /metrics (histograms as their _bucket/_sum/_count).
        "streamnlp_encoded_messages_total", "streamnlp_dead_letters_total", "streamnlp_model_call_seconds_bucket",
        "streamnlp_batch_size_sum", "streamnlp_batch_size_count", "streamnlp_state_resets_total",
        "streamnlp_model_load_seconds", "kafka_consumer_fetch_manager_records_lag_max", "jvm_memory_used_bytes"));
  }
}
