package dev.sluice.config;

import java.util.Objects;

/** The budget store. */
public record StoreConfig(StoreType type) {

  /** The store used when nothing is configured. */
  public static final StoreConfig DEFAULT = new StoreConfig(StoreType.LOCAL);

  public StoreConfig {
    Objects.requireNonNull(type, "type");
  }
}
