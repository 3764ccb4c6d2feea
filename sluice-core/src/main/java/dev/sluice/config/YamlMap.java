package dev.sluice.config;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * A YAML mapping with string keys, in file order. Building one reports duplicate and non-string
 * keys; {@link #allow} reports keys that are not part of the schema. Merge keys ({@code <<}) have
 * already been expanded by the composer, explicit keys winning, as YAML specifies.
 */
final class YamlMap {

  /** One key and its value; {@code keyAt} points at the key itself (for name errors). */
  record Entry(String key, Cursor keyAt, Cursor value) {}

  private final Cursor at;
  private final Map<String, Entry> entries = new LinkedHashMap<>();

  YamlMap(Cursor at, MappingNode node) {
    this.at = at;
    for (NodeTuple t : node.getValue()) {
      Cursor keyAt = new Cursor(t.getKeyNode(), at.path(), at.problems());
      if (!(t.getKeyNode() instanceof ScalarNode k) || k.getTag().equals(Tag.NULL)) {
        keyAt.error("keys must be strings");
        continue;
      }
      String key = k.getValue();
      keyAt = new Cursor(k, Cursor.childPath(at.path(), key), at.problems());
      Entry first = entries.get(key);
      if (first != null) {
        keyAt.errorNoValue("duplicate key (first on line " + first.keyAt().line() + ")");
        continue;
      }
      entries.put(key, new Entry(key, keyAt, at.child(key, k, t.getValueNode())));
    }
  }

  Cursor at() {
    return at;
  }

  /** Reports every key that is not in {@code known}, with a suggestion when one is close. */
  YamlMap allow(String... known) {
    List<String> allowed = Arrays.asList(known);
    for (Entry e : entries.values()) {
      if (!allowed.contains(e.key())) {
        String close = Suggestions.closest(e.key(), allowed);
        e.keyAt()
            .errorNoValue(
                "unknown key"
                    + (close == null ? "" : "; did you mean " + close + "?")
                    + " (allowed here: "
                    + String.join(", ", allowed)
                    + ")");
      }
    }
    return this;
  }

  /** The value of {@code key}, or {@code null} when absent. */
  Cursor get(String key) {
    Entry e = entries.get(key);
    return e == null ? null : e.value();
  }

  /**
   * The value of {@code key}; reports it missing (at this map's line) and returns null if absent.
   */
  Cursor require(String key) {
    Cursor c = get(key);
    if (c == null) {
      at.problems().error(at.ownerLine(), Cursor.childPath(at.path(), key), "is required", null);
    }
    return c;
  }

  /** Every entry, in file order (for maps whose keys are names: zones, tenants...). */
  Collection<Entry> entries() {
    return entries.values();
  }
}
