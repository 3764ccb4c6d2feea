package dev.sluice.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Checks a node's grant ids against its sequence key in etcd, for {@link Reconciliation}: grant ids
 * of a node are consecutive in etcd ({@code seq} is the last one used), so its ledger should have
 * every one of them. Ids missing from the ledger are noted (grants whose entry was lost); ids above
 * the sequence, or a ledger of grants without a sequence key, are problems.
 */
final class SequenceCheck {

  private SequenceCheck() {}

  /**
   * Checks the grant ids {@code ids} of {@code node} in its ledger {@code l} against {@code seq},
   * the node's sequence in etcd (-1 if it has none).
   */
  static void check(
      String node, LedgerSets l, TreeSet<Long> ids, long seq, EtcdKeys keys, Findings findings) {
    if (ids.isEmpty()) {
      return;
    }
    if (seq < 0) {
      findings.problems.add(
          "node "
              + node
              + " has "
              + ids.size()
              + " grants in ledger "
              + l.dir()
              + " but no sequence key under "
              + keys.root()
              + ": is this the site and prefix these ledgers were written for?");
      return;
    }
    if (seq < ids.last()) {
      findings.problems.add(
          "node "
              + node
              + ": its ledger has grant ids up to "
              + ids.last()
              + " but etcd's sequence key says "
              + seq
              + ": the sequence was set back outside Sluice, or the ledger is another site's");
    }
    if (ids.first() > 1) {
      findings.notes.add(
          "node "
              + node
              + ": grant ids 1.."
              + (ids.first() - 1)
              + " are not in ledger "
              + l.dir()
              + " (it began after them: an earlier ledger of this node id)");
    }
    List<String> missing = new ArrayList<>();
    long count = 0;
    long prev = ids.first() - 1;
    for (long id : ids) {
      if (id > seq) {
        break;
      }
      if (id > prev + 1) {
        missing.add(Findings.range(prev + 1, id - 1));
        count += id - 1 - prev;
      }
      prev = id;
    }
    if (seq > prev) {
      missing.add(Findings.range(prev + 1, seq));
      count += seq - prev;
    }
    if (count > 0) {
      findings.notes.add(
          "node "
              + node
              + ": "
              + count
              + " grant ids up to its sequence "
              + seq
              + " have no GRANT entry in its ledger: "
              + Findings.listed(missing)
              + " (grants committed in etcd whose entry was lost; their bytes are counted where"
              + " a STRANDED or SETTLE entry or an open record shows them)");
    }
  }
}
