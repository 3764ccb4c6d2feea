package dev.sluice.budget;

import dev.sluice.time.Window;
import java.util.List;
import java.util.Objects;

/**
 * One node of the budget tree with its limits. Immutable.
 *
 * <p>Ids are used everywhere (API, metrics, ledger): {@code site}, {@code zone:Z}, {@code
 * tenant:Z/T}, {@code dest:Z/PATTERN}. {@link #index()} is the node's position in {@link
 * BudgetTree#nodes()}, used to address per-node state in arrays.
 */
public final class BudgetNode {

  private final int index;
  private final String id;
  private final NodeKind kind;
  private final String zone;
  private final String name;
  private final List<Limit> limits;
  private final long[] capByWindow;

  BudgetNode(int index, String id, NodeKind kind, String zone, String name, List<Limit> limits) {
    this.index = index;
    this.id = Objects.requireNonNull(id, "id");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.zone = zone;
    this.name = name;
    this.limits = List.copyOf(limits);
    this.capByWindow = new long[Window.values().length];
    java.util.Arrays.fill(capByWindow, NO_LIMIT);
    for (Limit l : this.limits) {
      if (capByWindow[l.window().ordinal()] != NO_LIMIT) {
        throw new IllegalArgumentException(id + ": window " + l.window().label() + " given twice");
      }
      capByWindow[l.window().ordinal()] = l.cap();
    }
  }

  /** Marks a window without a limit; counting still happens, nothing is refused for it. */
  public static final long NO_LIMIT = -1;

  public int index() {
    return index;
  }

  public String id() {
    return id;
  }

  public NodeKind kind() {
    return kind;
  }

  /** The zone this node belongs to, or {@code null} for the site. */
  public String zone() {
    return zone;
  }

  /** The tenant name or destination pattern, the zone name for zones, {@code null} for the site. */
  public String name() {
    return name;
  }

  public List<Limit> limits() {
    return limits;
  }

  /** The cap of {@code window} in bytes, or {@link #NO_LIMIT}. */
  public long cap(Window window) {
    return capByWindow[window.ordinal()];
  }

  @Override
  public String toString() {
    return id + limits;
  }
}
