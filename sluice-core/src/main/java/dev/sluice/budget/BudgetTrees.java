package dev.sluice.budget;

import dev.sluice.config.BudgetsConfig;
import dev.sluice.config.LimitConfig;
import dev.sluice.config.ZoneConfig;
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
    return b.build();
  }

  private static List<Limit> limits(List<LimitConfig> limits) {
    return limits.stream().map(l -> new Limit(l.window(), l.capBytes())).toList();
  }
}
