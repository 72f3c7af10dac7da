package io.streamnlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnlp.config.internals.ConfigurationPage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The documentation a newcomer reads cannot drift from the code or point nowhere: the configuration page is the
 * one the ConfigDef makes, and every relative link and heading anchor in the README and docs/ resolves.
 */
class DocumentationTest {
  private static final Path ROOT = Path.of("..");
  private static final Pattern LINK = Pattern.compile("!?\\[(?:[^\\]\\[]|\\[[^\\]]*\\])*\\]\\(([^)\\s]+)\\)");
  private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");

  @Test
  void theConfigurationPageIsTheOneTheConfigDefMakes() throws IOException {
    String committed = Files.readString(ROOT.resolve("docs/configuration.md"));
    assertThat(committed).as("docs/configuration.md is stale; regenerate it with: %s", ConfigurationPage.COMMAND)
        .isEqualTo(ConfigurationPage.markdown());
  }

  @Test
  void everyRelativeLinkAndHeadingAnchorResolves() throws IOException {
    List<Path> pages = pages();
    assertThat(pages).extracting(p -> ROOT.relativize(p).toString().replace('\\', '/'))
        .contains("README.md", "docs/getting-started.md", "docs/configuration.md", "docs/troubleshooting.md");
    List<String> broken = new ArrayList<>();
    int links = 0;
    for (Path page : pages) {
      for (String target : links(Files.readString(page))) {
        if (target.matches("(?i)(https?|mailto):.*")) {
          continue;
        }
        links++;
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = path.isEmpty() ? page : page.getParent().resolve(path).normalize();
        String where = ROOT.relativize(page) + " -> " + target;
        if (!Files.exists(resolved)) {
          broken.add(where + " (no such file)");
        } else if (anchor != null && resolved.toString().endsWith(".md")
            && !anchors(Files.readString(resolved)).contains(anchor)) {
          broken.add(where + " (no such heading)");
        }
      }
    }
    assertThat(links).as("relative links checked").isGreaterThan(20);
    assertThat(broken).as("broken links").isEmpty();
  }

  @Test
  void anchorsAreMadeAsGitHubMakesThem() {
    assertThat(anchors("## Length-aware batching (`batch.group.by.length`, on by default)\n# Models\n## Models\n"))
        .contains("length-aware-batching-batchgroupbylength-on-by-default", "models", "models-1");
  }

  private static List<Path> pages() throws IOException {
    List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("models/README.md")));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    try (Stream<Path> examples = Files.list(ROOT.resolve("examples"))) {
      examples.map(p -> p.resolve("README.md")).filter(Files::exists).forEach(pages::add);
    }
    return pages;
  }

  /** Link targets outside fenced code blocks and inline code. */
  private static List<String> links(String markdown) {
    List<String> targets = new ArrayList<>();
    boolean fenced = false;
    for (String line : markdown.split("\n")) {
      if (line.strip().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (fenced) {
        continue;
      }
      Matcher m = LINK.matcher(line.replaceAll("`[^`]*`", "``"));
      while (m.find()) {
        targets.add(m.group(1));
      }
    }
    return targets;
  }

  /** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as '-', repeats numbered. */
  static Set<String> anchors(String markdown) {
    Set<String> anchors = new HashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean fenced = false;
    for (String line : markdown.split("\n")) {
      if (line.strip().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      Matcher m = HEADING.matcher(line);
      if (fenced || !m.matches()) {
        continue;
      }
      String text = m.group(2).replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replace("`", "");
      String slug = text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}_\\- ]", "").replace(' ', '-');
      int n = seen.merge(slug, 1, Integer::sum) - 1;
      anchors.add(n == 0 ? slug : slug + "-" + n);
    }
    return anchors;
  }
}
