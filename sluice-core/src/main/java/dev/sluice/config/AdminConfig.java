package dev.sluice.config;

import dev.sluice.net.HostPort;
import java.util.Objects;

/** The admin HTTP endpoint (metrics, API, dashboard). Loopback by default. */
public record AdminConfig(HostPort bind) {

  /** Where admin listens when nothing is configured. */
  public static final HostPort DEFAULT_BIND = new HostPort("127.0.0.1", 9901);

  public AdminConfig {
    Objects.requireNonNull(bind, "bind");
  }
}
