package io.streamnlp.config.internals;

import io.streamnlp.config.StreamNlpConfig;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.config.ConfigDef;

/**
 * docs/configuration.md, made from {@link StreamNlpConfig}'s {@code ConfigDef}: the page cannot drift from the
 * code, because a test compares the committed page with this one and names the command that writes it again.
 */
public final class ConfigurationPage {
  /** The command that writes the page (after {@code mvn -B -DskipTests package}). */
  public static final String COMMAND = "java -cp 'streamnlp-app/target/lib/*' "
      + ConfigurationPage.class.getName() + " > docs/configuration.md";

  private ConfigurationPage() {}

  /** The whole page, Markdown. */
  public static String markdown() {
    StringBuilder s = new StringBuilder();
    s.append("# Configuration\n\n")
        .append("<!-- Generated from StreamNlpConfig's ConfigDef; do not edit. Regenerate with:\n     ")
        .append(COMMAND).append(" -->\n\n")
        .append("Every key streamnlp reads, with its type, default and valid values, from the code that reads it. ")
        .append("A `run` configuration file, `-D key=value` and the map given to `StreamNlp.create` take the same ")
        .append("keys. Every other key (`application.id`, `bootstrap.servers`, `processing.guarantee`, any client ")
        .append("setting) goes to Kafka Streams unchanged. A wrong value stops start-up with one line naming the ")
        .append("key and what it accepts.\n\n")
        .append("| key | type | default | valid values | description |\n")
        .append("|---|---|---|---|---|\n");
    for (ConfigDef.ConfigKey k : StreamNlpConfig.configDef().configKeys().values()) {
      String def = !k.hasDefault() ? "(required)"
          : k.defaultValue == null ? "null"
          : k.defaultValue instanceof List<?> l ? String.join(",", l.stream().map(Object::toString).toList())
          : k.defaultValue.toString();
      s.append(String.format(Locale.ROOT, "| `%s` | %s | %s | %s | %s |%n", k.name,
          k.type.toString().toLowerCase(Locale.ROOT), def.isEmpty() ? "(empty)" : "`" + def + "`",
          k.validator == null ? "" : k.validator.toString().replace("|", "\\|"),
          k.documentation.replace("|", "\\|")));
    }
    return s.toString();
  }

  /**
   * Prints the page.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    System.out.print(markdown());
  }
}
