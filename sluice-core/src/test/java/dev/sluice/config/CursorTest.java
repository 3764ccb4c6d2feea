package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The node walker: dotted paths, lines, typed reads that report instead of throwing. */
class CursorTest {

  private final Problems problems = new Problems("w.yaml");

  private Cursor root(String yaml) {
    return new Cursor(YamlDocument.compose("w.yaml", yaml, problems), "", problems);
  }

  private List<String> reported() {
    return problems.errors().stream().map(ConfigProblem::format).toList();
  }

  @Test
  void pathsAndLines() {
    YamlMap top = root("a:\n  b:\n    - x\n    - { c: 1 }\n  \"*.d\": 2\n").map();
    Cursor b = top.get("a").map().get("b");
    assertThat(b.path()).isEqualTo("a.b");
    assertThat(b.line()).isEqualTo(3);
    assertThat(b.ownerLine()).isEqualTo(2);
    List<Cursor> items = b.list();
    assertThat(items).extracting(Cursor::path).containsExactly("a.b[0]", "a.b[1]");
    assertThat(items.get(1).map().get("c").path()).isEqualTo("a.b[1].c");
    assertThat(items.get(1).map().get("c").line()).isEqualTo(4);
    assertThat(top.get("a").map().get("*.d").path()).isEqualTo("a[\"*.d\"]");
    assertThat(Cursor.childPath("", "x")).isEqualTo("x");
    assertThat(Cursor.childPath("a", "q\"t")).isEqualTo("a[\"q\\\"t\"]");
  }

  @Test
  void gotDescribesTheValue() {
    YamlMap m =
        root("s: text\nn: ~\ne: ''\nl: [1]\nel: []\nm: {a: 1}\nem: {}\nlong: "
                + "x".repeat(70)
                + "\nml: |\n  a\n  b\n")
            .map();
    assertThat(m.get("s").got()).isEqualTo("text");
    assertThat(m.get("n").got()).isEqualTo("null");
    assertThat(m.get("e").got()).isEqualTo("\"\"");
    assertThat(m.get("l").got()).isEqualTo("a list");
    assertThat(m.get("el").got()).isEqualTo("[]");
    assertThat(m.get("m").got()).isEqualTo("a map");
    assertThat(m.get("em").got()).isEqualTo("{}");
    assertThat(m.get("long").got()).isEqualTo("x".repeat(60) + "...");
    assertThat(m.get("ml").got()).isEqualTo("a\\nb\\n");
  }

  @Test
  void typedReadsReportAndReturnNull() {
    YamlMap m = root("s: [x]\ni: 1.5\nbig: 99999999999999999999\nhex: 0x1F\nl: x\nmp: x\n").map();
    assertThat(m.get("s").string()).isNull();
    assertThat(m.get("i").integer()).isNull();
    assertThat(m.get("big").integer()).isNull();
    assertThat(m.get("hex").integer()).isEqualTo(31);
    assertThat(m.get("l").list()).isNull();
    assertThat(m.get("mp").map()).isNull();
    assertThat(reported())
        .containsExactly(
            "w.yaml:1: s: expected a string (got a list)",
            "w.yaml:2: i: expected a whole number (got 1.5)",
            "w.yaml:3: big: number too large (got 99999999999999999999)",
            "w.yaml:5: l: expected a list (got x)",
            "w.yaml:6: mp: expected a map (got x)");
  }

  @Test
  void yaml12CoreSchema() {
    YamlMap m = root("a: yes\nb: no\nc: on\nd: 010\n").map();
    assertThat(m.get("a").string()).isEqualTo("yes");
    assertThat(m.get("b").string()).isEqualTo("no");
    assertThat(m.get("c").string()).isEqualTo("on");
    assertThat(m.get("d").integer()).isEqualTo(10);
    assertThat(reported()).isEmpty();
  }

  @Test
  void mapsReportDuplicatesUnknownAndMissingKeys() {
    YamlMap m =
        root("top:\n  alpha: 1\n  beta: 2\n  alpha: 3\n  delte: 4\n").map().get("top").map();
    m.allow("alpha", "beta", "delta");
    assertThat(m.require("delta")).isNull();
    assertThat(m.get("alpha").string()).isEqualTo("1");
    assertThat(m.entries())
        .extracting(YamlMap.Entry::key)
        .containsExactly("alpha", "beta", "delte");
    assertThat(reported())
        .containsExactly(
            "w.yaml:1: top.delta: is required",
            "w.yaml:4: top.alpha: duplicate key (first on line 2)",
            "w.yaml:5: top.delte: unknown key; did you mean delta? (allowed here: alpha, beta,"
                + " delta)");
  }

  @Test
  void choicesAreLowerCase() {
    YamlMap m = root("a: tcp\nb: TCP\nc: udp\n").map();
    assertThat(m.get("a").choice(ListenerMode.class)).isEqualTo(ListenerMode.TCP);
    assertThat(m.get("b").choice(ListenerMode.class)).isNull();
    assertThat(m.get("c").choice(ListenerMode.class)).isNull();
    assertThat(reported())
        .containsExactly(
            "w.yaml:2: b: must be one of reverse, forward, tcp; values are lower case: tcp (got"
                + " TCP)",
            "w.yaml:3: c: must be one of reverse, forward, tcp (got udp)");
  }

  @Test
  void parseTurnsIllegalArgumentIntoAnError() {
    Cursor c = root("size: 5 parsecs\n").map().get("size");
    assertThat(c.<Long>parse(ByteSizes::parse)).isNull();
    assertThat(reported())
        .containsExactly(
            "w.yaml:1: size: unknown unit \"parsecs\"; expected B, KB, MB, GB, TB, KiB, MiB, GiB,"
                + " TiB, % weights or x weights (got 5 parsecs)");
  }

  @Test
  void suggestions() {
    List<String> keys = List.of("weight_bytes", "name", "tenant_header", "cap");
    assertThat(Suggestions.closest("wieght_bytes", keys)).isEqualTo("weight_bytes");
    assertThat(Suggestions.closest("tenant-header", keys)).isEqualTo("tenant_header");
    assertThat(Suggestions.closest("cpa", keys)).isEqualTo("cap");
    assertThat(Suggestions.closest("nmae", keys)).isEqualTo("name");
    assertThat(Suggestions.closest("zone", keys)).isNull();
  }
}
