package dev.sluice.cluster;

import dev.sluice.store.GrantResult;
import dev.sluice.store.StoreTime;
import dev.sluice.time.WindowCalendar;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the jobs of one {@link EtcdBudgetStore} share: who this node is, the site's keys and
 * calendar, the store thread and its queue, the etcd calls and this node's copy of the keys, and
 * this node's own ledger and escrow. Wired once by the store; each job takes it with whatever else
 * it alone needs.
 *
 * @param name the store's name for messages: {@code etcd:} + the endpoints + the prefix
 * @param nodeId this gateway node's id
 * @param keys the site's key layout
 * @param calendar the site's periods
 * @param time the store's time, never earlier than a time it used before
 * @param executor the store thread: all logic runs on it
 * @param queue every operation on this node's keys goes through it, one after another
 * @param io the etcd calls, each with the operation deadline
 * @param cache this node's copy of the site's keys
 * @param casLoop runs compare-and-swap operations
 * @param reachability whether etcd is known to be unreachable
 * @param journal this node's ledger
 * @param escrow this node's open sets and last grant id
 */
record NodeContext(
    String name,
    String nodeId,
    EtcdKeys keys,
    WindowCalendar calendar,
    StoreTime time,
    ScheduledExecutorService executor,
    OpQueue queue,
    EtcdIo io,
    KeyCache cache,
    CasLoop casLoop,
    Reachability reachability,
    NodeJournal journal,
    OwnEscrow escrow) {

  /** A grant refused for {@code reason} without deciding on the budget: fail closed. */
  GrantResult unavailable(String reason) {
    return new GrantResult.Unavailable(name, reason);
  }
}
