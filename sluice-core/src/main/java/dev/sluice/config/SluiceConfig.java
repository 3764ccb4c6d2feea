package dev.sluice.config;

import dev.sluice.net.HostPort;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A whole, validated, immutable Sluice configuration. Built once at start by {@link ConfigLoader}
 * and never changed; a new configuration is a new object (and a new ledger entry, keyed by {@code
 * sha256Hex}, the hash of the file's bytes).
 *
 * <p>The constructor re-checks the invariants that span sections (listener zones and tenants exist,
 * listener names and bind addresses are unique), so a configuration built in code cannot be
 * inconsistent either. The loader checks the same things first, with line numbers.
 *
 * <p>{@code alerts} is null when the file has no {@code alerts} section (no alerting); {@code
 * logging} is {@link LoggingConfig#DEFAULT} (text) when it has no {@code logging} section.
 */
public record SluiceConfig(
    String site,
    ModelConfig model,
    ZoneId timeZone,
    Mode mode,
    Path dataDir,
    BudgetsConfig budgets,
    List<ListenerConfig> listeners,
    AdminConfig admin,
    StoreConfig store,
    LedgerConfig ledger,
    EscrowConfig escrow,
    String sourceName,
    String sha256Hex,
    CodecConfig codec,
    AlertsConfig alerts,
    ChangeControlConfig changeControl,
    DetectionConfig detection,
    LoggingConfig logging) {

  /** The data directory when none is configured (relative to the working directory). */
  public static final Path DEFAULT_DATA_DIR = Path.of("./sluice-data");

  /** The time zone windows align to when none is configured; equal to {@code time_zone: UTC}. */
  public static final ZoneId DEFAULT_TIME_ZONE = ZoneId.of("UTC");

  public SluiceConfig {
    Names.checkNodeName("site", site);
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(timeZone, "timeZone");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(budgets, "budgets");
    listeners = List.copyOf(listeners);
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(ledger, "ledger");
    Objects.requireNonNull(escrow, "escrow");
    Objects.requireNonNull(sourceName, "sourceName");
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(changeControl, "changeControl");
    Objects.requireNonNull(detection, "detection");
    Objects.requireNonNull(logging, "logging");
    if (sha256Hex == null || !sha256Hex.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("sha256Hex must be 64 lower-case hex digits");
    }
    if (listeners.isEmpty()) {
      throw new IllegalArgumentException("at least one listener is required");
    }
    checkListeners(budgets, listeners, admin);
  }

  /**
   * The detection of {@code zone}'s listeners: the zone's own section over the site's, or the
   * site's.
   */
  public DetectionConfig detection(String zone) {
    ZoneConfig z = budgets.zones().get(zone);
    return z == null || z.detection() == null ? detection : z.detection();
  }

  /**
   * A configuration built in code (tests): the built-in codec model ({@link
   * CodecConfig#defaults()}), no alerts, no change control, no detection, text logs. Code that
   * derives a configuration from another one uses the canonical constructor, so that no section is
   * dropped on the way.
   */
  public SluiceConfig(
      String site,
      ModelConfig model,
      ZoneId timeZone,
      Mode mode,
      Path dataDir,
      BudgetsConfig budgets,
      List<ListenerConfig> listeners,
      AdminConfig admin,
      StoreConfig store,
      LedgerConfig ledger,
      EscrowConfig escrow,
      String sourceName,
      String sha256Hex) {
    this(
        site,
        model,
        timeZone,
        mode,
        dataDir,
        budgets,
        listeners,
        admin,
        store,
        ledger,
        escrow,
        sourceName,
        sha256Hex,
        CodecConfig.defaults(),
        null,
        ChangeControlConfig.NONE,
        DetectionConfig.OFF,
        LoggingConfig.DEFAULT);
  }

  /** True if any listener has {@code peer: edge} (the codec model is needed). */
  public boolean hasEdgeListener() {
    return listeners.stream().anyMatch(l -> l.peer() == Peer.EDGE);
  }

  /** The zone named {@code name}, or {@code null}. */
  public ZoneConfig zone(String name) {
    return budgets.zones().get(name);
  }

  /** The listener named {@code name}, or {@code null}. */
  public ListenerConfig listener(String name) {
    for (ListenerConfig l : listeners) {
      if (l.name().equals(name)) {
        return l;
      }
    }
    return null;
  }

  private static void checkListeners(
      BudgetsConfig budgets, List<ListenerConfig> listeners, AdminConfig admin) {
    Set<String> names = new HashSet<>();
    List<HostPort> binds = new ArrayList<>(List.of(admin.bind()));
    for (ListenerConfig l : listeners) {
      if (!names.add(l.name())) {
        throw new IllegalArgumentException("listener name " + l.name() + " is used twice");
      }
      ZoneConfig zone = budgets.zones().get(l.zone());
      if (zone == null) {
        throw new IllegalArgumentException("listener " + l.name() + ": unknown zone " + l.zone());
      }
      for (String tenant : l.tenantsBySource().values()) {
        if (!zone.tenants().containsKey(tenant)) {
          throw new IllegalArgumentException(
              "listener " + l.name() + ": zone " + l.zone() + " has no tenant " + tenant);
        }
      }
      if (l.forward() != null) {
        for (ProxyUserConfig u : l.forward().proxyUsers().values()) {
          if (!zone.tenants().containsKey(u.tenant())) {
            throw new IllegalArgumentException(
                "listener "
                    + l.name()
                    + ": proxy user "
                    + u.name()
                    + ": zone "
                    + l.zone()
                    + " has no tenant "
                    + u.tenant());
          }
        }
      }
      for (HostPort other : binds) {
        if (l.bind().conflictsWith(other)) {
          throw new IllegalArgumentException(
              "listener " + l.name() + ": bind " + l.bind() + " conflicts with " + other);
        }
      }
      binds.add(l.bind());
    }
  }
}
