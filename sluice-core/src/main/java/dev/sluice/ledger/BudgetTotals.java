package dev.sluice.ledger;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sums GRANT, SETTLE and STRANDED entries per budget node id, with overflow checks, for {@link
 * LedgerVerifier}. Field names: GRANT{id, set, nodes, amount, expires_at, sent}, SETTLE{set, nodes,
 * granted, sent, returned, reason}, STRANDED{set, nodes, granted, sent, stranded}; every id in
 * {@code nodes} is charged the full amount. Not thread-safe.
 */
final class BudgetTotals {

  private static final int GRANTED = 0;
  private static final int RETURNED = 1;
  private static final int SENT = 2;
  private static final int STRANDED = 3;

  private final Map<String, long[]> byNode = new TreeMap<>();

  /** Adds {@code e} if it is a budget entry; returns what is wrong with it, or null. */
  String add(LedgerEntry e) {
    try {
      switch (e.type()) {
        case GRANT -> charge(e, GRANTED, amount(e, "amount"));
        case SETTLE -> {
          charge(e, SENT, amount(e, "sent"));
          charge(e, RETURNED, amount(e, "returned"));
          for (String node : e.getStrings("nodes")) {
            long[] t = byNode.get(node);
            if (t[RETURNED] > t[GRANTED]) {
              return "node "
                  + node
                  + " has "
                  + t[RETURNED]
                  + " bytes returned but only "
                  + t[GRANTED]
                  + " granted";
            }
          }
        }
        case STRANDED -> {
          charge(e, SENT, amount(e, "sent"));
          charge(e, STRANDED, amount(e, "stranded"));
        }
        default -> {
          return null;
        }
      }
      return null;
    } catch (IllegalStateException | ArithmeticException ex) {
      return e.type().label() + " entry: " + ex.getMessage();
    }
  }

  /** The totals per node id, sorted by id. */
  Map<String, NodeTotals> result() {
    Map<String, NodeTotals> out = new TreeMap<>();
    byNode.forEach(
        (node, t) -> out.put(node, new NodeTotals(t[GRANTED], t[RETURNED], t[SENT], t[STRANDED])));
    return Collections.unmodifiableMap(out);
  }

  private void charge(LedgerEntry e, int column, long amount) {
    List<String> nodes = e.getStrings("nodes");
    if (nodes.isEmpty()) {
      throw new IllegalStateException("names no budget nodes");
    }
    for (String node : nodes) {
      long[] t = byNode.computeIfAbsent(node, k -> new long[4]);
      try {
        t[column] = Math.addExact(t[column], amount);
      } catch (ArithmeticException ex) {
        throw new ArithmeticException("total for node " + node + " overflows a 64-bit counter");
      }
    }
  }

  private static long amount(LedgerEntry e, String field) {
    long v = e.getLong(field);
    if (v < 0) {
      throw new IllegalStateException(field + " is negative: " + v);
    }
    return v;
  }
}
