package dev.sluice.admin;

import dev.sluice.halt.FleetHalts;
import dev.sluice.halt.HaltState;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes this node's halts follow the fleet's: for every scope this node knows ({@code site} and its
 * zones), a fleet halt not in force here is put in force, a halt here whose fleet key is gone is
 * resumed, and a halt here never published is published; {@link HaltControl} does each, ledgered.
 * Fed by {@link FleetHalts#watch} (one snapshot at a time, in etcd revision order). A fleet halt of
 * a zone this node does not have is logged once and otherwise ignored: nodes of one prefix are
 * meant to run the same configuration.
 */
final class FleetHaltSync implements Consumer<FleetHalts.Snapshot> {

  private static final Logger log = LoggerFactory.getLogger(FleetHaltSync.class);

  private final HaltControl control;
  private final Set<String> scopes;
  private final Set<String> reported = new HashSet<>();

  FleetHaltSync(HaltControl control, List<String> zones) {
    this.control = Objects.requireNonNull(control, "control");
    Set<String> s = new LinkedHashSet<>();
    s.add(HaltState.SITE);
    s.addAll(zones);
    this.scopes = Set.copyOf(s);
  }

  @Override
  public void accept(FleetHalts.Snapshot snapshot) {
    for (String scope : scopes) {
      String zone = scope.equals(HaltState.SITE) ? null : scope;
      FleetHalts.Halt h = snapshot.halts().get(scope);
      if (h != null) {
        control.applyFleetHalt(zone, h);
      } else {
        control.applyFleetLift(zone, snapshot.revision(), snapshot.lifts().get(scope));
      }
    }
    for (FleetHalts.Halt h : snapshot.halts().values()) {
      if (!scopes.contains(h.scope()) && reported.add(h.scope() + "@" + h.revision())) {
        log.error(
            "the fleet halted {} (node {}), which is not a zone of this node's configuration;"
                + " ignored here",
            h.scope(),
            h.node());
      }
    }
  }
}
