package dev.sluice.codec.sample;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Writes one JSON value in a server's exact byte layout: keys in the order they are written (the
 * order a server's struct or dict has), strings escaped by a {@link JsonDialect}, and one of three
 * layouts: compact ({@code ,} and {@code :}, what Go, serde, pydantic, nlohmann and the OpenAI and
 * Anthropic APIs write), Python's {@code json.dumps} defaults ({@code ", "} and {@code ": "}), or
 * pretty with two-space indents (OpenAI's non-streamed bodies; empty containers stay {@code []} and
 * {@code {}}). Not thread-safe; one per value.
 */
public final class JsonWriter {

  /** Separators and indentation. */
  public enum Layout {
    COMPACT,
    PYTHON,
    PRETTY
  }

  private final JsonDialect dialect;
  private final Layout layout;
  private final StringBuilder out = new StringBuilder(256);

  /** Per open container: how many members it has so far. */
  private final Deque<int[]> open = new ArrayDeque<>();

  private boolean afterKey;

  public JsonWriter(JsonDialect dialect, Layout layout) {
    this.dialect = dialect;
    this.layout = layout;
  }

  /** A compact writer. */
  public static JsonWriter compact(JsonDialect dialect) {
    return new JsonWriter(dialect, Layout.COMPACT);
  }

  public JsonWriter beginObject() {
    value();
    out.append('{');
    open.push(new int[1]);
    return this;
  }

  public JsonWriter endObject() {
    return close('}');
  }

  public JsonWriter beginArray() {
    value();
    out.append('[');
    open.push(new int[1]);
    return this;
  }

  public JsonWriter endArray() {
    return close(']');
  }

  /** The next member's name; its value follows. */
  public JsonWriter key(String name) {
    member();
    dialect.quote(name, out);
    out.append(layout == Layout.COMPACT ? ":" : ": ");
    afterKey = true;
    return this;
  }

  public JsonWriter string(String s) {
    value();
    dialect.quote(s, out);
    return this;
  }

  public JsonWriter number(long n) {
    value();
    out.append(n);
    return this;
  }

  /** A number already in its server's text form, e.g. {@code 1.0} or {@code 0.4046}. */
  public JsonWriter rawNumber(String text) {
    value();
    out.append(text);
    return this;
  }

  /** A value already rendered as JSON text by the same server, e.g. a nested object. */
  public JsonWriter raw(String json) {
    value();
    out.append(json);
    return this;
  }

  public JsonWriter bool(boolean b) {
    value();
    out.append(b);
    return this;
  }

  public JsonWriter nul() {
    value();
    out.append("null");
    return this;
  }

  public JsonWriter field(String name, String value) {
    return value == null ? key(name).nul() : key(name).string(value);
  }

  public JsonWriter field(String name, long value) {
    return key(name).number(value);
  }

  public JsonWriter fieldNull(String name) {
    return key(name).nul();
  }

  /** An empty array member, {@code "name":[]}. */
  public JsonWriter emptyArray(String name) {
    return key(name).beginArray().endArray();
  }

  /** An empty object member, {@code "name":{}}. */
  public JsonWriter emptyObject(String name) {
    return key(name).beginObject().endObject();
  }

  /** The JSON text written so far; complete once every container is closed. */
  @Override
  public String toString() {
    return out.toString();
  }

  private JsonWriter close(char bracket) {
    int[] count = open.pop();
    if (layout == Layout.PRETTY && count[0] > 0) {
      newline();
    }
    out.append(bracket);
    return this;
  }

  /** Before a value: the separator, unless it is a member's value (its key wrote that). */
  private void value() {
    if (afterKey) {
      afterKey = false;
      return;
    }
    member();
  }

  private void member() {
    int[] count = open.peek();
    if (count == null) {
      return;
    }
    if (count[0] > 0) {
      out.append(layout == Layout.PYTHON ? ", " : ",");
    }
    if (layout == Layout.PRETTY) {
      newline();
    }
    count[0]++;
  }

  private void newline() {
    out.append('\n');
    for (int i = 0; i < open.size(); i++) {
      out.append("  ");
    }
  }
}
