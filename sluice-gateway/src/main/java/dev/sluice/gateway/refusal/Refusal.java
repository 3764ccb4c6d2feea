package dev.sluice.gateway.refusal;

import dev.sluice.budget.Denial;
import dev.sluice.escrow.EscrowAccount;
import dev.sluice.halt.HaltState;
import java.util.Objects;

/**
 * Why bytes did not leave: a value with a reason, logged, counted and ledgered once per connection.
 * Its {@link Reason} gives the stable label used in metrics, logs, the ledger and JSON error types;
 * the rest is the case's evidence.
 *
 * @param denial the cap that refused ({@link Reason#BUDGET_EXHAUSTED} only, else null)
 * @param halt the halt in force ({@link Reason#HALTED} only, may be null)
 * @param store the name of the budget store that could not grant ({@link Reason#STORE_UNAVAILABLE}
 *     only, else null), e.g. {@code etcd:http://10.0.0.7:2379/sluice/dc-1}
 */
public record Refusal(
    Reason reason, Denial denial, HaltState.Halt halt, String detail, String store) {

  public Refusal {
    Objects.requireNonNull(reason, "reason");
  }

  /** The stable label of {@link #reason()}. */
  public String label() {
    return reason.label();
  }

  public static Refusal budget(Denial d) {
    return new Refusal(
        Reason.BUDGET_EXHAUSTED, d, null, d.nodeId() + " " + d.window().label(), null);
  }

  public static Refusal halted(HaltState.Halt h) {
    return new Refusal(
        Reason.HALTED, null, h, h == null ? "halted" : h.scope() + ": " + h.reason(), null);
  }

  public static Refusal of(Reason reason, String detail) {
    return new Refusal(reason, null, null, detail, null);
  }

  /**
   * Why a refill did not pay: the denial of a cap, or the store that could not grant (fail closed),
   * named so the client and the operator see which store to look at.
   */
  public static Refusal of(EscrowAccount.Outcome o) {
    if (o != null && o.kind() == EscrowAccount.Outcome.Kind.DENIED) {
      return budget(o.denial());
    }
    if (o == null || o.store() == null) {
      return new Refusal(
          Reason.STORE_UNAVAILABLE, null, null, "no answer from the budget store", null);
    }
    return new Refusal(
        Reason.STORE_UNAVAILABLE, null, null, o.store() + ": " + o.reason(), o.store());
  }
}
