package dev.sluice.halt;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The halts every gateway node sharing a budget store must apply: with the etcd store, one key per
 * halted scope under the site's prefix ({@code docs/formats/etcd-v1.md}). A node publishes the
 * halts it takes, lifts them on resume, and is told the whole set whenever it may have changed. A
 * node without a shared store uses {@link #NONE}: its halts are its own.
 */
public interface FleetHalts extends AutoCloseable {

  /**
   * A halt published to the fleet.
   *
   * @param scope {@code site} or a zone
   * @param by who took it ({@code admin-token} today)
   * @param node the node id of the node that took it
   * @param sinceMillis when that node took it (its clock)
   * @param revision the etcd create revision of the key (0 before it is published)
   */
  record Halt(
      String scope, String reason, String by, String node, long sinceMillis, long revision) {
    public Halt {
      Objects.requireNonNull(scope, "scope");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(by, "by");
      Objects.requireNonNull(node, "node");
    }
  }

  /**
   * Who lifted the fleet halt of a scope last, kept beside the halt keys so that every node can
   * ledger it.
   *
   * @param haltRevision the create revision of the halt key it lifted
   */
  record Lift(String scope, String reason, String by, String node, long haltRevision) {
    public Lift {
      Objects.requireNonNull(scope, "scope");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(by, "by");
      Objects.requireNonNull(node, "node");
    }
  }

  /**
   * Every fleet halt and the last lift of each scope, as of one etcd revision. Snapshots are
   * delivered in revision order; a node never acts on one older than what it already knows.
   */
  record Snapshot(Map<String, Halt> halts, Map<String, Lift> lifts, long revision) {
    public Snapshot {
      halts = Map.copyOf(halts);
      lifts = Map.copyOf(lifts);
    }
  }

  /** The halt key of a scope holds another halt than the one a resume meant to lift. */
  final class LiftConflict extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public LiftConflict(String message) {
      super(message);
    }
  }

  /**
   * Publishes a halt unless its scope is already halted in the fleet; completes with the create
   * revision of the scope's halt key (this one, or the one already there), or exceptionally if the
   * store cannot be reached within its operation timeout.
   */
  CompletableFuture<Long> publish(Halt halt);

  /**
   * Lifts the fleet halt of a scope if it is still the one of {@code lift.haltRevision()} (nothing
   * if there is none) and records who did it; completes once the store has it, exceptionally with
   * {@link LiftConflict} if the scope holds another halt by now, or exceptionally if the store
   * cannot be reached.
   */
  CompletableFuture<Void> lift(Lift lift);

  /**
   * Starts telling {@code sink} the fleet's halts: the first snapshot before this returns if the
   * store answers within its operation timeout, then after every change, and on a periodic re-read
   * (also after the store could not be reached). {@code sink} runs on one thread, one call at a
   * time.
   */
  void watch(Consumer<Snapshot> sink);

  /** The node id this node publishes as. */
  String nodeId();

  /** E.g. {@code etcd:http://10.0.0.1:2379/sluice/berlin}; {@code none} without a shared store. */
  String describe();

  @Override
  void close();

  /** No fleet: publishing and lifting do nothing, and no snapshot ever comes. */
  FleetHalts NONE =
      new FleetHalts() {
        @Override
        public CompletableFuture<Long> publish(Halt halt) {
          return CompletableFuture.completedFuture(0L);
        }

        @Override
        public CompletableFuture<Void> lift(Lift lift) {
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public void watch(Consumer<Snapshot> sink) {}

        @Override
        public String nodeId() {
          return "";
        }

        @Override
        public String describe() {
          return "none";
        }

        @Override
        public void close() {}
      };
}
