package dev.sluice.alert;

import dev.sluice.config.AlertsConfig;
import dev.sluice.store.BudgetReport;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The egress-rate condition: a subject's rate over {@code rate.window} above {@code rate.multiple}
 * times its average over {@code rate.trailing} (which includes the window), and at least {@code
 * rate.min_bytes_per_second}, so an idle tenant that starts sending a little does not fire.
 *
 * <p>Subjects: this gateway node ({@code subject="gateway"}, from its egress counter) and every
 * budget node with a limit (from the {@code sent} bytes of its longest window, which resets least).
 * Each evaluation adds one sample per subject; a counter that goes down (its window reset) starts
 * that subject's history again. Until the history spans more than the window the trailing average
 * is the window's own rate, so nothing fires in the first minutes. Floating point is fine: the rate
 * decides an alert, never whether a byte may leave. Not thread-safe: the evaluation thread owns it.
 */
final class RateConditions {

  static final String NAME = "SluiceEgressRate";
  static final String GATEWAY = "gateway";

  private record Sample(long nanos, long bytes) {}

  private final AlertsConfig.Rate rate;
  private final Map<String, ArrayDeque<Sample>> history = new HashMap<>();

  RateConditions(AlertsConfig.Rate rate) {
    this.rate = Objects.requireNonNull(rate, "rate");
  }

  void collect(
      long nanos,
      long gatewayEgress,
      BudgetReport report,
      Map<String, String> base,
      List<Condition> out) {
    check(GATEWAY, nanos, gatewayEgress, base, out);
    for (BudgetReport.NodeReport node : report.nodes()) {
      BudgetReport.LimitReport longest = null;
      for (BudgetReport.LimitReport l : node.limits()) {
        if (longest == null || l.window().ordinal() > longest.window().ordinal()) {
          longest = l;
        }
      }
      if (longest != null) {
        check(node.id(), nanos, longest.sent(), base, out);
      }
    }
  }

  private void check(
      String subject, long nanos, long bytes, Map<String, String> base, List<Condition> out) {
    ArrayDeque<Sample> h = history.computeIfAbsent(subject, s -> new ArrayDeque<>());
    Sample last = h.peekLast();
    if (last != null && (bytes < last.bytes() || nanos <= last.nanos())) {
      if (bytes < last.bytes()) {
        h.clear();
      } else {
        h.removeLast();
      }
    }
    h.addLast(new Sample(nanos, bytes));
    long trailingNanos = rate.trailing().toNanos();
    while (h.size() > 2 && nanos - h.peekFirst().nanos() > trailingNanos) {
      h.removeFirst();
    }
    double current = perSecond(h, nanos - rate.window().toNanos(), nanos, bytes);
    double trailing = perSecond(h, nanos - trailingNanos, nanos, bytes);
    if (current >= rate.minBytesPerSecond() && current > rate.multiple() * trailing) {
      Map<String, String> labels = new LinkedHashMap<>(base);
      labels.put("alertname", NAME);
      labels.put("severity", "warning");
      labels.put("subject", subject);
      out.add(
          new Condition(
              "rate|" + subject,
              labels,
              subject + " egress rate is more than " + rate.multiple() + "x its trailing average",
              String.format(
                  java.util.Locale.ROOT,
                  "%s: %.0f B/s over the last %s, %.0f B/s on average over the last %s"
                      + " (alert above %dx and at least %d B/s)",
                  subject,
                  current,
                  dev.sluice.config.Durations.format(rate.window()),
                  trailing,
                  dev.sluice.config.Durations.format(rate.trailing()),
                  rate.multiple(),
                  rate.minBytesPerSecond()),
              -1));
    }
  }

  /** Bytes per second from the oldest sample at or after {@code fromNanos} to now; 0 if none. */
  private static double perSecond(ArrayDeque<Sample> h, long fromNanos, long nanos, long bytes) {
    for (Sample s : h) {
      if (s.nanos() >= fromNanos) {
        long elapsed = nanos - s.nanos();
        return elapsed <= 0 ? 0 : (bytes - s.bytes()) * 1e9 / elapsed;
      }
    }
    return 0;
  }
}
