package dev.sluice.cluster;

import dev.sluice.cluster.EtcdListing.CounterKey;
import dev.sluice.cluster.EtcdListing.Kind;
import dev.sluice.cluster.LedgerSets.Close;
import dev.sluice.cluster.LedgerSets.EscrowSet;
import dev.sluice.cluster.LedgerSets.Grant;
import dev.sluice.cluster.ReconcileReport.LedgerSummary;
import dev.sluice.cluster.ReconcileReport.NodeSummary;
import dev.sluice.cluster.ReconcileReport.Period;
import dev.sluice.cluster.ReconcileReport.Row;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerTime;
import dev.sluice.store.StoreMath;
import dev.sluice.time.Window;
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

  /** Set ids named in one note or explanation, at most. */
  private static final int MAX_LISTED = 10;

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

  /** Where a set's bytes were accounted, for explaining a key's difference. */
  private static final class Causes {
    /** Open sets (in etcd) of nodes without a ledger: node to bytes granted. */
    final Map<String, Long> uncoveredOpen = new TreeMap<>();

    /** Sets open in a ledger but gone from etcd ("node/set"), and their ledgered bytes. */
    final List<String> unclosed = new ArrayList<>();

    long unclosedBytes;

    /** Sets whose ledgered grants exceed what etcd granted them, and by how much. */
    final List<String> overLedgered = new ArrayList<>();

    long overLedgeredBytes;
  }

  private static final class Run {
    final List<LedgerSets> ledgers;
    final EtcdListing etcd;
    final ZoneId zone;
    final WindowCalendar calendar;
    final EtcdKeys keys;
    final Map<String, LedgerSets> owner = new TreeMap<>();
    final Map<String, LedgerSets> failed = new TreeMap<>();
    final Map<CounterKey, Long> expected = new TreeMap<>();
    final Map<CounterKey, Causes> causes = new HashMap<>();
    final Set<Period> charged = new TreeSet<>();
    final List<NodeSummary> nodes = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    final List<String> problems = new ArrayList<>();

    Run(List<LedgerSets> ledgers, EtcdListing etcd, ZoneId zone) {
      this.ledgers = List.copyOf(ledgers);
      this.etcd = Objects.requireNonNull(etcd, "etcd");
      this.zone = Objects.requireNonNull(zone, "zone");
      this.calendar = new WindowCalendar(zone);
      this.keys = etcd.keys();
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
      for (String node : all) {
        LedgerSets l = owner.get(node);
        if (l != null) {
          covered(node, l);
        } else {
          uncovered(node);
        }
      }
      for (String m : etcd.malformed()) {
        problems.add("etcd key " + m);
      }
      return compare(summaries);
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
        problems.add(
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
          notes.add(
              "ledger "
                  + l.dir()
                  + " has no grant, settle or stranded entry of an etcd store: nothing in it to"
                  + " reconcile");
        }
        if (l.localEntries() > 0) {
          notes.add(
              "ledger "
                  + l.dir()
                  + " has "
                  + l.localEntries()
                  + " budget entries without a node field (a local store's): not reconciled");
        }
        for (String m : l.malformed()) {
          problems.add("ledger " + l.dir() + ": " + m);
        }
        for (String z : l.timeZones()) {
          if (!z.equals(zone.getId())) {
            notes.add(
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

    // ------------------------------------------------------------ expected values

    void covered(String node, LedgerSets l) {
      Map<Long, SetRecord> records = new TreeMap<>(etcd.sets(node));
      int openEtcd = records.size();
      long held = 0;
      for (SetRecord r : records.values()) {
        held = StoreMath.saturatedAdd(held, r.granted());
      }
      int grants = 0;
      int openInLedger = 0;
      long unledgered = 0;
      TreeSet<Long> ids = new TreeSet<>();
      List<String> unclosed = new ArrayList<>();
      for (EscrowSet s : l.sets(node).values()) {
        for (Grant g : s.grants()) {
          grants++;
          if (!ids.add(g.id())) {
            problems.add(
                "ledger " + l.dir() + ": grant id " + g.id() + " of node " + node + " twice");
          }
        }
        long ledgered = s.ledgered();
        SetRecord rec = records.remove(s.id());
        Close close = s.close();
        String name = "set " + s.id() + " of node " + node;
        List<String> path;
        Map<Window, Long> periods;
        long etcdGranted;
        long returned = 0;
        long sent = 0;
        if (close != null) {
          if (s.closes().size() > 1) {
            problems.add(
                "ledger " + l.dir() + ": " + name + " is closed " + s.closes().size() + " times");
          }
          path = close.nodes();
          periods = SetRecord.periodsOf(calendar, close.setTime());
          etcdGranted = close.granted();
          returned = close.returned();
          sent = close.sent();
          if (rec != null) {
            problems.add(
                name
                    + " is closed in its ledger ("
                    + close.type().label()
                    + " entry "
                    + close.index()
                    + ") but its grant record is still in etcd ("
                    + rec.granted()
                    + " bytes granted): it was written again after the set ended, or its"
                    + " deletion was undone");
          }
        } else if (rec != null) {
          openInLedger++;
          path = rec.nodes();
          periods = rec.periods();
          etcdGranted = rec.granted();
        } else {
          openInLedger++;
          Grant first = s.grants().get(0);
          path = first.nodes();
          periods = SetRecord.periodsOf(calendar, first.time());
          etcdGranted = -1;
          unclosed.add(s.id() + " (" + ledgered + " bytes)");
        }
        for (Grant g : s.grants()) {
          if (!g.nodes().equals(path)) {
            problems.add(
                name
                    + ": grant "
                    + g.id()
                    + " names budget nodes "
                    + g.nodes()
                    + ", the set's are "
                    + path);
            break;
          }
        }
        long counted = ledgered;
        if (etcdGranted > ledgered) {
          long lost = etcdGranted - ledgered;
          counted = etcdGranted;
          unledgered += lost;
          notes.add(lostGrantNote(name, close, etcdGranted, ledgered, lost));
        } else if (etcdGranted >= 0 && etcdGranted < ledgered) {
          long over = ledgered - etcdGranted;
          problems.add(
              name
                  + ": its ledger has "
                  + ledgered
                  + " bytes of grants but etcd granted it only "
                  + etcdGranted
                  + " ("
                  + (close != null ? close.type().label() + " entry " + close.index() : "record")
                  + "): "
                  + over
                  + " bytes are ledgered as granted that etcd never counted");
          for (CounterKey k : keysOf(Kind.SPENT, path, periods)) {
            Causes c = causes(k);
            c.overLedgered.add(node + "/" + s.id());
            c.overLedgeredBytes += over;
          }
        }
        if (etcdGranted < 0) {
          for (Kind kind : Kind.values()) {
            for (CounterKey k : keysOf(kind, path, periods)) {
              Causes c = causes(k);
              c.unclosed.add(node + "/" + s.id());
              c.unclosedBytes += ledgered;
            }
          }
        }
        add(Kind.SPENT, path, periods, counted - returned);
        add(Kind.SENT, path, periods, sent);
      }
      if (!unclosed.isEmpty()) {
        notes.add(
            "node "
                + node
                + ": "
                + unclosed.size()
                + (unclosed.size() == 1
                    ? " set open in its ledger has no grant record in etcd: "
                    : " sets open in its ledger have no grant record in etcd: ")
                + listed(unclosed)
                + ". Each was settled or stranded in etcd and its closing ledger entry was lost"
                + " (a crash right after the etcd transaction), or its record was deleted outside"
                + " Sluice. Counted as granted and not returned, in the periods of its first"
                + " grant's time");
      }
      for (SetRecord r : records.values()) {
        unledgered += r.granted();
        notes.add(
            "set "
                + r.setId()
                + " of node "
                + node
                + " is open in etcd ("
                + r.granted()
                + " bytes granted) but not in its ledger: its grant committed in etcd and the"
                + " GRANT entry was lost (a crash between the etcd commit and the ledger"
                + " append); counted. The node records it as stranded at its next start");
        add(Kind.SPENT, r.nodes(), r.periods(), r.granted());
      }
      long seq = etcd.seq().getOrDefault(node, -1L);
      checkSequence(node, l, ids, seq);
      boolean live = etcd.live().contains(node);
      if (live) {
        notes.add(
            "node "
                + node
                + " is running (its liveness key exists): its grants and settlements after its"
                + " ledger was read can show as differences; for an exact result stop it, or run"
                + " again");
      }
      nodes.add(
          new NodeSummary(
              node,
              l.dir(),
              grants,
              l.sets(node).size(),
              openInLedger,
              seq,
              openEtcd,
              held,
              live,
              unledgered));
    }

    private static String lostGrantNote(
        String name, Close close, long etcdGranted, long ledgered, long lost) {
      String source =
          close == null
              ? "its grant record in etcd says " + etcdGranted + " bytes granted"
              : "its "
                  + close.type().label().toUpperCase(java.util.Locale.ROOT)
                  + " entry ("
                  + close.index()
                  + ") says etcd granted "
                  + etcdGranted;
      String why =
          close != null && close.type() == EntryType.STRANDED
              ? "a crash between the etcd commit and the ledger append"
              : close != null
                  ? "the ledger could not record a grant that etcd committed"
                  : "a crash between the etcd commit and the ledger append, or the node is still"
                      + " appending it";
      return name
          + ": "
          + source
          + ", its GRANT entries add up to "
          + ledgered
          + ": "
          + lost
          + " bytes were granted in etcd without a GRANT entry ("
          + why
          + "); counted";
    }

    /** Grant ids of a node are consecutive in etcd ({@code seq}); the ledger should have them. */
    void checkSequence(String node, LedgerSets l, TreeSet<Long> ids, long seq) {
      if (ids.isEmpty()) {
        return;
      }
      if (seq < 0) {
        problems.add(
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
        problems.add(
            "node "
                + node
                + ": its ledger has grant ids up to "
                + ids.last()
                + " but etcd's sequence key says "
                + seq
                + ": the sequence was set back outside Sluice, or the ledger is another site's");
      }
      if (ids.first() > 1) {
        notes.add(
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
          missing.add(range(prev + 1, id - 1));
          count += id - 1 - prev;
        }
        prev = id;
      }
      if (seq > prev) {
        missing.add(range(prev + 1, seq));
        count += seq - prev;
      }
      if (count > 0) {
        notes.add(
            "node "
                + node
                + ": "
                + count
                + " grant ids up to its sequence "
                + seq
                + " have no GRANT entry in its ledger: "
                + listed(missing)
                + " (grants committed in etcd whose entry was lost; their bytes are counted where"
                + " a STRANDED or SETTLE entry or an open record shows them)");
      }
    }

    void uncovered(String node) {
      Map<Long, SetRecord> records = etcd.sets(node);
      long held = 0;
      for (SetRecord r : records.values()) {
        held = StoreMath.saturatedAdd(held, r.granted());
        for (CounterKey k : keysOf(Kind.SPENT, r.nodes(), r.periods())) {
          causes(k).uncoveredOpen.merge(node, r.granted(), StoreMath::saturatedAdd);
        }
      }
      long seq = etcd.seq().getOrDefault(node, -1L);
      boolean live = etcd.live().contains(node);
      List<String> what = new ArrayList<>();
      if (seq >= 0) {
        what.add("sequence " + seq);
      }
      if (!records.isEmpty()) {
        what.add(records.size() + " open " + sets(records.size()) + " holding " + held + " bytes");
      }
      if (live) {
        what.add("running");
      }
      LedgerSets bad = failed.get(node);
      String ledger =
          bad == null
              ? "no ledger of it was given"
              : "its ledger " + bad.dir() + " does not verify";
      notes.add(
          "node "
              + node
              + (what.isEmpty()
                  ? " has no keys in etcd, and " + ledger
                  : " is in etcd (" + String.join(", ", what) + ") but " + ledger)
              + ": its grants are not in the expected values");
      nodes.add(new NodeSummary(node, null, 0, 0, 0, seq, records.size(), held, live, 0));
    }

    private List<CounterKey> keysOf(Kind kind, List<String> path, Map<Window, Long> periods) {
      List<CounterKey> out = new ArrayList<>();
      for (String n : path) {
        for (Window w : Window.values()) {
          out.add(new CounterKey(kind, n, w, periods.get(w)));
        }
      }
      return out;
    }

    private void add(Kind kind, List<String> path, Map<Window, Long> periods, long amount) {
      for (CounterKey k : keysOf(kind, path, periods)) {
        charged.add(new Period(k.window(), k.period()));
        if (amount != 0) {
          expected.merge(k, amount, Math::addExact);
        }
      }
    }

    private Causes causes(CounterKey k) {
      return causes.computeIfAbsent(k, x -> new Causes());
    }

    // ------------------------------------------------------------ comparison

    ReconcileReport compare(List<LedgerSummary> summaries) {
      List<long[]> spans = new ArrayList<>();
      for (LedgerSets l : owner.values()) {
        if (l.entries() > 0) {
          spans.add(new long[] {l.firstTime(), l.lastTime()});
        }
      }
      long earliest = spans.stream().mapToLong(s -> s[0]).min().orElse(Long.MAX_VALUE);
      Map<CounterKey, Long> actual = etcd.counters();
      Set<CounterKey> all = new TreeSet<>(expected.keySet());
      Set<Period> other = new TreeSet<>();
      int notCompared = 0;
      Set<Period> earlyPeriods = new TreeSet<>();
      for (CounterKey k : actual.keySet()) {
        Period p = new Period(k.window(), k.period());
        if (charged.contains(p) || overlaps(p, spans)) {
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
        long exp = expected.getOrDefault(k, 0L);
        long act = actual.getOrDefault(k, 0L);
        List<String> why = exp == act ? List.of() : explain(k, act - exp, earlyPeriods);
        rows.add(new Row(k, k.key(keys), exp, act, why));
      }
      if (notCompared > 0) {
        notes.add(
            notCompared
                + " counter keys in "
                + other.size()
                + " periods that no given ledger covers were not compared");
      }
      nodes.sort((a, b) -> a.node().compareTo(b.node()));
      return new ReconcileReport(
          etcd.prefix(),
          etcd.revision(),
          zone,
          summaries,
          nodes,
          List.copyOf(compared),
          rows,
          List.copyOf(other),
          notCompared,
          notes,
          problems);
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
      Causes c = causes.getOrDefault(k, new Causes());
      long rest = diff;
      List<String> uncovered =
          nodes.stream().filter(n -> !n.covered()).map(NodeSummary::node).toList();
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
                + listed(c.unclosed)
                + ", up to "
                + c.unclosedBytes
                + " bytes");
        long cover = Math.min(Math.abs(rest), c.unclosedBytes);
        rest = rest < 0 ? rest + cover : rest - cover;
      }
      if (rest < 0 && !c.overLedgered.isEmpty()) {
        out.add(
            "SERIOUS: ledgered grants etcd never counted: "
                + listed(c.overLedgered)
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
          nodes.stream().filter(n -> n.covered() && n.live()).map(NodeSummary::node).toList();
      if (!running.isEmpty()) {
        out.add(
            "node "
                + String.join(", ", running)
                + " is running: activity after its ledger was read shows here too");
      }
      return out;
    }
  }

  private static String listed(List<String> items) {
    if (items.size() <= MAX_LISTED) {
      return String.join(", ", items);
    }
    return String.join(", ", items.subList(0, MAX_LISTED))
        + " and "
        + (items.size() - MAX_LISTED)
        + " more";
  }

  private static String sets(long n) {
    return n == 1 ? "set" : "sets";
  }

  private static String range(long from, long to) {
    return from == to ? Long.toString(from) : from + ".." + to;
  }
}
