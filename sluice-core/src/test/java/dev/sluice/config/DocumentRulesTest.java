package dev.sluice.config;

import static dev.sluice.config.ConfigFixture.append;
import static dev.sluice.config.ConfigFixture.errors;
import static dev.sluice.config.ConfigFixture.replace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.net.HostPort;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file as a whole: reading it, YAML syntax, unknown and duplicate keys, wrong types. */
class DocumentRulesTest {

  @TempDir Path dir;

  @Test
  void baseFixtureLoads() {
    SluiceConfig c = ConfigFixture.load(ConfigFixture.BASE);
    assertThat(c.site()).isEqualTo("t");
    assertThat(c.sourceName()).isEqualTo("t.yaml");
  }

  @Test
  void missingFile() {
    Path missing = dir.resolve("nope.yaml");
    ConfigResult r = ConfigLoader.load(missing);
    assertThat(r.config()).isNull();
    assertThat(r.errors())
        .extracting(ConfigProblem::format)
        .containsExactly(missing + ": no such file");
  }

  @Test
  void unreadableFile() {
    ConfigResult r = ConfigLoader.load(dir);
    assertThat(r.errors())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.line()).isZero();
              assertThat(p.format()).startsWith(dir + ": cannot read the file: ");
            });
  }

  @Test
  void notUtf8() throws Exception {
    Path f = dir.resolve("latin1.yaml");
    Files.write(f, "site: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThat(ConfigLoader.load(f).errors())
        .extracting(ConfigProblem::format)
        .containsExactly(f + ": the file is not valid UTF-8");
  }

  @Test
  void loadsFromDiskWithABomAndHashesTheBytes() throws Exception {
    Path f = dir.resolve("ok.yaml");
    byte[] bytes = ("\uFEFF" + ConfigFixture.BASE).getBytes(StandardCharsets.UTF_8);
    Files.write(f, bytes);
    SluiceConfig c = ConfigLoader.load(f).orThrow();
    assertThat(c.sourceName()).isEqualTo(f.toString());
    assertThat(c.sha256Hex()).isEqualTo(ConfigLoader.sha256Hex(bytes));
    assertThat(c.sha256Hex())
        .isNotEqualTo(ConfigLoader.parse("x", ConfigFixture.BASE).config().sha256Hex());
  }

  @Test
  void emptyFile() {
    assertThat(errors("")).containsExactly("t.yaml:1: the file is empty");
    assertThat(errors("# nothing\n")).containsExactly("t.yaml:1: the file is empty");
  }

  @Test
  void rootMustBeAMap() {
    assertThat(errors("- a\n- b\n")).containsExactly("t.yaml:1: expected a map (got a list)");
  }

  @Test
  void yamlSyntaxError() {
    assertThat(errors(replace("  name: m\n", "  name: [m\n")))
        .singleElement()
        .asString()
        .startsWith("t.yaml:")
        .contains(": YAML syntax error: ");
    assertThat(errors("site: t\n\tmodel: x\n"))
        .containsExactly(
            "t.yaml:2: YAML syntax error: found character '\\t(TAB)' that cannot start any token."
                + " (Do not use \\t(TAB) for indentation) (while scanning for the next token)");
  }

  @Test
  void oneDocumentOnly() {
    assertThat(errors(ConfigFixture.BASE + "---\nsite: u\n"))
        .containsExactly("t.yaml:20: only one YAML document is allowed; remove the second");
  }

  @Test
  void unknownKeysAreErrorsWithASuggestion() {
    assertThat(errors(append("escrw: {}\n")))
        .containsExactly(
            "t.yaml:19: escrw: unknown key; did you mean escrow? (allowed here: site, node_id, model,"
                + " time_zone, mode, data_dir, budgets, listeners, admin, store, ledger, escrow, codec, change_control, timeouts,"
                + " connection_limits, alerts, detection, logging)");
    assertThat(errors(replace("  name: m\n", "  name: m\n  weight: 1GB\n")))
        .containsExactly(
            "t.yaml:4: model.weight: unknown key (allowed here: name, weight_bytes,"
                + " smallest_useful_copy)");
    assertThat(
            errors(replace("{ window: day, cap: 100MB }", "{ window: day, cap: 100MB, cpa: 1 }")))
        .containsExactly(
            "t.yaml:7: budgets.limits[0].cpa: unknown key; did you mean cap? (allowed here:"
                + " window, cap)");
  }

  @Test
  void duplicateKeysAreErrors() {
    assertThat(errors(append("site: u\n")))
        .containsExactly("t.yaml:19: site: duplicate key (first on line 1)");
    assertThat(errors(replace("        default: {", "        default: {}\n        default: {")))
        .containsExactly(
            "t.yaml:13: budgets.zones.z.tenants.default: duplicate key (first on line 12)");
  }

  @Test
  void keysMustBeStrings() {
    assertThat(errors(append("? [a]\n: 1\n")))
        .containsExactly("t.yaml:19: keys must be strings (got a list)");
    assertThat(errors(append("~: 1\n")))
        .containsExactly("t.yaml:19: keys must be strings (got null)");
  }

  @Test
  void wrongTypesAreErrors() {
    assertThat(errors(replace("model:\n  name: m\n  weight_bytes: 1GB\n", "model: m\n")))
        .containsExactly("t.yaml:2: model: expected a map (got m)");
    assertThat(errors(replace("  name: m\n", "  name: [m]\n")))
        .containsExactly("t.yaml:3: model.name: expected a string (got a list)");
    assertThat(errors(replace("  name: m\n", "  name: true\n")))
        .containsExactly(
            "t.yaml:3: model.name: expected a string; quote it to use this word as text (got true)");
    assertThat(errors(replace("  name: m\n", "  name:\n")))
        .containsExactly("t.yaml:3: model.name: expected a string (got null)");
    assertThat(errors(replace("  limits:\n    - { window: day, cap: 100MB }\n", "  limits: day\n")))
        .containsExactly("t.yaml:6: budgets.limits: expected a list (got day)");
    assertThat(errors(replace("    - { window: day, cap: 100MB }", "    - day")))
        .containsExactly("t.yaml:7: budgets.limits[0]: expected a map (got day)");
    assertThat(errors(replace("cap: 100MB", "cap: { a: 1 }")))
        .containsExactly(
            "t.yaml:7: budgets.limits[0].cap: expected a size such as 500MB or 0.1% weights (got a"
                + " map)");
    assertThat(errors(replace("  - name: api", "  - name: !!binary aGk=")))
        .containsExactly(
            "t.yaml:14: listeners[0].name: YAML tag tag:yaml.org,2002:binary is not supported (got"
                + " aGk=)");
  }

  @Test
  void anchorsAndMergeKeysWork() {
    String yaml =
        replace(
                replace(
                    "    - { window: day, cap: 100MB }\n",
                    "    - &daily { window: day, cap: 100MB }\n"),
                "[ { window: day, cap: 50MB } ]",
                "[ *daily ]")
            + "admin: { <<: { bind: \"127.0.0.1:9\" } }\n";
    SluiceConfig c = ConfigFixture.load(yaml);
    assertThat(c.zone("z").limits()).isEqualTo(c.budgets().limits());
    assertThat(c.admin().bind()).isEqualTo(new HostPort("127.0.0.1", 9));
    String overridden =
        ConfigFixture.append("admin: { <<: { bind: \"127.0.0.1:9\" }, bind: \"127.0.0.1:10\" }\n");
    assertThat(ConfigFixture.load(overridden).admin().bind())
        .as("explicit keys override merged ones")
        .isEqualTo(new HostPort("127.0.0.1", 10));
  }

  @Test
  void orThrowListsEveryError() {
    ConfigResult r = ConfigFixture.parse(append("escrw: {}\nsite: u\n"));
    assertThat(r.ok()).isFalse();
    assertThatThrownBy(r::orThrow)
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "invalid configuration (2 errors):\n"
                + "  t.yaml:19: escrw: unknown key; did you mean escrow? (allowed here: site, node_id, model,"
                + " time_zone, mode, data_dir, budgets, listeners, admin, store, ledger, escrow, codec, change_control, timeouts,"
                + " connection_limits, alerts, detection, logging)\n"
                + "  t.yaml:20: site: duplicate key (first on line 1)")
        .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(2));
  }

  @Test
  void resultInvariant() {
    assertThatThrownBy(() -> new ConfigResult(null, java.util.List.of(), java.util.List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
