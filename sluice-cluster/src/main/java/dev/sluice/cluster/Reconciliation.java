package dev.sluice.cluster;

import dev.sluice.cluster.EtcdListing.CounterKey;
import dev.sluice.cluster.EtcdListing.Kind;
import dev.sluice.cluster.ReconcileReport.LedgerSummary;
import dev.sluice.cluster.ReconcileReport.NodeSummary;
import dev.sluice.store.StoreMath;
import dev.sluice.time.WindowCalendar;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks the gateway nodes' ledgers against the etcd counters of their site ({@code sluice ledger
 * reconcile}). From the ledgers it derives what every counter key must hold, attributing each set
 * exactly as {@link EtcdBudgetStore} does, and compares that with etcd key by key.
 *
 * <p>How a set counts, per gateway node (the {@code node} field) and set id:
 *
 * <ul>
 *   <li>Its keys are {@code nodes x every window} in the periods of its {@code set_time} (the time
 *       of its first grant, on the site's calendar): taken from its SETTLE or STRANDED entry (or
 *       its grant record in etcd while it is open, which names the periods itself). The store
 *       charges every grant of a set to those keys, and a settlement credits those same keys.
 *   <li>Spent: the bytes etcd granted to the set minus what its settlement returned. What etcd
 *       granted is the {@code granted} of its SETTLE or STRANDED entry (or of its open record),
 *       which is at least the sum of its GRANT entries; any excess is a grant whose GRANT entry was
 *       lost (a crash between the etcd commit and the ledger append): counted, and noted.
 *   <li>Sent: the {@code sent} of its SETTLE or STRANDED entry.
 * </ul>
 *
 * <p>Sets in etcd of a covered node that its ledger never mentions count with their record's {@code
 * granted}. Nodes in etcd without a ledger count nothing: their bytes show as differences,
 * explained by their open sets where those account for them. Only counter keys in periods that
 * overlap a ledger's time span (plus every key the ledgers charge) are compared; etcd keys of other
 * periods are counted as not compared. Thread-safe: each run works on its own state.
 */
public final class Reconciliation {

  private Reconciliation() {}

  /**
   * Reconciles {@code ledgers} (as read, verified or not) with {@code etcd}.
   *
   * @param zone the site's time zone: the periods of a set's {@code set_time}
   * @throws IllegalArgumentException when two ledgers hold the same gateway node, or one ledger is
   *     given twice
   */
  public static ReconcileReport run(List<LedgerSets> ledgers, EtcdListing etcd, ZoneId zone) {
    return new Run(ledgers, etcd, zone).run();
  }

  /**
   * One run: reads the ledgers (which verify, which gateway nodes each holds), adds up the expected
   * values node by node ({@link CoveredNode} for a node with a verified ledger), then compares
   * ({@link Differences}).
   */
  private static final class Run {
    final List<LedgerSets> ledgers;
    final EtcdListing etcd;
    final ZoneId zone;
    final WindowCalendar calendar;
    final Map<String, LedgerSets> owner = new TreeMap<>();
    final Map<String, LedgerSets> failed = new TreeMap<>();
    final ExpectedCounters expected = new ExpectedCounters();
    final Findings findings = new Findings();

    Run(List<LedgerSets> ledgers, EtcdListing etcd, ZoneId zone) {
      this.ledgers = List.copyOf(ledgers);
      this.etcd = Objects.requireNonNull(etcd, "etcd");
      this.zone = Objects.requireNonNull(zone, "zone");
      this.calendar = new WindowCalendar(zone);
    }

    ReconcileReport run() {
      checkDistinct();
      List<LedgerSummary> summaries = new ArrayList<>();
      for (LedgerSets l : ledgers) {
        summaries.add(ledger(l));
      }
      Set<String> all = new TreeSet<>(etcd.gatewayNodes());
      for (LedgerSets l : ledgers) {
        all.addAll(l.nodeIds());
      }
      CoveredNode covered = new CoveredNode(etcd, calendar, expected, findings);
      for (String node : all) {
        LedgerSets l = owner.get(node);
        if (l != null) {
          covered.count(node, l);
        } else {
          uncovered(node);
        }
      }
      for (String m : etcd.malformed()) {
        findings.problems.add("etcd key " + m);
      }
      return new Differences(etcd, zone, calendar, owner, expected, findings).compare(summaries);
    }

