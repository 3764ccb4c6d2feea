package dev.sluice.alert;

import dev.sluice.cluster.EtcdBudgetStore;
import dev.sluice.cluster.NodeEscrow;
import dev.sluice.halt.HaltState;
import dev.sluice.ledger.Checkpoint;
import dev.sluice.ledger.LedgerStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's health as conditions, each firing while it holds and resolving when it stops:
 *
 * <ul>
 *   <li>{@code SluiceHalted}: a halt of the site or a zone (one alert per halt, keyed by its
 *       start);
 *   <li>{@code SluiceLedgerUnavailable}: the ledger refuses entries (egress stops, fail closed);
 *   <li>{@code SluiceStoreUnavailable}: etcd is unreachable (grants are refused);
 *   <li>{@code SluiceEscrowStranded}: escrow found unsettled at start on this node, or escrow past
 *       its expiry held by a gateway node that is not live (etcd store);
 *   <li>{@code SluiceCheckpointStale}: durable entries are not covered by a signed checkpoint, and
 *       the newest checkpoint is older than {@code checkpoint_max_age} (an idle ledger signs no new
 *       checkpoint, and needs none: its newest one covers every entry).
 * </ul>
 */
final class HealthConditions {

  private HealthConditions() {}

  static void collect(AlertInputs in, long now, Map<String, String> base, List<Condition> out) {
    for (HaltState.Halt h : in.halts().active()) {
      out.add(
          condition(
              base,
              "SluiceHalted",
              "critical",
              Map.of("scope", h.scope()),
              "halt|" + h.scope() + "|" + h.sinceMillis(),
              "egress of " + h.scope() + " is halted",
              "egress of "
                  + h.scope()
                  + " halted since "
                  + Instant.ofEpochMilli(h.sinceMillis())
                  + ": "
                  + h.reason()));
    }
    LedgerStatus status = in.ledger().status();
    if (!in.ledger().healthy() || !status.available()) {
      long since = status.unavailableSinceMillis();
      out.add(
          condition(
              base,
              "SluiceLedgerUnavailable",
              "critical",
              Map.of(),
              "ledger|" + since,
              "the ledger is not writable: egress is stopped",
              "the ledger accepts no entries"
                  + (since >= 0 ? " since " + Instant.ofEpochMilli(since) : "")
                  + (status.cause() == null ? "" : ": " + status.cause())
                  + "; no escrow can be granted until it recovers"));
    }
    in.cluster().ifPresent(etcd -> store(etcd, base, out));
    if (in.stranded().bytes() > 0) {
      out.add(
          condition(
              base,
              "SluiceEscrowStranded",
              "warning",
              Map.of("stranded_node", "self"),
              "stranded|self",
              "escrow was found stranded at start",
              in.stranded().sets()
                  + " escrow sets ("
                  + in.stranded().bytes()
                  + " bytes) were unsettled at start (a crash): counted as spent, maybe never"
                  + " sent"));
    }
    Checkpoint c = in.ledger().latestCheckpoint();
    Duration maxAge = in.config().alerts().checkpointMaxAge();
    if (c != null && in.ledger().size() > c.size() && now - c.timeMillis() > maxAge.toMillis()) {
      out.add(
          condition(
              base,
              "SluiceCheckpointStale",
              "warning",
              Map.of(),
              "checkpoint|" + c.timeMillis(),
              "no signed checkpoint for more than " + dev.sluice.config.Durations.format(maxAge),
              "the newest signed checkpoint is from "
                  + Instant.ofEpochMilli(c.timeMillis())
                  + ", "
                  + (now - c.timeMillis()) / 1000
                  + " s ago"));
    }
  }

  private static void store(EtcdBudgetStore etcd, Map<String, String> base, List<Condition> out) {
    long since = etcd.unreachableSinceMillis();
    if (since >= 0) {
      out.add(
          condition(
              base,
              "SluiceStoreUnavailable",
              "critical",
              Map.of(),
              "store|" + since,
              "the budget store is unavailable: grants are refused",
              etcd.reachabilityText()));
    }
    for (NodeEscrow n : etcd.nodes()) {
      if (!n.live() && n.expiredBytes() > 0) {
        out.add(
            condition(
                base,
                "SluiceEscrowStranded",
                "warning",
                Map.of("stranded_node", n.nodeId()),
                "stranded|" + n.nodeId(),
                "gateway node " + n.nodeId() + " is gone and holds expired escrow",
                n.nodeId()
                    + " is not live and holds "
                    + n.expiredBytes()
                    + " bytes of expired escrow in "
                    + n.expiredSets()
                    + " sets: counted as spent"));
      }
    }
  }

  private static Condition condition(
      Map<String, String> base,
      String name,
      String severity,
      Map<String, String> extra,
      String key,
      String summary,
      String description) {
    Map<String, String> labels = new LinkedHashMap<>(base);
    labels.put("alertname", name);
    labels.put("severity", severity);
    labels.putAll(extra);
    return new Condition(key, labels, summary, description, -1);
  }
}
