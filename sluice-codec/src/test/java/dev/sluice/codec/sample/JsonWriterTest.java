package dev.sluice.codec.sample;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonWriterTest {

  private static final String TRICKY = "a\"b\\c\n\t\u0001\u001f\u007f<>&é😀\u2028";

  @Test
  void eachDialectEscapesAsItsEncoder() {
    assertThat(JsonDialect.SERDE.quote(TRICKY))
        .isEqualTo("\"a\\\"b\\\\c\\n\\t\\u0001\\u001f\u007f<>&é😀\u2028\"");
    assertThat(JsonDialect.GO.quote(TRICKY))
        .isEqualTo("\"a\\\"b\\\\c\\n\\t\\u0001\\u001f\u007f\\u003c\\u003e\\u0026é😀\\u2028\"");
    assertThat(JsonDialect.PYTHON_ASCII.quote(TRICKY))
        .isEqualTo("\"a\\\"b\\\\c\\n\\t\\u0001\\u001f\\u007f<>&\\u00e9\\ud83d\\ude00\\u2028\"");
    assertThat(JsonDialect.JACKSON.quote("\u001f\b\f\r")).isEqualTo("\"\\u001F\\b\\f\\r\"");
  }

  @Test
  void layouts() {
    assertThat(sample(JsonWriter.Layout.COMPACT))
        .isEqualTo("{\"a\":1,\"b\":[],\"c\":{},\"d\":[\"x\",null],\"e\":{\"f\":true}}");
    assertThat(sample(JsonWriter.Layout.PYTHON))
        .isEqualTo("{\"a\": 1, \"b\": [], \"c\": {}, \"d\": [\"x\", null], \"e\": {\"f\": true}}");
    assertThat(sample(JsonWriter.Layout.PRETTY))
        .isEqualTo(
            "{\n  \"a\": 1,\n  \"b\": [],\n  \"c\": {},\n  \"d\": [\n    \"x\",\n    null\n  ],\n"
                + "  \"e\": {\n    \"f\": true\n  }\n}");
  }

  private static String sample(JsonWriter.Layout layout) {
    JsonWriter w = new JsonWriter(JsonDialect.SERDE, layout).beginObject().field("a", 1);
    w.emptyArray("b").emptyObject("c").key("d").beginArray().string("x").nul().endArray();
    return w.key("e").beginObject().key("f").bool(true).endObject().endObject().toString();
  }

  @Test
  void goTimeTrimsTrailingZeros() {
    assertThat(GoTime.rfc3339Nano(1_764_003_200_123_400_000L))
        .isEqualTo("2025-11-24T16:53:20.1234Z");
    assertThat(GoTime.rfc3339Nano(1_764_003_200_000_000_000L)).isEqualTo("2025-11-24T16:53:20Z");
    assertThat(GoTime.rfc3339Nano(1_764_003_200_000_000_001L))
        .isEqualTo("2025-11-24T16:53:20.000000001Z");
  }

  @Test
  void llamaCppNumbersAreShortestRoundTrip() {
    assertThat(LlamaCppChat.number(148.2)).isEqualTo("148.2");
    assertThat(LlamaCppChat.number(7.409999999999999)).isEqualTo("7.409999999999999");
    assertThat(LlamaCppChat.number(0.00001)).isEqualTo("0.000010");
  }
}
