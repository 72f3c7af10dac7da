package io.streamnlp.internals;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of the streamnlp artifacts this core belongs to, from the build (io/streamnlp/version.properties). */
public final class StreamNlpVersion {
  private static final String VERSION = read();

  private StreamNlpVersion() {}

  public static String get() {
    return VERSION;
  }

  private static String read() {
    try (InputStream in = StreamNlpVersion.class.getResourceAsStream("/io/streamnlp/version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
