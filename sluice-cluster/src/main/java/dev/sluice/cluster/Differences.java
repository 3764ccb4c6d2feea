package dev.sluice.cluster;

import dev.sluice.cluster.EtcdListing.CounterKey;
import dev.sluice.cluster.EtcdListing.Kind;
import dev.sluice.cluster.ExpectedCounters.Causes;
import dev.sluice.cluster.ReconcileReport.LedgerSummary;
import dev.sluice.cluster.ReconcileReport.NodeSummary;
import dev.sluice.cluster.ReconcileReport.Period;
import dev.sluice.cluster.ReconcileReport.Row;
import dev.sluice.ledger.LedgerTime;
import dev.sluice.store.StoreMath;
import dev.sluice.time.Window;
import dev.sluice.time.WindowCalendar;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The last step of a {@link Reconciliation}: compares the expected values with etcd's counters key
 * by key, and explains each difference by its most likely causes (open sets of nodes without a
 * ledger, closing entries lost, grants before the earliest ledger, a node still running), most
 * likely first; what none of them accounts for is called out, as SERIOUS when etcd counts less than
 * the ledgers prove. Counter keys of periods no ledger covers are counted as not compared.
 */
final class Differences {

  private final EtcdListing etcd;
  private final ZoneId zone;
  private final WindowCalendar calendar;
  private final Map<String, LedgerSets> owner;
  private final ExpectedCounters expected;
  private final Findings findings;

  /**
   * @param owner the verified ledger of each covered gateway node
   */
  Differences(
      EtcdListing etcd,
      ZoneId zone,
      WindowCalendar calendar,
      Map<String, LedgerSets> owner,
      ExpectedCounters expected,
      Findings findings) {
    this.etcd = etcd;
    this.zone = zone;
    this.calendar = calendar;
    this.owner = owner;
    this.expected = expected;
    this.findings = findings;
  }

  /**
   * Compares every key the ledgers charge, and every etcd counter key in a period a ledger's time
   * span overlaps, with its expected value; makes the report.
   */
  ReconcileReport compare(List<LedgerSummary> summaries) {
    List<long[]> spans = new ArrayList<>();
    for (LedgerSets l : owner.values()) {
      if (l.entries() > 0) {
        spans.add(new long[] {l.firstTime(), l.lastTime()});
      }
    }
    long earliest = spans.stream().mapToLong(s -> s[0]).min().orElse(Long.MAX_VALUE);
    Map<CounterKey, Long> actual = etcd.counters();
    Set<CounterKey> all = new TreeSet<>(expected.values.keySet());
    Set<Period> other = new TreeSet<>();
    int notCompared = 0;
    Set<Period> earlyPeriods = new TreeSet<>();
    for (CounterKey k : actual.keySet()) {
      Period p = new Period(k.window(), k.period());
      if (expected.charged.contains(p) || overlaps(p, spans)) {
        all.add(k);
      } else {
        notCompared++;
        other.add(p);
        if (p.start() < earliest) {
          earlyPeriods.add(p);
        }
      }
    }
    List<Row> rows = new ArrayList<>();
    Set<Period> compared = new TreeSet<>();
    for (CounterKey k : all) {
      compared.add(new Period(k.window(), k.period()));
      long exp = expected.values.getOrDefault(k, 0L);
      long act = actual.getOrDefault(k, 0L);
      List<String> why = exp == act ? List.of() : explain(k, act - exp, earlyPeriods);
      rows.add(new Row(k, k.key(etcd.keys()), exp, act, why));
    }
    if (notCompared > 0) {
      findings.notes.add(
          notCompared
              + " counter keys in "
              + other.size()
              + " periods that no given ledger covers were not compared");
    }
    findings.nodes.sort((a, b) -> a.node().compareTo(b.node()));
    return new ReconcileReport(
        etcd.prefix(),
        etcd.revision(),
        zone,
        summaries,
        findings.nodes,
        List.copyOf(compared),
        rows,
        List.copyOf(other),
        notCompared,
        findings.notes,
        findings.problems);
  }

  private boolean overlaps(Period p, List<long[]> spans) {
    if (spans.isEmpty()) {
      return false;
    }
    if (p.window() == Window.LIFETIME) {
      return true;
    }
    long end = calendar.periodEnd(p.window(), p.start());
    for (long[] s : spans) {
      if (p.start() <= s[1] && end > s[0]) {
        return true;
      }
    }
    return false;
  }