    /**
     * Two directories with the same gateway node (or the same directory twice) is a usage error.
     */
    void checkDistinct() {
      Map<Path, Path> dirs = new HashMap<>();
      Map<String, Path> seen = new TreeMap<>();
      for (LedgerSets l : ledgers) {
        Path before = dirs.putIfAbsent(l.ledgerDir(), l.dir());
        if (before != null) {
          throw new IllegalArgumentException("ledger " + l.dir() + " is given twice");
        }
        for (String node : l.nodeIds()) {
          Path other = seen.putIfAbsent(node, l.dir());
          if (other != null) {
            throw new IllegalArgumentException(
                "gateway node "
                    + node
                    + " is in two ledgers, "
                    + other
                    + " and "
                    + l.dir()
                    + ": give each node's ledger once");
          }
        }
      }
    }

    LedgerSummary ledger(LedgerSets l) {
      String problem = l.problem() == null ? null : l.problem().describe();
      if (problem != null) {
        for (String node : l.nodeIds()) {
          failed.put(node, l);
        }
        findings.problems.add(
            "ledger "
                + l.dir()
                + " does not verify, so it is not reconciled"
                + (l.nodeIds().isEmpty() ? "" : " (node " + String.join(", ", l.nodeIds()) + ")")
                + ": "
                + problem);
      } else {
        for (String node : l.nodeIds()) {
          owner.put(node, l);
        }
        if (l.nodeIds().isEmpty()) {
          findings.notes.add(
              "ledger "
                  + l.dir()
                  + " has no grant, settle or stranded entry of an etcd store: nothing in it to"
                  + " reconcile");
        }
        if (l.localEntries() > 0) {
          findings.notes.add(
              "ledger "
                  + l.dir()
                  + " has "
                  + l.localEntries()
                  + " budget entries without a node field (a local store's): not reconciled");
        }
        for (String m : l.malformed()) {
          findings.problems.add("ledger " + l.dir() + ": " + m);
        }
        for (String z : l.timeZones()) {
          if (!z.equals(zone.getId())) {
            findings.notes.add(
                "ledger "
                    + l.dir()
                    + " was written by a node running in time zone "
                    + z
                    + " (its START entries); reconciling in "
                    + zone.getId()
                    + ": sets may be attributed to other day, week or month keys than the node"
                    + " charged");
          }
        }
      }
      return new LedgerSummary(
          l.dir(),
          l.verified(),
          problem,
          l.nodeIds(),
          l.entries(),
          l.firstTime(),
          l.lastTime(),
          l.timeZones(),
          l.localEntries());
    }

    /** A node in etcd (or in a ledger that does not verify) counts nothing: noted, summarised. */
    void uncovered(String node) {
      Map<Long, SetRecord> records = etcd.sets(node);
      long held = 0;
      for (SetRecord r : records.values()) {
        held = StoreMath.saturatedAdd(held, r.granted());
        for (CounterKey k : expected.keysOf(Kind.SPENT, r.nodes(), r.periods())) {
          expected.causes(k).uncoveredOpen.merge(node, r.granted(), StoreMath::saturatedAdd);
        }
      }
      long seq = etcd.seq().getOrDefault(node, -1L);
      boolean live = etcd.live().contains(node);
      List<String> what = new ArrayList<>();
      if (seq >= 0) {
        what.add("sequence " + seq);
      }
      if (!records.isEmpty()) {
        what.add(
            records.size()
                + " open "
                + Findings.sets(records.size())
                + " holding "
                + held
                + " bytes");
      }
      if (live) {
        what.add("running");
      }
      LedgerSets bad = failed.get(node);
      String ledger =
          bad == null
              ? "no ledger of it was given"
              : "its ledger " + bad.dir() + " does not verify";
      findings.notes.add(
          "node "
              + node
              + (what.isEmpty()
                  ? " has no keys in etcd, and " + ledger
                  : " is in etcd (" + String.join(", ", what) + ") but " + ledger)
              + ": its grants are not in the expected values");
      findings.nodes.add(new NodeSummary(node, null, 0, 0, 0, seq, records.size(), held, live, 0));
    }
  }
}
