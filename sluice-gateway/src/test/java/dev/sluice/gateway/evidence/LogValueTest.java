package dev.sluice.gateway.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The escaping of a log line's values, as documented in {@link LogValue} and {@link Evidence}. */
class LogValueTest {

  @Test
  void plainValuesAreBare() {
    assertThat(LogValue.of("acme")).isEqualTo("acme");
    assertThat(LogValue.of("api.corp.example:443")).isEqualTo("api.corp.example:443");
    assertThat(LogValue.of("tenant:inference/acme,b")).isEqualTo("tenant:inference/acme,b");
    assertThat(LogValue.of("-")).isEqualTo("-");
    assertThat(LogValue.of((String) null)).isEqualTo("-");
    assertThat(LogValue.of((Object) null)).isEqualTo("-");
  }

  @Test
  void everythingElseIsQuotedWithBackslashEscapes() {
    assertThat(LogValue.of("")).isEqualTo("\"\"");
    assertThat(LogValue.of("a b")).isEqualTo("\"a b\"");
    assertThat(LogValue.of("a=b")).isEqualTo("\"a=b\"");
    assertThat(LogValue.of("say \"hi\"")).isEqualTo("\"say \\\"hi\\\"\"");
    assertThat(LogValue.of("a\\b")).isEqualTo("\"a\\\\b\"");
    assertThat(LogValue.of("a\nb\rc\td")).isEqualTo("\"a\\nb\\rc\\td\"");
    assertThat(LogValue.of("evil\u001b[2J\u0000.example"))
        .isEqualTo("\"evil\\u001b[2J\\u0000.example\"");
    assertThat(LogValue.of("del\u007f")).isEqualTo("\"del\\u007f\"");
    assertThat(LogValue.of("caf\u00e9\u202e\u2028")).isEqualTo("\"caf\\u00e9\\u202e\\u2028\"");
    assertThat(LogValue.of("\ud83d\ude00")).isEqualTo("\"\\ud83d\\ude00\"");
  }

  @Test
  void everyEscapedValueParsesBackToItself() {
    String[] values = {
      "", " ", "=", "\"", "\\", "a b=c \"d\" \\e", "\u0000\u0001\u001f\u007f\u0080\u009f\uffff", "x"
    };
    for (String v : values) {
      String line = "k=" + LogValue.of(v) + " next=1";
      assertThat(ConnectionLogLineTest.parse(line))
          .containsEntry("k", v)
          .containsEntry("next", "1");
    }
  }
}