  /** The most likely causes of {@code diff = etcd - ledgers} on {@code k}, most likely first. */
  List<String> explain(CounterKey k, long diff, Set<Period> earlyPeriods) {
    List<String> out = new ArrayList<>();
    Causes c = expected.causesOf(k);
    long rest = diff;
    List<String> uncovered =
        findings.nodes.stream().filter(n -> !n.covered()).map(NodeSummary::node).toList();
    if (rest > 0 && !c.uncoveredOpen.isEmpty()) {
      long sum = 0;
      List<String> parts = new ArrayList<>();
      for (Map.Entry<String, Long> e : c.uncoveredOpen.entrySet()) {
        sum = StoreMath.saturatedAdd(sum, e.getValue());
        parts.add(e.getKey() + " " + e.getValue() + " bytes");
      }
      out.add(
          (sum == rest ? "exactly " : "")
              + "open sets of nodes whose ledger was not given: "
              + String.join(", ", parts));
      rest -= Math.min(rest, sum);
    }
    if (rest > 0 && !uncovered.isEmpty()) {
      out.add(
          (out.isEmpty() ? "" : "the other " + rest + " bytes: ")
              + (k.kind() == Kind.SPENT
                  ? "settled or stranded"
                  : "sent bytes of settled or stranded")
              + " sets of "
              + String.join(", ", uncovered)
              + " (in etcd, but no ledger of "
              + (uncovered.size() == 1 ? "it" : "them")
              + " was given)");
      rest = 0;
    }
    if (!c.unclosed.isEmpty()
        && ((k.kind() == Kind.SPENT && rest < 0) || (k.kind() == Kind.SENT && rest > 0))) {
      out.add(
          (k.kind() == Kind.SPENT ? "returned" : "sent")
              + " by sets open in their ledger but gone from etcd (closing entry lost): "
              + Findings.listed(c.unclosed)
              + ", up to "
              + c.unclosedBytes
              + " bytes");
      long cover = Math.min(Math.abs(rest), c.unclosedBytes);
      rest = rest < 0 ? rest + cover : rest - cover;
    }
    if (rest < 0 && !c.overLedgered.isEmpty()) {
      out.add(
          "SERIOUS: ledgered grants etcd never counted: "
              + Findings.listed(c.overLedgered)
              + " ("
              + c.overLedgeredBytes
              + " bytes)");
      rest += Math.min(-rest, c.overLedgeredBytes);
    }
    if (rest < 0) {
      out.add(
          "SERIOUS: etcd counts "
              + -rest
              + " bytes less than the ledgers prove were "
              + (k.kind() == Kind.SPENT ? "granted and not returned" : "sent")
              + ": the counter was lowered or reset outside Sluice, etcd lost data, or the"
              + " ledgers belong to another site or prefix");
    } else if (rest > 0) {
      boolean early =
          earlyPeriods.stream()
              .anyMatch(
                  p ->
                      k.window() == Window.LIFETIME
                          || (k.window().atLeastAsLongAs(p.window())
                              && p.window() != k.window()
                              && p.start() >= k.period()
                              && p.start() < calendar.periodEnd(k.window(), k.period())));
      if (early) {
        out.add(
            "grants from before the earliest ledger begins count here too (etcd has keys of"
                + " periods before "
                + LedgerTime.format(
                    owner.values().stream().mapToLong(LedgerSets::firstTime).min().orElse(0))
                + ")");
      }
      out.add(
          "etcd counts "
              + rest
              + " bytes more than the given ledgers account for"
              + (uncovered.isEmpty() ? " although every node in etcd has a ledger here" : "")
              + ": grants whose GRANT entry and set are both gone, a ledger that was replaced,"
              + " or the counter was raised outside Sluice");
    }
    List<String> running =
        findings.nodes.stream()
            .filter(n -> n.covered() && n.live())
            .map(NodeSummary::node)
            .toList();
    if (!running.isEmpty()) {
      out.add(
          "node "
              + String.join(", ", running)
              + " is running: activity after its ledger was read shows here too");
    }
    return out;
  }
}
