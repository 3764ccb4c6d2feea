package dev.sluice.admin;

import dev.sluice.halt.FleetHalts;
import dev.sluice.halt.HaltState;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link HaltControl}'s calls to the fleet ({@link FleetHalts}): publish a halt in force here and
 * record its key's revision with it, and lift a fleet halt, waiting at most the fleet timeout and
 * turning failures into {@link HaltControl.NotLifted} (egress stays halted) or {@link
 * HaltControl.Conflict} (another halt holds the key). Without a fleet ({@link FleetHalts#NONE})
 * both do nothing. Holds no lock and no state of its own: ordering is {@link HaltControl}'s job.
 */
final class FleetLink {

  private final FleetHalts fleet;
  private final HaltState halts;
  private final String by;
  private final Duration timeout;

  FleetLink(FleetHalts fleet, HaltState halts, String by, Duration timeout) {
    this.fleet = Objects.requireNonNull(fleet, "fleet");
    this.halts = Objects.requireNonNull(halts, "halts");
    this.by = Objects.requireNonNull(by, "by");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  boolean shared() {
    return fleet != FleetHalts.NONE;
  }

  long timeoutMillis() {
    return timeout.toMillis();
  }

  String describe() {
    return fleet.describe();
  }

  /** The detail of a halt that holds here but is not (yet) in etcd. */
  String pendingDetail() {
    return "halted here; published to every node of "
        + fleet.describe()
        + " as soon as etcd answers";
  }

  /** Publishes a halt in force here and records the key's revision with it once etcd has it. */
  CompletableFuture<Long> publish(String zone, HaltState.Halt halt) {
    if (!shared()) {
      return CompletableFuture.completedFuture(0L);
    }
    CompletableFuture<Long> f;
    try {
      f =
          fleet.publish(
              new FleetHalts.Halt(
                  halt.scope(), halt.reason(), by, fleet.nodeId(), halt.sinceMillis(), 0));
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    return f.thenApply(
        rev -> {
          halts.markPublished(zone, halt, rev);
          return rev;
        });
  }

  /**
   * Deletes the fleet halt key of {@code scope} if it is the one of {@code fleetRevision} (nothing
   * without a fleet, or if there is no key), recording who lifted it.
   */
  void lift(String scope, String reason, String who, long fleetRevision)
      throws HaltControl.NotLifted, HaltControl.Conflict {
    if (!shared()) {
      return;
    }
    try {
      fleet
          .lift(new FleetHalts.Lift(scope, reason, who, fleet.nodeId(), fleetRevision))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof FleetHalts.LiftConflict c) {
        throw new HaltControl.Conflict(c.getMessage());
      }
      throw notLifted(scope, e);
    } catch (TimeoutException e) {
      throw notLifted(scope, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw notLifted(scope, e);
    }
  }

  private HaltControl.NotLifted notLifted(String scope, Exception e) {
    return new HaltControl.NotLifted(
        "the fleet halt of "
            + scope
            + " could not be lifted in "
            + fleet.describe()
            + " ("
            + why(e)
            + "), so egress stays halted on every node; the resume entry is in the ledger, try"
            + " again once etcd answers",
        e);
  }

  /** Why a fleet call failed, for messages. */
  static String why(Exception e) {
    Throwable t = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    if (t instanceof TimeoutException) {
      return "no answer in time";
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
