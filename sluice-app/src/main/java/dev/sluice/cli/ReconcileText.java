package dev.sluice.cli;

import dev.sluice.cluster.ReconcileReport;
import dev.sluice.cluster.ReconcileReport.LedgerSummary;
import dev.sluice.cluster.ReconcileReport.NodeSummary;
import dev.sluice.cluster.ReconcileReport.Period;
import dev.sluice.cluster.ReconcileReport.Row;
import dev.sluice.ledger.LedgerTime;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Prints a {@link ReconcileReport} for people: where etcd was read, the ledgers, the gateway nodes,
 * the periods compared, one row per compared counter (exact bytes, differences flagged), then each
 * difference with its key and most likely cause, the notes and problems, and a last line that
 * starts with {@code OK} or {@code FAIL}.
 */
final class ReconcileText {

  private ReconcileText() {}

  static void print(ReconcileReport r, String endpoints, PrintWriter out) {
    out.printf(
        Locale.ROOT,
        "etcd %s prefix %s, revision %d; time zone %s%n",
        endpoints,
        r.prefix(),
        r.revision(),
        r.zone().getId());

    out.println();
    List<String[]> ledgers = new ArrayList<>();
    ledgers.add(new String[] {"LEDGER", "VERIFIED", "NODES", "ENTRIES", "FROM", "TO"});
    for (LedgerSummary l : r.ledgers()) {
      ledgers.add(
          new String[] {
            l.dir().toString(),
            l.problem() != null ? "FAILED" : l.verified() ? "yes" : "not checked",
            l.nodes().isEmpty()
                ? "-"
                : l.nodes().stream().sorted().collect(Collectors.joining(",")),
            Long.toString(l.entries()),
            l.entries() == 0 ? "-" : LedgerTime.format(l.firstTime()),
            l.entries() == 0 ? "-" : LedgerTime.format(l.lastTime())
          });
    }
    TextTable.print(ledgers, new boolean[] {false, false, false, true, false, false}, out);

    out.println();
    List<String[]> nodes = new ArrayList<>();
    nodes.add(
        new String[] {
          "GATEWAY NODE",
          "LEDGER",
          "GRANTS",
          "SETS",
          "OPEN IN LEDGER",
          "SEQ",
          "OPEN IN ETCD",
          "HELD IN ETCD",
          "LIVE",
          "UNLEDGERED"
        });
    for (NodeSummary n : r.nodes()) {
      boolean c = n.covered();
      nodes.add(
          new String[] {
            n.node(),
            c ? n.ledger().toString() : "NONE GIVEN",
            c ? Integer.toString(n.grants()) : "-",
            c ? Integer.toString(n.sets()) : "-",
            c ? Integer.toString(n.openInLedger()) : "-",
            n.seq() < 0 ? "-" : Long.toString(n.seq()),
            Integer.toString(n.openInEtcd()),
            Long.toString(n.heldInEtcd()),
            n.live() ? "yes" : "no",
            c ? Long.toString(n.unledgered()) : "-"
          });
    }
    if (nodes.size() > 1) {
      TextTable.print(
          nodes,
          new boolean[] {false, false, true, true, true, true, true, true, false, true},
          out);
    } else {
      out.println("no gateway node in the ledgers or in etcd");
    }

    out.println();
    out.println(
        "periods compared: "
            + (r.periods().isEmpty()
                ? "none"
                : r.periods().stream()
                    .map(p -> p.label(r.zone()))
                    .collect(Collectors.joining(", "))));
    if (r.notCompared() > 0) {
      out.println(
          "not compared: "
              + r.notCompared()
              + " keys of periods no ledger covers: "
              + labels(r.otherPeriods(), r));
    }

    if (!r.rows().isEmpty()) {
      out.println();
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"BUDGET NODE", "PERIOD", "KIND", "ETCD", "LEDGERS", "DIFFERENCE", ""});
      for (Row row : r.rows()) {
        rows.add(
            new String[] {
              row.key().budgetNode(),
              row.period().label(r.zone()),
              row.key().kind().label(),
              Long.toString(row.actual()),
              Long.toString(row.expected()),
              row.matches() ? "" : signed(row.difference()),
              row.matches() ? "ok" : "DIFFERS"
            });
      }
      TextTable.print(rows, new boolean[] {false, false, false, true, true, true, false}, out);
    }

    // Keys with the same explanation are listed together, the explanation once below them.
    Map<List<String>, List<Row>> byCause = new LinkedHashMap<>();
    for (Row row : r.rows()) {
      if (!row.matches()) {
        byCause.computeIfAbsent(row.explanation(), k -> new ArrayList<>()).add(row);
      }
    }
    if (!byCause.isEmpty()) {
      out.println();
      out.println("differences:");
      byCause.forEach(
          (why, rows) -> {
            for (Row row : rows) {
              out.printf(
                  Locale.ROOT,
                  "  %s: etcd %d, ledgers %d (%s)%n",
                  row.etcdKey(),
                  row.actual(),
                  row.expected(),
                  signed(row.difference()));
            }
            for (String w : why) {
              out.println("    - " + w);
            }
          });
    }
    if (!r.notes().isEmpty()) {
      out.println();
      out.println("notes:");
      r.notes().forEach(n -> out.println("  - " + n));
    }
    if (!r.problems().isEmpty()) {
      out.println();
      out.println("problems:");
      r.problems().forEach(p -> out.println("  - " + p));
    }

    out.println();
    if (r.ok()) {
      out.printf(
          Locale.ROOT,
          "OK every compared counter matches (%d keys in %d periods)%n",
          r.rows().size(),
          r.periods().size());
    } else {
      out.printf(
          Locale.ROOT,
          "FAIL %d of %d compared counters differ%s%n",
          r.differing(),
          r.rows().size(),
          r.problems().isEmpty()
              ? ""
              : "; " + r.problems().size() + (r.problems().size() == 1 ? " problem" : " problems"));
    }
  }

  private static String labels(List<Period> periods, ReconcileReport r) {
    List<String> l = periods.stream().map(p -> p.label(r.zone())).toList();
    return l.size() <= 8
        ? String.join(", ", l)
        : String.join(", ", l.subList(0, 8)) + " and " + (l.size() - 8) + " more";
  }

  private static String signed(long v) {
    return v > 0 ? "+" + v : Long.toString(v);
  }
}
