package dev.sluice.halt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
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

  /**
   * Why and since when egress is halted.
   *
   * @param fleetRevision with a shared (etcd) store, the etcd create revision of the fleet halt key
   *     this halt is known to match; 0 while it has not been published to the fleet (a local halt,
   *     or a node without a shared store)
   */
  public record Halt(String scope, String reason, long sinceMillis, long fleetRevision) {
    public Halt {
      Objects.requireNonNull(scope, "scope");
      Objects.requireNonNull(reason, "reason");
      if (fleetRevision < 0) {
        throw new IllegalArgumentException("fleetRevision " + fleetRevision);
      }
    }

    /** A halt not (yet) published to the fleet. */
    public Halt(String scope, String reason, long sinceMillis) {
      this(scope, reason, sinceMillis, 0);
    }

    /** Whether this halt is known to be published to the fleet (its etcd key was seen). */
    public boolean published() {
      return fleetRevision > 0;
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

  /** Copied on write (a reload changes the zones), read without a lock. */
  private volatile Map<String, Flag> zones = Map.of();

  private final HaltFile file;

  /** Halt switches kept in memory only (tests, tools). */
  public HaltState(List<String> zoneNames) {
    this(zoneNames, null);
  }

  private HaltState(List<String> zoneNames, HaltFile file) {
    Map<String, Flag> m = new LinkedHashMap<>();
    for (String z : zoneNames) {
      m.put(z, new Flag());
    }
    this.zones = Collections.unmodifiableMap(m);
    this.file = file;
  }

  /**
   * Follows a configuration reload applied in place: the zones become {@code zoneNames} (in that
   * order). A zone kept keeps its flag, so a halt in force stays in force and the connections that
   * hold the flag see later halts and resumes; a new zone starts resumed; a removed zone's flag
   * (and halt) is dropped, and the file is written without it.
   */
  public synchronized void rezone(List<String> zoneNames) {
    Map<String, Flag> m = new LinkedHashMap<>();
    for (String z : zoneNames) {
      Flag f = zones.get(z);
      m.put(z, f == null ? new Flag() : f);
    }
    boolean dropped = !m.keySet().containsAll(zones.keySet());
    zones = Collections.unmodifiableMap(m);
    if (dropped) {
      persist();
    }
  }

  /**
   * Halt switches that survive restarts: loaded from {@code path} (if it exists) and written back
   * on every change, so a node that restarts while halted stays halted. A halt of a zone that is no
   * longer configured is dropped with the file's next write.
   */
  public static HaltState persistent(List<String> zoneNames, Path path) throws IOException {
    HaltFile f = new HaltFile(path);
    HaltState s = new HaltState(zoneNames, f);
    for (Halt h : f.read()) {
      Flag flag = h.scope().equals(SITE) ? s.site : s.zones.get(h.scope());
      if (flag != null) {
        flag.halt.set(h);
      }
    }
    return s;
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
  public synchronized Halt halt(String zone, String reason, long nowMillis) {
    return halt(zone, reason, nowMillis, 0);
  }

  /**
   * As {@link #halt(String, String, long)}, for a halt that comes from the fleet's halt key of
   * create revision {@code fleetRevision} (0: a local halt, not yet published).
   */
  public synchronized Halt halt(String zone, String reason, long nowMillis, long fleetRevision) {
    Flag f = zone == null ? site : zone(zone);
    Halt h = new Halt(zone == null ? SITE : zone, reason, nowMillis, fleetRevision);
    // In force in memory first: a halt must never wait for (or fail with) the disk.
    Halt now = f.halt.compareAndSet(null, h) ? h : f.halt.get();
    persist();
    return now;
  }

  /**
   * Lifts the halt of the site or a zone; returns the halt that was lifted, or null. With a
   * persistent state, the halt is lifted only once the file says so.
   *
   * @throws UncheckedIOException if the change cannot be persisted (the halt stays in force)
   */
  public synchronized Halt resume(String zone) {
    Flag f = zone == null ? site : zone(zone);
    Halt was = f.halt.get();
    if (was == null) {
      return null;
    }
    if (file != null) {
      List<Halt> after = new ArrayList<>(active());
      after.remove(was);
      try {
        file.write(after);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot record the resume; egress stays halted", e);
      }
    }
    f.halt.compareAndSet(was, null);
    return was;
  }

  /**
   * Records that {@code expected}, the halt in force for the site ({@code zone == null}) or a zone,
   * matches the fleet halt key of create revision {@code fleetRevision}, and saves it. Does nothing
   * if another halt (or none) is in force by now, or it already records that revision. Returns the
   * halt now in force, or null.
   */
  public synchronized Halt markPublished(String zone, Halt expected, long fleetRevision) {
    Flag f = zone == null ? site : zone(zone);
    Halt was = f.halt.get();
    if (was == null || !was.equals(expected) || was.fleetRevision() == fleetRevision) {
      return was;
    }
    Halt now = new Halt(was.scope(), was.reason(), was.sinceMillis(), fleetRevision);
    f.halt.compareAndSet(was, now);
    persist();
    return now;
  }

  private void persist() {
    if (file == null) {
      return;
    }
    try {
      file.write(active());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "halt is in force but could not be saved to " + file.path() + "; it ends at restart", e);
    }
  }

  /** Every halt in force: the site's first, then zones in configuration order. */
  public List<Halt> active() {
    List<Halt> out = new ArrayList<>();
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
