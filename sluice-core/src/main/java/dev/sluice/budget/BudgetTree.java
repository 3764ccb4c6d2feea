package dev.sluice.budget;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shape of a site's budgets: the site, its zones, each zone's tenants and each zone's
 * destinations, each with its limits. Destination limits are shared by all tenants of the zone: a
 * byte to {@code *.corp.example} from tenant {@code alice} pays {@code site}, {@code
 * zone:employee}, {@code tenant:employee/alice} and {@code dest:employee/*.corp.example}.
 *
 * <p>Immutable structure only; spending is tracked by {@link BudgetCounters} (in a budget store)
 * and by escrow accounts. Thread-safe.
 */
public final class BudgetTree {

  private final List<BudgetNode> nodes;
  private final Map<String, BudgetNode> byId;
  private final Map<String, List<String>> tenantsByZone;
  private final Map<String, List<String>> destinationsByZone;
  private final Map<String, BudgetPath> paths = new ConcurrentHashMap<>();

  private final BudgetPath controlPath;

  private BudgetTree(Builder b) {
    this.nodes = List.copyOf(b.nodes);
    Map<String, BudgetNode> ids = new LinkedHashMap<>();
    for (BudgetNode n : nodes) {
      ids.put(n.id(), n);
    }
    this.byId = Collections.unmodifiableMap(ids);
    this.tenantsByZone = freeze(b.tenants);
    this.destinationsByZone = freeze(b.destinations);
    BudgetNode control = ids.get(NodeIds.CONTROL);
    this.controlPath = control == null ? null : new BudgetPath(List.of(control));
  }

  /**
   * The path of the control allowance: bytes of denial responses written toward the outside pay
   * only this node, not the site, so a client can still be told why it was refused after the site
   * cap is spent. {@code null} when the tree has no control node.
   */
  public BudgetPath controlPath() {
    return controlPath;
  }

  /** Starts a tree whose site carries {@code siteLimits}. */
  public static Builder builder(List<Limit> siteLimits) {
    return new Builder(siteLimits);
  }

  /** Every node, site first, then each zone followed by its tenants and destinations. */
  public List<BudgetNode> nodes() {
    return nodes;
  }

  public BudgetNode site() {
    return nodes.get(0);
  }

  /** The node with this id, or {@code null}. */
  public BudgetNode node(String id) {
    return byId.get(id);
  }

  public List<String> zones() {
    return List.copyOf(tenantsByZone.keySet());
  }

  public List<String> tenants(String zone) {
    return tenantsByZone.getOrDefault(zone, List.of());
  }

  public List<String> destinations(String zone) {
    return destinationsByZone.getOrDefault(zone, List.of());
  }

  /**
   * The path for bytes of {@code tenant} in {@code zone} to the destination {@code pattern} ({@code
   * null} when no destination node applies). Cached: the same instance every time.
   *
   * @throws IllegalArgumentException if the zone, tenant or destination is not in the tree
   */
  public BudgetPath path(String zone, String tenant, String pattern) {
    String key =
        NodeIds.tenant(zone, tenant)
            + (pattern == null ? "" : "|" + NodeIds.destination(zone, pattern));
    BudgetPath p = paths.get(key);
    if (p != null) {
      return p;
    }
    List<BudgetNode> list = new ArrayList<>(4);
    list.add(site());
    list.add(require(NodeIds.zone(zone), "zone"));
    list.add(require(NodeIds.tenant(zone, tenant), "tenant"));
    if (pattern != null) {
      list.add(require(NodeIds.destination(zone, pattern), "destination"));
    }
    return paths.computeIfAbsent(key, k -> new BudgetPath(list));
  }

  /**
   * {@code p}, or the path of this tree with the same node ids when {@code p} belongs to another
   * tree (one replaced by a configuration reload): the caps and tree indexes are then this tree's.
   * Null when a node of {@code p} is not in this tree any more. Cached like {@link #path}.
   */
  public BudgetPath resolve(BudgetPath p) {
    if (p.node(0) == site()) {
      return p;
    }
    if (controlPath != null && p.key().equals(controlPath.key())) {
      return controlPath;
    }
    BudgetPath cached = paths.get(p.key());
    if (cached != null) {
      return cached;
    }
    List<BudgetNode> list = new ArrayList<>(p.nodeCount());
    for (String id : p.nodeIds()) {
      BudgetNode n = byId.get(id);
      if (n == null) {
        return null;
      }
      list.add(n);
    }
    return paths.computeIfAbsent(p.key(), k -> new BudgetPath(list));
  }

  private BudgetNode require(String id, String what) {
    BudgetNode n = byId.get(id);
    if (n == null) {
      throw new IllegalArgumentException("no " + what + " " + id + " in the budget tree");
    }
    return n;
  }

  private static Map<String, List<String>> freeze(Map<String, List<String>> m) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, List.copyOf(v)));
    return Collections.unmodifiableMap(out);
  }

  /** Collects nodes; zones must be added before their tenants and destinations. */
  public static final class Builder {
    private final List<BudgetNode> nodes = new ArrayList<>();
    private final Map<String, List<String>> tenants = new LinkedHashMap<>();
    private final Map<String, List<String>> destinations = new LinkedHashMap<>();

    private Builder(List<Limit> siteLimits) {
      add(NodeIds.SITE, NodeKind.SITE, null, null, siteLimits);
    }

    public Builder zone(String zone, List<Limit> limits) {
      if (tenants.containsKey(zone)) {
        throw new IllegalArgumentException("zone " + zone + " added twice");
      }
      add(NodeIds.zone(zone), NodeKind.ZONE, zone, zone, limits);
      tenants.put(zone, new ArrayList<>());
      destinations.put(zone, new ArrayList<>());
      return this;
    }

    public Builder tenant(String zone, String tenant, List<Limit> limits) {
      requireZone(zone).add(tenant);
      add(NodeIds.tenant(zone, tenant), NodeKind.TENANT, zone, tenant, limits);
      return this;
    }

    public Builder destination(String zone, String pattern, List<Limit> limits) {
      requireZone(zone);
      destinations.get(zone).add(pattern);
      add(NodeIds.destination(zone, pattern), NodeKind.DESTINATION, zone, pattern, limits);
      return this;
    }

    /** Adds the control allowance (node id {@code control}) with {@code limits}. */
    public Builder control(List<Limit> limits) {
      add(NodeIds.CONTROL, NodeKind.CONTROL, null, null, limits);
      return this;
    }

    public BudgetTree build() {
      return new BudgetTree(this);
    }

    private List<String> requireZone(String zone) {
      List<String> t = tenants.get(zone);
      if (t == null) {
        throw new IllegalArgumentException("unknown zone " + zone + "; add the zone first");
      }
      return t;
    }

    private void add(String id, NodeKind kind, String zone, String name, List<Limit> limits) {
      Objects.requireNonNull(limits, "limits");
      for (BudgetNode n : nodes) {
        if (n.id().equals(id)) {
          throw new IllegalArgumentException("node " + id + " added twice");
        }
      }
      nodes.add(new BudgetNode(nodes.size(), id, kind, zone, name, limits));
    }
  }
}
