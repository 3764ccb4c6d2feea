package dev.sluice.cluster;

import dev.sluice.cluster.ReconcileReport.NodeSummary;
import java.util.ArrayList;
import java.util.List;

/**
 * What one reconciliation run has found besides the expected values: notes (explained, nothing
 * wrong), problems (something is wrong) and one summary per gateway node, in the order found. Also
 * how a finding names many things: at most {@value #MAX_LISTED} of them, then how many more.
 */
final class Findings {

  /** Set ids named in one note or explanation, at most. */
  static final int MAX_LISTED = 10;

  final List<String> notes = new ArrayList<>();
  final List<String> problems = new ArrayList<>();
  final List<NodeSummary> nodes = new ArrayList<>();

  /** {@code items}, comma-separated, the first {@link #MAX_LISTED} and a count of the rest. */
  static String listed(List<String> items) {
    if (items.size() <= MAX_LISTED) {
      return String.join(", ", items);
    }
    return String.join(", ", items.subList(0, MAX_LISTED))
        + " and "
        + (items.size() - MAX_LISTED)
        + " more";
  }

  static String sets(long n) {
    return n == 1 ? "set" : "sets";
  }

  /** {@code from..to}, or one number when they are equal. */
  static String range(long from, long to) {
    return from == to ? Long.toString(from) : from + ".." + to;
  }
}
