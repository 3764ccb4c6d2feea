package dev.sluice.cluster;

import dev.sluice.budget.BudgetNode;
import dev.sluice.store.BudgetStore.Usage;
import dev.sluice.store.StoreMath;
import dev.sluice.time.Window;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports on the site from this node's copy of its keys ({@link KeyCache}), without asking etcd:
 * the usage of a budget node, and every gateway node's escrow. They lag etcd by the watch's delay.
 */
final class SiteView {

  // Logs as the store: operators find its lines under one name.
  private static final Logger log = LoggerFactory.getLogger(EtcdBudgetStore.class);

  private final NodeContext ctx;

  SiteView(NodeContext ctx) {
    this.ctx = ctx;
  }

  /** Spent and sent bytes of {@code node} in the period of {@code window} containing now. */
  Usage usage(BudgetNode node, Window window) {
    long now = ctx.time().now();
    long start = ctx.calendar().periodStart(window, now);
    long period = EtcdKeys.period(window, start);
    return new Usage(
        counterValue(ctx.keys().counter(node.id(), window, period)),
        counterValue(ctx.keys().sent(node.id(), window, period)),
        start,
        ctx.calendar().periodEnd(window, now));
  }

  private long counterValue(String key) {
    try {
      return ctx.cache().get(key).asCounter(key);
    } catch (IllegalStateException e) {
      log.warn("{}: {}", ctx.name(), e.getMessage());
      return 0;
    }
  }

  /** Every gateway node that is live or holds escrow (this one always), by node id. */
  List<NodeEscrow> nodes() {
    long now = ctx.time().now();
    Map<String, long[]> acc = new TreeMap<>(); // live, open, held, expired sets, expired bytes
    acc.put(ctx.nodeId(), new long[5]);
    String live = ctx.keys().nodes();
    ctx.cache()
        .forEach(
            live,
            (k, v) -> acc.computeIfAbsent(k.substring(live.length()), n -> new long[5])[0] = 1);
    String sets = ctx.keys().sets();
    ctx.cache()
        .forEach(
            sets,
            (k, v) -> {
              String rest = k.substring(sets.length());
              int slash = rest.indexOf('/');
              if (slash <= 0) {
                return;
              }
              SetRecord r;
              try {
                r = SetRecord.parse(k, v.value());
              } catch (IllegalArgumentException e) {
                log.warn("{}: {}", ctx.name(), e.getMessage());
                return;
              }
              long[] a = acc.computeIfAbsent(rest.substring(0, slash), n -> new long[5]);
              long held = StoreMath.unsentOf(r.granted(), r.sent());
              a[1]++;
              a[2] = StoreMath.saturatedAdd(a[2], held);
              if (r.expiresAt() <= now) {
                a[3]++;
                a[4] = StoreMath.saturatedAdd(a[4], held);
              }
            });
    List<NodeEscrow> out = new ArrayList<>();
    acc.forEach(
        (n, a) -> out.add(new NodeEscrow(n, a[0] == 1, (int) a[1], a[2], (int) a[3], a[4])));
    return out;
  }
}
