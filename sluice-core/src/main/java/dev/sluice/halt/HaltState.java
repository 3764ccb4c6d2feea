package dev.sluice.halt;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether egress is halted, for the whole site or per zone. The data plane asks {@link
 * #halted(Flag, Flag)} with the two flags of its zone before every write, so a halt stops every
 * byte, in-flight streams included, at the next write. Changing the state is the control plane's
 * job (admin API, CLI), which also ledgers it. Thread-safe; reads are two volatile loads.
 */
public final class HaltState {

  /** Why and since when egress is halted. */
  public record Halt(String scope, String reason, long sinceMillis) {
    public Halt {
      Objects.requireNonNull(scope, "scope");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** One halt switch. */
  public static final class Flag {
    private final AtomicReference<Halt> halt = new AtomicReference<>();

    public boolean on() {
      return halt.get() != null;
    }

    public Halt halt() {
      return halt.get();
    }
  }

  /** The scope name of a site-wide halt. */
  public static final String SITE = "site";

  private final Flag site = new Flag();
  private final Map<String, Flag> zones = new LinkedHashMap<>();

  public HaltState(List<String> zoneNames) {
    for (String z : zoneNames) {
      zones.put(z, new Flag());
    }
  }

  /** The site-wide flag. */
  public Flag site() {
    return site;
  }

  /** The flag of {@code zone}. */
  public Flag zone(String zone) {
    Flag f = zones.get(zone);
    if (f == null) {
      throw new IllegalArgumentException("unknown zone " + zone);
    }
    return f;
  }

  /** Hot path: is egress of a zone halted, by the site flag or its own. */
  public static boolean halted(Flag site, Flag zone) {
    return site.on() || zone.on();
  }

  /**
   * Halts the site ({@code zone == null}) or one zone. Returns the halt now in force (the earlier
   * one if it was already halted).
   */
  public Halt halt(String zone, String reason, long nowMillis) {
    Flag f = zone == null ? site : zone(zone);
    Halt h = new Halt(zone == null ? SITE : zone, reason, nowMillis);
    return f.halt.compareAndSet(null, h) ? h : f.halt.get();
  }

  /** Lifts the halt of the site or a zone; returns the halt that was lifted, or null. */
  public Halt resume(String zone) {
    Flag f = zone == null ? site : zone(zone);
    return f.halt.getAndSet(null);
  }

  /** Every halt in force: the site's first, then zones in configuration order. */
  public List<Halt> active() {
    java.util.ArrayList<Halt> out = new java.util.ArrayList<>();
    if (site.on()) {
      out.add(site.halt());
    }
    for (Flag f : zones.values()) {
      if (f.on()) {
        out.add(f.halt());
      }
    }
    return out;
  }
}
