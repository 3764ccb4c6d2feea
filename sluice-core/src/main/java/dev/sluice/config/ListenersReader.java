package dev.sluice.config;

import dev.sluice.net.HostPort;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the {@code listeners} list and checks what spans listeners: unique names, and bind
 * addresses that do not collide with each other or with the admin endpoint.
 */
final class ListenersReader {

  private ListenersReader() {}

  /**
   * The listeners, or {@code null} when anything was wrong.
   *
   * @param adminBind the admin address and where it was written ({@code adminAt} is null for the
   *     default), or a null address when admin itself is invalid
   * @param limits the top level's timeouts and connection limits, which each listener may override
   *     (null when they are invalid)
   */
  static List<ListenerConfig> read(
      Cursor c,
      Map<String, Set<String>> tenantsByZone,
      HostPort adminBind,
      Cursor adminAt,
      ConnectionLimits limits) {
    int errorsBefore = c.problems().errorCount();
    List<Cursor> items = c.list();
    if (items == null) {
      return null;
    }
    if (items.isEmpty()) {
      c.error("at least one listener is required");
    }
    List<ListenerConfig> out = new ArrayList<>();
    Map<String, Cursor> names = new HashMap<>();
    List<ListenerReader.Result> bound = new ArrayList<>();
    for (Cursor item : items) {
      ListenerReader.Result r = ListenerReader.read(item, tenantsByZone, limits);
      if (r.name() != null) {
        Cursor first = names.putIfAbsent(r.name(), r.nameAt());
        if (first != null) {
          r.nameAt().error("listener names must be unique (first on line " + first.line() + ")");
        }
      }
      if (r.bind() != null) {
        checkBind(r, bound, adminBind, adminAt);
        bound.add(r);
      }
      if (r.config() != null) {
        out.add(r.config());
      }
    }
    return c.problems().errorCount() > errorsBefore ? null : out;
  }

  private static void checkBind(
      ListenerReader.Result r,
      List<ListenerReader.Result> earlier,
      HostPort adminBind,
      Cursor adminAt) {
    for (ListenerReader.Result e : earlier) {
      if (r.bind().conflictsWith(e.bind())) {
        r.bindAt()
            .error(
                "conflicts with the bind of listener "
                    + (e.name() == null ? "" : e.name() + " ")
                    + "on line "
                    + e.bindAt().line());
        return;
      }
    }
    if (adminBind != null && r.bind().conflictsWith(adminBind)) {
      r.bindAt()
          .error(
              adminAt == null
                  ? "conflicts with the default admin bind " + adminBind + " (set admin.bind)"
                  : "conflicts with admin.bind on line " + adminAt.line());
    }
  }
}
