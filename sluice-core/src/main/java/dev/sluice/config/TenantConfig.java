package dev.sluice.config;

import java.util.List;

/** Who the bytes are for, inside one zone, with its own limits (possibly none). */
public record TenantConfig(String name, List<LimitConfig> limits) {

  public TenantConfig {
    Names.checkNodeName("tenant", name);
    limits = LimitConfig.copyOf(limits, "tenant " + name);
  }
}
