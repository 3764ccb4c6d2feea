package dev.sluice.gateway.forward;

import dev.sluice.config.DestinationConfig;
import dev.sluice.config.ZoneConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Which destination node of the listener's zone a host is charged to: an exact pattern first, else
 * the most specific (longest) {@code *.suffix} pattern that matches. A host that matches none is
 * allowed, without a destination node, only when the zone says {@code unknown_destinations: allow}.
 * Immutable.
 */
final class DestinationPolicy {

  /** A decision: {@code allowed}, and if so the matching pattern (null: no destination node). */
  record Match(boolean allowed, String pattern) {}

  private static final Match UNKNOWN_ALLOWED = new Match(true, null);
  private static final Match NOT_ALLOWED = new Match(false, null);

  private final List<DestinationConfig> exact = new ArrayList<>();
  private final List<DestinationConfig> wildcards = new ArrayList<>();
  private final boolean allowUnknown;

  DestinationPolicy(ZoneConfig zone) {
    for (DestinationConfig d : zone.destinations().values()) {
      (d.pattern().startsWith("*.") ? wildcards : exact).add(d);
    }
    wildcards.sort((a, b) -> Integer.compare(b.pattern().length(), a.pattern().length()));
    this.allowUnknown = zone.allowUnknownDestinations();
  }

  /** The decision for {@code host}, which {@link HostCheck} has accepted. */
  Match match(String host) {
    for (DestinationConfig d : exact) {
      if (d.matches(host)) {
        return new Match(true, d.pattern());
      }
    }
    for (DestinationConfig d : wildcards) {
      if (d.matches(host)) {
        return new Match(true, d.pattern());
      }
    }
    return allowUnknown ? UNKNOWN_ALLOWED : NOT_ALLOWED;
  }
}
