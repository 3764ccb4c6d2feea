package dev.sluice.store;

import dev.sluice.budget.BudgetNode;
import dev.sluice.budget.BudgetTree;
import dev.sluice.time.Window;
import java.util.concurrent.CompletableFuture;

/**
 * The authority over spent budget. A store grants escrow: it durably adds the granted bytes to the
 * spent counters of every window of every node on the path before the grant completes, so the sum
 * of all grants, across all gateway nodes, never exceeds any cap. Gateway nodes spend escrow
 * locally without I/O (see {@code dev.sluice.escrow}).
 *
 * <p>Implementations: {@link LocalBudgetStore} (one node, counters rebuilt from the ledger); an
 * etcd store for many nodes. Both must:
 *
 * <ul>
 *   <li>complete a {@link GrantResult.Granted} only once the grant is durable;
 *   <li>never grant more than the smallest remaining cap on the path;
 *   <li>complete with {@link GrantResult.Unavailable} rather than guess when durability cannot be
 *       proven (fail closed);
 *   <li>keep counting escrow that was never settled (stranded): it may have been sent.
 * </ul>
 *
 * <p>Methods are thread-safe and never block the caller on I/O: they return futures.
 */
public interface BudgetStore extends AutoCloseable {

  /** Requests escrow; see {@link GrantRequest}. */
  CompletableFuture<GrantResult> grant(GrantRequest request);

  /**
   * Ends an escrow set and returns its unspent bytes; completes once durable. A settlement that
   * cannot be made durable leaves the bytes counted as spent (over-counting is safe).
   */
  CompletableFuture<Void> settle(Settlement settlement);

  /**
   * Spent and settled-sent bytes of one window of one node in the period containing now, as the
   * store knows them (bytes charged from escrow not yet settled are only known to the holder).
   */
  Usage usage(BudgetNode node, Window window);

  /** See {@link #usage}. {@code periodEnd} is {@code WindowCalendar.NEVER} for lifetime. */
  record Usage(long spent, long sent, long periodStart, long periodEnd) {}

  /**
   * Follows a configuration reload applied in place: grants are checked against the caps of {@code
   * next} from now on. Counters are kept by node id, so a node kept keeps its spent and sent bytes
   * in every current period; a node removed is no longer counted (its history stays in the ledger);
   * escrow sets open on it are settled as usual. A grant request whose path is of another tree is
   * resolved by node ids in {@code next}, and is answered {@link GrantResult.Unavailable} when one
   * of its nodes is gone. The default does nothing, for stores that read every cap from the path of
   * the request.
   */
  default void retree(BudgetTree next) {}

  /** A name for messages and metrics, e.g. {@code local:/var/lib/sluice}. */
  String name();

  /** Returns unspent escrow where possible and releases resources. Idempotent. */
  @Override
  void close();
}
