package dev.sluice.budget;

import dev.sluice.config.BudgetsConfig;
import dev.sluice.config.LimitConfig;
import dev.sluice.config.ZoneConfig;
import dev.sluice.time.Window;
import java.util.List;

/** Builds the {@link BudgetTree} a validated configuration describes. */
public final class BudgetTrees {

  private BudgetTrees() {}

  public static BudgetTree of(BudgetsConfig budgets) {
    BudgetTree.Builder b = BudgetTree.builder(limits(budgets.limits()));
    for (ZoneConfig zone : budgets.zones().values()) {
      b.zone(zone.name(), limits(zone.limits()));
      zone.tenants().values().forEach(t -> b.tenant(zone.name(), t.name(), limits(t.limits())));
      zone.destinations()
          .values()
          .forEach(d -> b.destination(zone.name(), d.pattern(), limits(d.limits())));
    }
    b.control(List.of(new Limit(Window.DAY, budgets.controlAllowanceBytes())));
    return b.build();
  }

  /**
   * A tree without limits holding the nodes named by {@code nodeIds} (in tree order: each zone
   * before its tenants and destinations), for reading counters offline without a configuration.
   *
   * @throws IllegalArgumentException for an id that is not a node id
   */
  public static BudgetTree fromNodeIds(List<String> nodeIds) {
    BudgetTree.Builder b = BudgetTree.builder(List.of());
    for (String id : nodeIds) {
      if (id.equals(NodeIds.SITE)) {
        continue;
      }
      if (id.equals(NodeIds.CONTROL)) {
        b.control(List.of());
        continue;
      }
      int colon = id.indexOf(':');
      String kind = colon < 0 ? "" : id.substring(0, colon);
      String rest = id.substring(colon + 1);
      int slash = rest.indexOf('/');
      switch (kind) {
        case "zone" -> b.zone(rest, List.of());
        case "tenant" -> b.tenant(rest.substring(0, slash), rest.substring(slash + 1), List.of());
        case "dest" ->
            b.destination(rest.substring(0, slash), rest.substring(slash + 1), List.of());
        default -> throw new IllegalArgumentException("not a budget node id: " + id);
      }
    }
    return b.build();
  }

  private static List<Limit> limits(List<LimitConfig> limits) {
    return limits.stream().map(l -> new Limit(l.window(), l.capBytes())).toList();
  }
}
