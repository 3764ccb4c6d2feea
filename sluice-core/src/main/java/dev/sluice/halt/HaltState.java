package dev.sluice.halt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
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
  private final HaltFile file;

  /** Halt switches kept in memory only (tests, tools). */
  public HaltState(List<String> zoneNames) {
    this(zoneNames, null);
  }

  private HaltState(List<String> zoneNames, HaltFile file) {
    for (String z : zoneNames) {
      zones.put(z, new Flag());
    }
    this.file = file;
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
    Flag f = zone == null ? site : zone(zone);
    Halt h = new Halt(zone == null ? SITE : zone, reason, nowMillis);
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
