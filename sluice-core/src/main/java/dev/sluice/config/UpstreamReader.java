package dev.sluice.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a listener's {@code upstream}: one string or a list of them; URLs for reverse, {@code
 * host:port} for tcp; required for both and refused for forward.
 */
final class UpstreamReader {

  private UpstreamReader() {}

  /** The upstreams as written; an empty list when absent or invalid (and then reported). */
  static List<String> read(YamlMap listener, ListenerMode mode) {
    List<String> out = new ArrayList<>();
    if (mode == null) {
      return out;
    }
    Cursor at = listener.get("upstream");
    if (mode == ListenerMode.FORWARD) {
      if (at != null) {
        at.errorNoValue(
            "only allowed for reverse and tcp listeners (a forward proxy's client names the"
                + " destination)");
      }
      return out;
    }
    if (at == null) {
      listener.require("upstream");
      return out;
    }
    List<Cursor> items = at.oneOrList();
    if (items == null) {
      return out;
    }
    if (items.isEmpty()) {
      at.error("at least one upstream is required");
    }
    Map<String, Cursor> seen = new HashMap<>();
    for (Cursor item : items) {
      String u =
          mode == ListenerMode.REVERSE
              ? item.parse(Upstreams::checkUrl)
              : item.parse(t -> Upstreams.checkHostPort(t).toString());
      if (u == null) {
        continue;
      }
      Cursor first = seen.putIfAbsent(u, item);
      if (first != null) {
        item.error("listed twice (first on line " + first.line() + ")");
      } else {
        out.add(item.string());
      }
    }
    return out;
  }
}
