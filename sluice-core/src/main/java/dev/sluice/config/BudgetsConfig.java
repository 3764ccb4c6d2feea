package dev.sluice.config;

import java.util.List;
import java.util.Map;

/**
 * The budget tree: the site's limits (at least one), the site-level allowance that pays for denial
 * responses, and the zones in the order they were written.
 */
public record BudgetsConfig(
    List<LimitConfig> limits, long controlAllowanceBytes, Map<String, ZoneConfig> zones) {

  /** The control allowance when none is configured: 1 MiB. */
  public static final long DEFAULT_CONTROL_ALLOWANCE = 1L << 20;

  public BudgetsConfig {
    limits = LimitConfig.copyOf(limits, "the site");
    zones = Immutables.namedCopy(zones, ZoneConfig::name, "zones");
    if (limits.isEmpty()) {
      throw new IllegalArgumentException("the site needs at least one limit");
    }
    if (controlAllowanceBytes < 0) {
      throw new IllegalArgumentException("control allowance cannot be negative");
    }
    if (zones.isEmpty()) {
      throw new IllegalArgumentException("at least one zone is required");
    }
  }
}
