package dev.sluice.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cluster.EtcdListing.CounterKey;
import dev.sluice.time.Window;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The result of {@link Reconciliation#run}: what the nodes' ledgers say the etcd counters must be,
 * what etcd holds, every difference with its most likely explanation, and what was not compared.
 *
 * @param prefix the etcd key prefix of the site
 * @param revision the etcd revision every key was read at
 * @param zone the time zone the sets' periods were computed in
 * @param ledgers one per ledger directory given, in the order given
 * @param nodes every gateway node seen in a ledger or in etcd, sorted
 * @param periods the window periods compared, sorted by window then start
 * @param rows one per compared counter key, sorted by budget node, window, period, kind
 * @param otherPeriods periods of etcd counter keys that were not compared (no ledger covers them)
 * @param notCompared how many etcd counter keys were not compared
 * @param notes what was found and accounted for (not a difference by itself)
 * @param problems what is wrong besides counter differences (each makes the result fail)
 */
public record ReconcileReport(
    String prefix,
    long revision,
    ZoneId zone,
    List<LedgerSummary> ledgers,
    List<NodeSummary> nodes,
    List<Period> periods,
    List<Row> rows,
    List<Period> otherPeriods,
    int notCompared,
    List<String> notes,
    List<String> problems) {

  public ReconcileReport {
    ledgers = List.copyOf(ledgers);
    nodes = List.copyOf(nodes);
    periods = List.copyOf(periods);
    rows = List.copyOf(rows);
    otherPeriods = List.copyOf(otherPeriods);
    notes = List.copyOf(notes);
    problems = List.copyOf(problems);
  }

  /**
   * One ledger directory.
   *
   * @param verified true when it was verified and passed
   * @param problem why it did not verify (it was then not reconciled), or null
   * @param nodes the gateway nodes named by its budget entries
   * @param firstTime time of its first entry, epoch ms
   * @param lastTime time of its last entry, epoch ms
   * @param timeZones the time zones its START entries name
   * @param localEntries budget entries without a node field (a local store's), not reconciled
   */
  public record LedgerSummary(
      Path dir,
      boolean verified,
      String problem,
      Set<String> nodes,
      long entries,
      long firstTime,
      long lastTime,
      List<String> timeZones,
      long localEntries) {
    public LedgerSummary {
      nodes = Set.copyOf(nodes);
      timeZones = List.copyOf(timeZones);
    }
  }

  /**
   * One gateway node.
   *
   * @param ledger the ledger directory that covers it, or null when none was given
   * @param grants its GRANT entries in that ledger
   * @param sets its escrow sets in that ledger
   * @param openInLedger sets with grants but no SETTLE or STRANDED entry
   * @param seq its last grant id in etcd, or -1 when it has no sequence key
   * @param openInEtcd its grant records in etcd (open sets)
   * @param heldInEtcd bytes granted to those open sets
   * @param live whether its liveness key exists (it is running)
   * @param unledgered bytes counted from etcd's records (or a closing entry) that no GRANT entry of
   *     its ledger accounts for
   */
  public record NodeSummary(
      String node,
      Path ledger,
      int grants,
      int sets,
      int openInLedger,
      long seq,
      int openInEtcd,
      long heldInEtcd,
      boolean live,
      long unledgered) {
    public boolean covered() {
      return ledger != null;
    }
  }

  /** A window period; {@code start} is the key's period segment (0 for lifetime). */
  public record Period(Window window, long start) implements Comparable<Period> {
    @Override
    public int compareTo(Period o) {
      int c = window.compareTo(o.window);
      return c != 0 ? c : Long.compare(start, o.start);
    }

    /**
     * For people: {@code day 2026-11-22}, {@code week 2026-11-16}, {@code month 2026-11}, {@code
     * lifetime}.
     */
    public String label(ZoneId zone) {
      if (window == Window.LIFETIME) {
        return "lifetime";
      }
      LocalDate d = LocalDate.ofInstant(Instant.ofEpochMilli(start), zone);
      return window.label() + " " + (window == Window.MONTH ? d.toString().substring(0, 7) : d);
    }
  }

  /**
   * One compared counter key.
   *
   * @param expected what the ledgers say it must hold
   * @param actual what etcd holds (0 when the key does not exist)
   * @param explanation the most likely causes of a difference, most likely first; empty when the
   *     values match
   */
  public record Row(
      CounterKey key, String etcdKey, long expected, long actual, List<String> explanation) {
    public Row {
      Objects.requireNonNull(key, "key");
      explanation = List.copyOf(explanation);
    }

    public boolean matches() {
      return expected == actual;
    }

    /** {@code actual - expected}: positive when etcd counts more than the ledgers. */
    public long difference() {
      return actual - expected;
    }

    public Period period() {
      return new Period(key.window(), key.period());
    }
  }

  /** True when every compared counter matches and nothing else is wrong. */
  public boolean ok() {
    return problems.isEmpty() && differing() == 0;
  }

  /** Compared keys whose values differ. */
  public long differing() {
    return rows.stream().filter(r -> !r.matches()).count();
  }

  /** Compared keys whose values match. */
  public long matching() {
    return rows.size() - differing();
  }

  /** The report as JSON ({@code "format": "sluice-reconcile/v1"}), for machines. */
  public ObjectNode toJson() {
    ObjectMapper m = new ObjectMapper();
    ObjectNode o = m.createObjectNode();
    o.put("format", "sluice-reconcile/v1");
    o.put("ok", ok());
    o.put("prefix", prefix);
    o.put("revision", revision);
    o.put("time_zone", zone.getId());
    ArrayNode ls = o.putArray("ledgers");
    for (LedgerSummary l : ledgers) {
      ObjectNode j = ls.addObject();
      j.put("dir", l.dir().toString());
      j.put("verified", l.verified());
      if (l.problem() != null) {
        j.put("problem", l.problem());
      }
      l.nodes().stream().sorted().forEach(j.putArray("nodes")::add);
      j.put("entries", l.entries());
      if (l.entries() > 0) {
        j.put("first_time", l.firstTime());
        j.put("last_time", l.lastTime());
      }
      l.timeZones().forEach(j.putArray("time_zones")::add);
      j.put("local_entries", l.localEntries());
    }
    ArrayNode ns = o.putArray("nodes");
    for (NodeSummary n : nodes) {
      ObjectNode j = ns.addObject();
      j.put("node", n.node());
      if (n.ledger() == null) {
        j.putNull("ledger");
      } else {
        j.put("ledger", n.ledger().toString());
        j.put("grants", n.grants());
        j.put("sets", n.sets());
        j.put("open_in_ledger", n.openInLedger());
        j.put("unledgered_bytes", n.unledgered());
      }
      if (n.seq() < 0) {
        j.putNull("seq");
      } else {
        j.put("seq", n.seq());
      }
      j.put("open_in_etcd", n.openInEtcd());
      j.put("held_in_etcd", n.heldInEtcd());
      j.put("live", n.live());
    }
    ArrayNode ps = o.putArray("periods");
    for (Period p : periods) {
      period(ps.addObject(), p);
    }
    ObjectNode keys = o.putObject("keys");
    keys.put("compared", rows.size());
    keys.put("matching", matching());
    keys.put("differing", differing());
    keys.put("not_compared", notCompared);
    ArrayNode other = keys.putArray("other_periods");
    for (Period p : otherPeriods) {
      period(other.addObject(), p);
    }
    ArrayNode rs = o.putArray("counters");
    for (Row r : rows) {
      ObjectNode j = rs.addObject();
      j.put("key", r.etcdKey());
      j.put("kind", r.key().kind().label());
      j.put("budget_node", r.key().budgetNode());
      j.put("window", r.key().window().label());
      j.put("period_start", r.key().period());
      j.put("etcd", r.actual());
      j.put("ledgers", r.expected());
      j.put("difference", r.difference());
      j.put("match", r.matches());
      if (!r.explanation().isEmpty()) {
        r.explanation().forEach(j.putArray("explanation")::add);
      }
    }
    notes.forEach(o.putArray("notes")::add);
    problems.forEach(o.putArray("problems")::add);
    return o;
  }

  private void period(ObjectNode j, Period p) {
    j.put("window", p.window().label());
    j.put("start", p.start());
    j.put("label", p.label(zone));
  }
}
