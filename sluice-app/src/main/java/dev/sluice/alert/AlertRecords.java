package dev.sluice.alert;

import dev.sluice.gateway.evidence.LogValue;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.ledger.LedgerReader;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every alert change: a log line (WARN when firing, INFO when resolved, every value
 * escaped) and an {@code ALERT} ledger entry, and reads those entries back at start.
 *
 * <p>The entry (docs/formats/ledger-v1.md): {@code status} ({@code firing}|{@code resolved}),
 * {@code key} (the once-only key), {@code fingerprint}, {@code labels} (a list of {@code
 * name=value}, in name order), {@code summary}, {@code description}, {@code starts_at} (epoch ms),
 * {@code ends_at} (epoch ms, resolved only) and {@code until} (epoch ms, once-only alerts: the end
 * of the limit's period). An entry the ledger refuses (it is unavailable) is logged and not
 * retried: the alert about the unavailable ledger is itself the record of that time.
 */
final class AlertRecords {

  private static final Logger log = LoggerFactory.getLogger("dev.sluice.alert");

  private AlertRecords() {}

  static void record(Ledger ledger, Alert a, long untilMillis, long nowMillis) {
    if (a.status() == Alert.Status.FIRING) {
      log.warn(
          "ALERT firing {} severity={} fingerprint={} labels={} summary={}",
          a.name(),
          a.severity(),
          a.fingerprint(),
          LogValue.of(labelList(a).toString()),
          LogValue.of(a.summary()));
    } else {
      log.info(
          "ALERT resolved {} fingerprint={} labels={}",
          a.name(),
          a.fingerprint(),
          LogValue.of(labelList(a).toString()));
    }
    try {
      ledger
          .append(entry(a, untilMillis, nowMillis))
          .whenComplete(
              (index, err) -> {
                if (err != null) {
                  log.error(
                      "the ledger refused the ALERT entry of {} ({}): {}",
                      a.name(),
                      a.fingerprint(),
                      err.toString());
                }
              });
    } catch (RuntimeException e) {
      log.error("the ledger refused the ALERT entry of {}: {}", a.name(), e.toString());
    }
  }

  static LedgerEntry entry(Alert a, long untilMillis, long nowMillis) {
    LedgerEntry.Builder b =
        LedgerEntry.builder(EntryType.ALERT, nowMillis)
            .put("status", a.status().label())
            .put("key", a.key())
            .put("fingerprint", a.fingerprint())
            .putStrings("labels", labelList(a))
            .put("summary", a.summary())
            .put("description", a.annotations().getOrDefault("description", ""))
            .put("starts_at", a.startsAtMillis());
    if (a.status() == Alert.Status.RESOLVED) {
      b.put("ends_at", a.endsAtMillis());
    }
    if (untilMillis >= 0) {
      b.put("until", untilMillis);
    }
    return b.build();
  }

  /**
   * Replays the {@code ALERT} entries of the ledger in {@code dataDir} into {@code book}; returns
   * how many. A data directory without a ledger yet has none.
   */
  static long restore(Path dataDir, AlertBook book) throws IOException {
    long[] n = {0};
    try (LedgerReader reader = LedgerReader.open(dataDir)) {
      reader.forEach(
          e -> {
            if (e.entry().type() == EntryType.ALERT && e.entry().has("key")) {
              LedgerEntry le = e.entry();
              book.restore(alert(le), le.getLong("until", -1));
              n[0]++;
            }
          });
    } catch (NoSuchFileException e) {
      return 0;
    }
    return n[0];
  }

  static Alert alert(LedgerEntry e) {
    Map<String, String> labels = new TreeMap<>();
    for (String l : e.getStrings("labels")) {
      int eq = l.indexOf('=');
      labels.put(l.substring(0, eq), l.substring(eq + 1));
    }
    boolean firing = "firing".equals(e.getString("status"));
    return new Alert(
        e.getString("key"),
        firing ? Alert.Status.FIRING : Alert.Status.RESOLVED,
        new TreeMap<>(labels),
        new TreeMap<>(
            Map.of("summary", e.getString("summary"), "description", e.getString("description"))),
        e.getLong("starts_at"),
        firing ? -1 : e.getLong("ends_at"));
  }

  static List<String> labelList(Alert a) {
    List<String> out = new ArrayList<>();
    a.labels().forEach((k, v) -> out.add(k + "=" + v));
    return out;
  }
}
