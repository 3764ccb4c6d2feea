package dev.sluice.cluster;

import dev.sluice.cluster.EtcdListing.CounterKey;
import dev.sluice.cluster.EtcdListing.Kind;
import dev.sluice.cluster.ReconcileReport.Period;
import dev.sluice.time.Window;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the ledgers say every counter key must hold, as one reconciliation run adds it up: the
 * expected value of each key, the periods the ledgers charge, and per key where its bytes were
 * accounted ({@link Causes}), so that a difference can be explained. A set's keys are {@code nodes
 * x every window} in the periods of its {@code set_time}.
 */
final class ExpectedCounters {

  /** Where a set's bytes were accounted, for explaining a key's difference. */
  static final class Causes {
    /** Open sets (in etcd) of nodes without a ledger: node to bytes granted. */
    final Map<String, Long> uncoveredOpen = new TreeMap<>();

    /** Sets open in a ledger but gone from etcd ("node/set"), and their ledgered bytes. */
    final List<String> unclosed = new ArrayList<>();

    long unclosedBytes;

    /** Sets whose ledgered grants exceed what etcd granted them, and by how much. */
    final List<String> overLedgered = new ArrayList<>();

    long overLedgeredBytes;
  }

  /** The expected value of every key the ledgers charge a non-zero amount. */
  final Map<CounterKey, Long> values = new TreeMap<>();

  /** Every period the ledgers charge (a key of it is compared even if its value is 0). */
  final Set<Period> charged = new TreeSet<>();

  private final Map<CounterKey, Causes> causes = new HashMap<>();

  /** The keys of a set on {@code path} in {@code periods}: every window of every node. */
  List<CounterKey> keysOf(Kind kind, List<String> path, Map<Window, Long> periods) {
    List<CounterKey> out = new ArrayList<>();
    for (String n : path) {
      for (Window w : Window.values()) {
        out.add(new CounterKey(kind, n, w, periods.get(w)));
      }
    }
    return out;
  }

  /** Adds {@code amount} to every key of a set; its periods count as charged even when 0. */
  void add(Kind kind, List<String> path, Map<Window, Long> periods, long amount) {
    for (CounterKey k : keysOf(kind, path, periods)) {
      charged.add(new Period(k.window(), k.period()));
      if (amount != 0) {
        values.merge(k, amount, Math::addExact);
      }
    }
  }

  /** The causes noted on {@code k}, made if there are none yet. */
  Causes causes(CounterKey k) {
    return causes.computeIfAbsent(k, x -> new Causes());
  }

  /** The causes noted on {@code k}; empty if there are none. */
  Causes causesOf(CounterKey k) {
    return causes.getOrDefault(k, new Causes());
  }
}
