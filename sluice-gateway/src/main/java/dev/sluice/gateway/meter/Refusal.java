package dev.sluice.gateway.meter;

import dev.sluice.budget.Denial;
import dev.sluice.escrow.EscrowAccount;
import dev.sluice.halt.HaltState;
import java.util.Objects;

/**
 * Why bytes did not leave: a value with a reason, logged, counted and ledgered once per connection.
 * {@link #reason()} is the stable label used in metrics, logs, the ledger and JSON error types.
 *
 * @param store the name of the budget store that could not grant ({@link Kind#STORE_UNAVAILABLE}
 *     only, else null), e.g. {@code etcd:http://10.0.0.7:2379/sluice/dc-1}
 */
public record Refusal(Kind kind, Denial denial, HaltState.Halt halt, String detail, String store) {

  /** The reasons bytes can be refused. */
  public enum Kind {
    /** A cap on the path is spent. */
    BUDGET("egress_budget_exhausted"),
    /** An operator halted egress of the site or the zone. */
    HALTED("egress_halted"),
    /** The budget store cannot prove a grant durable (fail closed). */
    STORE_UNAVAILABLE("budget_store_unavailable"),
    /** The ledger cannot be written (fail closed). */
    LEDGER_UNAVAILABLE("ledger_unavailable"),
    /** The control allowance that pays for denial responses is spent. */
    CONTROL_EXHAUSTED("control_allowance_exhausted"),
    /** More bytes queued behind a refill than the meter holds: a bug; fail closed. */
    METER_OVERFLOW("meter_overflow");

    private final String reason;

    Kind(String reason) {
      this.reason = reason;
    }

    public String reason() {
      return reason;
    }
  }

  public Refusal {
    Objects.requireNonNull(kind, "kind");
  }

  public String reason() {
    return kind.reason();
  }

  public static Refusal budget(Denial d) {
    return new Refusal(Kind.BUDGET, d, null, d.nodeId() + " " + d.window().label(), null);
  }

  public static Refusal halted(HaltState.Halt h) {
    return new Refusal(
        Kind.HALTED, null, h, h == null ? "halted" : h.scope() + ": " + h.reason(), null);
  }

  public static Refusal of(Kind kind, String detail) {
    return new Refusal(kind, null, null, detail, null);
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
          Kind.STORE_UNAVAILABLE, null, null, "no answer from the budget store", null);
    }
    return new Refusal(
        Kind.STORE_UNAVAILABLE, null, null, o.store() + ": " + o.reason(), o.store());
  }
}
