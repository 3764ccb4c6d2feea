package dev.sluice.cluster;

import dev.sluice.cluster.EtcdListing.CounterKey;
import dev.sluice.cluster.EtcdListing.Kind;
import dev.sluice.cluster.ExpectedCounters.Causes;
import dev.sluice.cluster.LedgerSets.Close;
import dev.sluice.cluster.LedgerSets.EscrowSet;
import dev.sluice.cluster.LedgerSets.Grant;
import dev.sluice.cluster.ReconcileReport.NodeSummary;
import dev.sluice.ledger.EntryType;
import dev.sluice.store.StoreMath;
import dev.sluice.time.Window;
import dev.sluice.time.WindowCalendar;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The expected values of a gateway node whose ledger was given and verifies, set by set, exactly as
 * {@link Reconciliation} describes (attributing each set as the etcd store does). Notes what the
 * ledger and etcd explain between them (a lost {@code grant} or closing entry, a node still
 * running), and reports as problems what they cannot (a set closed twice, more bytes ledgered than
 * etcd ever granted, grant ids above etcd's sequence).
 */
final class CoveredNode {

  private final EtcdListing etcd;
  private final WindowCalendar calendar;
  private final ExpectedCounters expected;
  private final Findings findings;

  CoveredNode(
      EtcdListing etcd, WindowCalendar calendar, ExpectedCounters expected, Findings findings) {
    this.etcd = etcd;
    this.calendar = calendar;
    this.expected = expected;
    this.findings = findings;
  }

  /** Adds the expected values of {@code node}, whose verified ledger is {@code l}. */
  void count(String node, LedgerSets l) {
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
          findings.problems.add(
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
          findings.problems.add(
              "ledger " + l.dir() + ": " + name + " is closed " + s.closes().size() + " times");
        }
        path = close.nodes();
        periods = SetRecord.periodsOf(calendar, close.setTime());
        etcdGranted = close.granted();
        returned = close.returned();
        sent = close.sent();
        if (rec != null) {
          findings.problems.add(
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
          findings.problems.add(
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
        findings.notes.add(lostGrantNote(name, close, etcdGranted, ledgered, lost));
      } else if (etcdGranted >= 0 && etcdGranted < ledgered) {
        long over = ledgered - etcdGranted;
        findings.problems.add(
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
        for (CounterKey k : expected.keysOf(Kind.SPENT, path, periods)) {
          Causes c = expected.causes(k);
          c.overLedgered.add(node + "/" + s.id());
          c.overLedgeredBytes += over;
        }
      }
      if (etcdGranted < 0) {
        for (Kind kind : Kind.values()) {
          for (CounterKey k : expected.keysOf(kind, path, periods)) {
            Causes c = expected.causes(k);
            c.unclosed.add(node + "/" + s.id());
            c.unclosedBytes += ledgered;
          }
        }
      }
      expected.add(Kind.SPENT, path, periods, counted - returned);
      expected.add(Kind.SENT, path, periods, sent);
    }
    if (!unclosed.isEmpty()) {
      findings.notes.add(
          "node "
              + node
              + ": "
              + unclosed.size()
              + (unclosed.size() == 1
                  ? " set open in its ledger has no grant record in etcd: "
                  : " sets open in its ledger have no grant record in etcd: ")
              + Findings.listed(unclosed)
              + ". Each was settled or stranded in etcd and its closing ledger entry was lost"
              + " (a crash right after the etcd transaction), or its record was deleted outside"
              + " Sluice. Counted as granted and not returned, in the periods of its first"
              + " grant's time");
    }
    for (SetRecord r : records.values()) {
      unledgered += r.granted();
      findings.notes.add(
          "set "
              + r.setId()
              + " of node "
              + node
              + " is open in etcd ("
              + r.granted()
              + " bytes granted) but not in its ledger: its grant committed in etcd and the"
              + " GRANT entry was lost (a crash between the etcd commit and the ledger"
              + " append); counted. The node records it as stranded at its next start");
      expected.add(Kind.SPENT, r.nodes(), r.periods(), r.granted());
    }
    long seq = etcd.seq().getOrDefault(node, -1L);
    SequenceCheck.check(node, l, ids, seq, etcd.keys(), findings);
    boolean live = etcd.live().contains(node);
    if (live) {
      findings.notes.add(
          "node "
              + node
              + " is running (its liveness key exists): its grants and settlements after its"
              + " ledger was read can show as differences; for an exact result stop it, or run"
              + " again");
    }
    findings.nodes.add(
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
}
