package io.streamnlp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The packaged library jar is what a service adds: code, the output schemas and the version, but no model (each
 * ships as an artifact of its own) and no logging configuration (which would take over the service's own).
 * What it depends on is checked by the enforcer's bannedDependencies rule in this module's pom.
 */
class CoreJarContentsIT {

  @Test
  void theCoreJarHoldsNoModelAndNoLoggingConfiguration() throws Exception {
    Path jar = Path.of(System.getProperty("streamnlp.core.jar", "target/streamnlp-core.jar"));
    assertThat(jar).as("the packaged core jar (failsafe runs after package)").isRegularFile();
    try (JarFile file = new JarFile(jar.toFile())) {
      List<String> names = Collections.list(file.entries()).stream().map(ZipEntry::getName).toList();
      assertThat(names).contains("io/streamnlp/StreamNlp.class", "io/streamnlp/avro/TextEncoding.avsc",
          "io/streamnlp/version.properties");
      assertThat(names).noneMatch(n -> n.startsWith("models/"))
          .noneMatch(n -> n.endsWith(".onnx"))
          .noneMatch(n -> n.matches("(.*/)?(logback(-test)?\\.xml|logback\\.groovy|log4j2?(-test)?\\.(xml|properties|json|yaml)"
              + "|simplelogger\\.properties|logging\\.properties)"));
      assertThat(Files.size(jar)).as("code and schemas only").isLessThan(2L * 1024 * 1024);
    }
  }
}
