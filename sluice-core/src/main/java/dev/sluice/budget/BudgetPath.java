package dev.sluice.budget;

import dev.sluice.time.Window;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The nodes a byte pays along, from the site down: site, zone, tenant and, when the destination
 * matched a configured pattern, the destination. Immutable; obtained from {@link BudgetTree#path}
 * and cached there, so one instance exists per path and it can key maps.
 *
 * <p>A path is flattened into <em>slots</em>: one per (node, window), so a charge is a loop over
 * arrays. A slot whose node has no limit for that window has cap {@link BudgetNode#NO_LIMIT}: it is
 * counted (for reports and for limits added later) but never refuses.
 */
public final class BudgetPath {

  private static final Window[] WINDOWS = Window.values();

  private final BudgetNode[] nodes;
  private final int[] nodeIndexes;
  private final List<String> nodeIds;
  private final String key;
  private final int[] slotNode;
  private final Window[] slotWindow;
  private final long[] slotCap;

  BudgetPath(List<BudgetNode> path) {
    this.nodes = path.toArray(new BudgetNode[0]);
    this.nodeIndexes = new int[nodes.length];
    List<String> ids = new ArrayList<>(nodes.length);
    for (int i = 0; i < nodes.length; i++) {
      nodeIndexes[i] = nodes[i].index();
      ids.add(nodes[i].id());
    }
    this.nodeIds = Collections.unmodifiableList(ids);
    BudgetNode last = nodes[nodes.length - 1];
    BudgetNode tenant = nodes.length > 2 ? nodes[2] : last;
    this.key = last == tenant ? tenant.id() : tenant.id() + "|" + last.id();
    // (a one-node path, the control allowance, is keyed by its node id)
    int n = nodes.length * WINDOWS.length;
    this.slotNode = new int[n];
    this.slotWindow = new Window[n];
    this.slotCap = new long[n];
    int s = 0;
    for (BudgetNode node : nodes) {
      for (Window w : WINDOWS) {
        slotNode[s] = node.index();
        slotWindow[s] = w;
        slotCap[s] = node.cap(w);
        s++;
      }
    }
  }

  /** A stable text key naming the path: {@code tenant:Z/T} or {@code tenant:Z/T|dest:Z/P}. */
  public String key() {
    return key;
  }

  /** Node ids from the site down, as recorded in ledger entries. */
  public List<String> nodeIds() {
    return nodeIds;
  }

  public int nodeCount() {
    return nodes.length;
  }

  public BudgetNode node(int i) {
    return nodes[i];
  }

  /** Tree indexes of the nodes, from the site down. Do not modify. */
  int[] nodeIndexes() {
    return nodeIndexes;
  }

  public int slotCount() {
    return slotNode.length;
  }

  /** Tree index of the node of slot {@code s}. */
  public int slotNode(int s) {
    return slotNode[s];
  }

  public Window slotWindow(int s) {
    return slotWindow[s];
  }

  /** Cap of slot {@code s} in bytes, or {@link BudgetNode#NO_LIMIT}. */
  public long slotCap(int s) {
    return slotCap[s];
  }

  /** The node of slot {@code s}. */
  public BudgetNode slotBudgetNode(int s) {
    return nodes[s / WINDOWS.length];
  }

  @Override
  public String toString() {
    return key;
  }
}
