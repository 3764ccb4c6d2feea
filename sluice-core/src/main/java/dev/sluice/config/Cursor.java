package dev.sluice.config;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * A position in the composed YAML tree: a node, its dotted key path and its 1-based line.
 *
 * <p>Every typed read reports a wrong type to {@link Problems} and returns {@code null} instead of
 * throwing, so the readers can carry on and report every error of a file in one pass. A {@code
 * null} result always means "already reported".
 */
final class Cursor {

  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");
  private static final int MAX_GOT = 60;

  private final Node node;
  private final String path;
  private final Problems problems;
  private final int keyLine;

  Cursor(Node node, String path, Problems problems) {
    this(node, path, problems, 0);
  }

  private Cursor(Node node, String path, Problems problems, int keyLine) {
    this.node = node;
    this.path = path;
    this.problems = problems;
    this.keyLine = keyLine;
  }

  Node node() {
    return node;
  }

  String path() {
    return path;
  }

  int line() {
    return lineOf(node);
  }

  /**
   * The line of the key this value belongs to ({@code model:}), or the value's own line for list
   * items and the root. A missing key is reported here: a block map starts at its first key, which
   * is not where a reader looks for what the map lacks.
   */
  int ownerLine() {
    return keyLine > 0 ? keyLine : line();
  }

  static int lineOf(Node n) {
    return n.getStartMark().map(m -> m.getLine() + 1).orElse(0);
  }

  Problems problems() {
    return problems;
  }

  /** The path of key {@code key} under {@code parent}: {@code a.b}, or {@code a["*.x"]}. */
  static String childPath(String parent, String key) {
    if (PLAIN_KEY.matcher(key).matches()) {
      return parent.isEmpty() ? key : parent + "." + key;
    }
    return parent + "[\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]";
  }

  /** The value of {@code key}, whose key node is {@code keyNode}. */
  Cursor child(String key, Node keyNode, Node value) {
    return new Cursor(value, childPath(path, key), problems, lineOf(keyNode));
  }

  Cursor item(int index, Node value) {
    return new Cursor(value, path + "[" + index + "]", problems);
  }

  /** The value as written, for {@code (got ...)}: scalars verbatim, collections described. */
  String got() {
    if (node instanceof ScalarNode s) {
      if (s.getTag().equals(Tag.NULL)) {
        return "null";
      }
      String v = s.getValue().replace("\n", "\\n");
      if (v.isEmpty()) {
        return "\"\"";
      }
      return v.length() > MAX_GOT ? v.substring(0, MAX_GOT) + "..." : v;
    }
    if (node instanceof SequenceNode seq) {
      return seq.getValue().isEmpty() ? "[]" : "a list";
    }
    return node instanceof MappingNode m && m.getValue().isEmpty() ? "{}" : "a map";
  }

  /** Reports an error here, quoting the value. */
  void error(String message) {
    problems.error(line(), path, message, got());
  }

  /** Reports an error here without quoting the value. */
  void errorNoValue(String message) {
    problems.error(line(), path, message, null);
  }

  void warning(String message) {
    problems.warning(line(), path, message);
  }

  /** A scalar as text; plain numbers count as text too ({@code name: 2024}). */
  String string() {
    return string("a string");
  }

  /** Like {@link #string()}; {@code what} names the expected value in a type error. */
  String string(String what) {
    if (node instanceof ScalarNode s) {
      Tag t = s.getTag();
      if (t.equals(Tag.STR) || t.equals(Tag.INT) || t.equals(Tag.FLOAT)) {
        return s.getValue();
      }
      if (t.equals(Tag.BOOL)) {
        error("expected " + what + "; quote it to use this word as text");
        return null;
      }
      if (!t.equals(Tag.NULL)) {
        error("YAML tag " + t.getValue() + " is not supported");
        return null;
      }
    }
    error("expected " + what);
    return null;
  }

  /** Whether this is a YAML boolean. */
  boolean isBool() {
    return node instanceof ScalarNode s && s.getTag().equals(Tag.BOOL);
  }

  /** A YAML boolean: {@code true} or {@code false}. */
  Boolean bool() {
    if (node instanceof ScalarNode s && s.getTag().equals(Tag.BOOL)) {
      return Boolean.valueOf(s.getValue());
    }
    error("expected true or false");
    return null;
  }

  /** A YAML integer (decimal, {@code 0x} or {@code 0o}) that fits in a long. */
  Long integer() {
    if (node instanceof ScalarNode s && s.getTag().equals(Tag.INT)) {
      String v = s.getValue();
      boolean negative = v.startsWith("-");
      String digits = v.startsWith("-") || v.startsWith("+") ? v.substring(1) : v;
      int radix = 10;
      if (digits.startsWith("0x") || digits.startsWith("0o")) {
        radix = digits.charAt(1) == 'x' ? 16 : 8;
        digits = digits.substring(2);
      }
      BigInteger n = new BigInteger(digits, radix);
      n = negative ? n.negate() : n;
      if (n.bitLength() > 63) {
        error("number too large");
        return null;
      }
      return n.longValueExact();
    }
    error("expected a whole number");
    return null;
  }

  /** A map, with duplicate and non-string keys reported. */
  YamlMap map() {
    if (node instanceof MappingNode m) {
      return new YamlMap(this, m);
    }
    error("expected a map");
    return null;
  }

  /** The items of a list. */
  List<Cursor> list() {
    if (node instanceof SequenceNode seq) {
      List<Cursor> items = new ArrayList<>();
      for (Node n : seq.getValue()) {
        items.add(item(items.size(), n));
      }
      return items;
    }
    error("expected a list");
    return null;
  }

  /** A list, or a single scalar read as a one-item list. */
  List<Cursor> oneOrList() {
    return node instanceof SequenceNode ? list() : List.of(this);
  }

  /** The text parsed by {@code parser}; its IllegalArgumentException becomes an error here. */
  <T> T parse(Function<String, T> parser) {
    return parse("a string", parser);
  }

  /** Like {@link #parse(Function)}; {@code what} names the expected value in a type error. */
  <T> T parse(String what, Function<String, T> parser) {
    String s = string(what);
    if (s == null) {
      return null;
    }
    try {
      return parser.apply(s);
    } catch (IllegalArgumentException e) {
      error(e.getMessage());
      return null;
    }
  }

  /** One of the constants of {@code type}, written in lower case ({@code enforce}). */
  <E extends Enum<E>> E choice(Class<E> type) {
    String s = string();
    if (s == null) {
      return null;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().toLowerCase(Locale.ROOT).equals(s)) {
        return e;
      }
    }
    String allowed =
        Stream.of(type.getEnumConstants())
            .map(e -> e.name().toLowerCase(Locale.ROOT))
            .collect(Collectors.joining(", "));
    String hint =
        Stream.of(type.getEnumConstants()).anyMatch(e -> e.name().equalsIgnoreCase(s))
            ? "; values are lower case: " + s.toLowerCase(Locale.ROOT)
            : "";
    error("must be one of " + allowed + hint);
    return null;
  }
}
