package dev.sluice.alert;

import dev.sluice.cluster.EtcdAlertClaims;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Threshold alerts once for the fleet, not once per node: with the etcd store every node sees the
 * same cluster-wide spent figures, so every node's evaluation would raise the same threshold.
 * Before a node raises one, it claims the alert in etcd ({@link EtcdAlertClaims}); the first node
 * to claim raises it (ledger entry, webhook, {@code /api/alerts}), the others drop the condition.
 * The owner of each claim is remembered while its condition holds, so etcd is asked once per alert
 * and node.
 *
 * <p>An undecided claim (etcd did not answer within the store's operation deadline, or answered
 * something unreadable) raises the alert on this node: a duplicate notification is better than a
 * missing one. With the local store ({@code claims} null) every threshold is this node's.
 */
final class FleetThresholds {

  private static final Logger log = LoggerFactory.getLogger(FleetThresholds.class);

  /** Longest wait for the claims of one evaluation, beyond the calls' own deadlines. */
  static final long WAIT_MILLIS = 30_000;

  private final EtcdAlertClaims claims;
  private final Map<String, String> owners = new HashMap<>();

  FleetThresholds(EtcdAlertClaims claims) {
    this.claims = claims;
  }

  /**
   * The conditions this node raises: every one that is not a threshold, every threshold this node
   * would not fire anyway ({@code wouldFire} false: already firing or fired this period), and the
   * thresholds it would fire whose claim it holds or could not decide. Blocks for the claims (the
   * alert thread, never a data-plane thread).
   */
  List<Condition> raisedHere(List<Condition> holding, Predicate<String> wouldFire, long nowMillis) {
    if (claims == null) {
      return holding;
    }
    Set<String> held = new HashSet<>();
    Map<String, CompletableFuture<String>> asked = new LinkedHashMap<>();
    for (Condition c : holding) {
      held.add(c.key());
      if (isThreshold(c)
          && wouldFire.test(c.key())
          && !owners.containsKey(c.key())
          && !asked.containsKey(c.key())) {
        asked.put(c.key(), claims.claim(c.key(), c.stickyUntilMillis(), nowMillis));
      }
    }
    owners.keySet().retainAll(held);
    asked.forEach((key, f) -> decide(key, f));
    List<Condition> out = new ArrayList<>(holding.size());
    for (Condition c : holding) {
      String owner = owners.get(c.key());
      if (!isThreshold(c) || owner == null || owner.equals(claims.nodeId())) {
        out.add(c);
      }
    }
    return out;
  }

  private void decide(String key, CompletableFuture<String> f) {
    try {
      owners.put(key, f.get(WAIT_MILLIS, TimeUnit.MILLISECONDS));
    } catch (ExecutionException | TimeoutException e) {
      log.warn(
          "alerts: the fleet claim of {} is undecided ({}); raising it on this node",
          key,
          e.getCause() == null ? e.toString() : e.getCause().toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean isThreshold(Condition c) {
    return c.stickyUntilMillis() >= 0;
  }
}
