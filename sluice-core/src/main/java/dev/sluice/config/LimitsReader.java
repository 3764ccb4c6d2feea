package dev.sluice.config;

import dev.sluice.time.Window;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Reads a {@code limits} list, {@code [ {window: day, cap: 500MB}, ... ]}, each window once. */
final class LimitsReader {

  /** A limit and the cursor of its cap, so warnings can point at the cap's line. */
  record Located(LimitConfig limit, Cursor capAt) {}

  private LimitsReader() {}

  /**
   * The valid limits of the list at {@code c} (invalid items are reported and left out); an empty
   * list when {@code c} is null (the key is absent).
   */
  static List<Located> read(Cursor c, long weightBytes) {
    List<Located> out = new ArrayList<>();
    List<Cursor> items = c == null ? null : c.list();
    if (items == null) {
      return out;
    }
    Map<Window, Cursor> seen = new EnumMap<>(Window.class);
    for (Cursor item : items) {
      YamlMap m = item.map();
      if (m == null) {
        continue;
      }
      m.allow("window", "cap");
      Cursor windowAt = m.require("window");
      Cursor capAt = m.require("cap");
      Window window = windowAt == null ? null : windowAt.parse(Window::parse);
      Long cap = capAt == null ? null : Scalars.cap(capAt, weightBytes);
      if (window != null) {
        Cursor first = seen.putIfAbsent(window, windowAt);
        if (first != null) {
          windowAt.error(
              "a node has at most one "
                  + window.label()
                  + " limit (first on line "
                  + first.line()
                  + ")");
          continue;
        }
      }
      if (window != null && cap != null) {
        out.add(new Located(new LimitConfig(window, cap, capAt.string()), capAt));
      }
    }
    return out;
  }

  /** The records of {@code located}. */
  static List<LimitConfig> limits(List<Located> located) {
    return located.stream().map(Located::limit).toList();
  }
}
