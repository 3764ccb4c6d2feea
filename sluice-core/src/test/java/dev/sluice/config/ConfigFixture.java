package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A small valid configuration, and helpers to break it one line at a time. */
final class ConfigFixture {

  /** Line numbers matter: tests quote them in expected messages. */
  static final String BASE =
      """
      site: t
      model:
        name: m
        weight_bytes: 1GB
      budgets:
        limits:
          - { window: day, cap: 100MB }
        zones:
          z:
            limits: [ { window: day, cap: 50MB } ]
            tenants:
              default: { limits: [ { window: day, cap: 10MB } ] }
      listeners:
        - name: api
          mode: reverse
          bind: 127.0.0.1:0
          upstream: http://127.0.0.1:8000
          zone: z
      """;

  /** The first line after {@link #BASE}, where {@link #append} puts its text. */
  static final int NEXT_LINE = 19;

  private ConfigFixture() {}

  /** {@link #BASE} with {@code from} (which must occur exactly once) replaced by {@code to}. */
  static String replace(String from, String to) {
    return replace(BASE, from, to);
  }

  static String replace(String yaml, String from, String to) {
    assertThat(yaml.split(java.util.regex.Pattern.quote(from), -1))
        .as("'%s' must occur exactly once", from)
        .hasSize(2);
    return yaml.replace(from, to);
  }

  /** {@link #BASE} followed by {@code more}, starting at line {@link #NEXT_LINE}. */
  static String append(String more) {
    return BASE + more;
  }

  static ConfigResult parse(String yaml) {
    return ConfigLoader.parse("t.yaml", yaml);
  }

  /** The formatted errors of {@code yaml}. */
  static List<String> errors(String yaml) {
    return parse(yaml).errors().stream().map(ConfigProblem::format).toList();
  }

  /** The formatted warnings of {@code yaml}. */
  static List<String> warnings(String yaml) {
    return parse(yaml).warnings().stream().map(ConfigProblem::format).toList();
  }

  /** The configuration of {@code yaml}, which must load. */
  static SluiceConfig load(String yaml) {
    return parse(yaml).orThrow();
  }

  /** The repository's {@code examples/quickstart.yaml}, found from the working directory up. */
  static Path quickstart() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path p = dir.resolve("examples/quickstart.yaml");
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new IllegalStateException("examples/quickstart.yaml not found above the working dir");
  }
}
